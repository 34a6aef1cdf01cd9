"""Dates in the spellings field teams use, the store's clock, and input columns mapped onto layers."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from xzsdg_geo.attributes import AttributeProblem, map_attributes, match_columns
from xzsdg_geo.dates import end_of_day_utc, parse_date, start_of_day_utc
from xzsdg_geo.layers import get_layer

MARCH_15 = dt.date(2026, 3, 15)


@pytest.mark.parametrize(
    "spelling",
    ["2026-03-15", "2026/3/15", "2026.3.15", "2026年3月15日", "2026 年 3 月 15 日", "20260315",
     "46096", 46096, 46096.0, "46096.0", "2026-03-15T08:30:00", "2026/03/15 00:00:00",
     dt.date(2026, 3, 15), dt.datetime(2026, 3, 15, 23, 59), pd.Timestamp("2026-03-15")],
)  # fmt: skip
def test_every_accepted_spelling(spelling):
    assert parse_date(spelling) == MARCH_15


@pytest.mark.parametrize(
    "value",
    ["2026-13-01", "2026-02-30", "2026年2月30日", "2025/2/29", "20261301", "15/03/2026", "三月十五日",
     "", "   ", "n/a", "12345", "46096.5", None, float("nan"), pd.NaT, True, [2026, 3, 15]],
)  # fmt: skip
def test_what_is_not_a_date_gives_none(value):
    assert parse_date(value) is None


def test_excel_serials():
    assert parse_date(1) is None  # 1900-01-01 in Excel, but no plausible record date
    assert parse_date("45658") == dt.date(2025, 1, 1)
    assert parse_date(45657) == dt.date(2024, 12, 31)


def test_a_day_is_bounded_by_china_midnights():
    day = dt.date(2024, 12, 31)
    assert start_of_day_utc(day) == "2024-12-30T16:00:00.000000Z"
    assert end_of_day_utc(day) == "2024-12-31T15:59:59.999999Z"
    # a version stamped at the start of the next day is not yet there at the end of this one
    assert start_of_day_utc(day) < end_of_day_utc(day) < start_of_day_utc(day + dt.timedelta(days=1))


# -- attributes ----------------------------------------------------------------------------------
PARCELS = get_layer("restoration_parcels")


def frame(**columns) -> pd.DataFrame:
    return pd.DataFrame(columns)


def test_chinese_column_names_and_values_map_to_codes():
    records, problems = map_attributes(
        PARCELS,
        frame(
            地块编号=["XF-1", "XF-2", "XF-3"],
            地块名称=["一号", "二号", "三号"],
            状态=["已治理", "治理中", "计划"],
            完成日期=["2024年5月1日", None, ""],
            治理方式=["渔光互补", "耕地复垦", "湿地"],
            **{"投资（万元）": ["1,234.5", "80", None]},
        ),
    )
    assert problems == []
    assert [r["status"] for r in records] == ["completed", "in_progress", "planned"]
    assert [r["measure"] for r in records] == ["solar", "farmland", "wetland"]
    assert [r["completed_on"] for r in records] == [dt.date(2024, 5, 1), None, None]
    assert [r["investment_wan"] for r in records] == [1234.5, 80.0, None]
    assert records[0]["parcel_id"] == "XF-1" and records[0]["name"] == "一号"


def test_column_and_value_matching_ignores_case_and_spacing():
    columns = match_columns(PARCELS, ["PARCEL_ID", " 名 称 ", "Status", "投资(万元)", "unrelated"])
    assert columns == {
        "parcel_id": "PARCEL_ID",
        "name": " 名 称 ",
        "status": "Status",
        "investment_wan": "投资(万元)",
    }
    records, _ = map_attributes(
        PARCELS,
        frame(id=["1"], 名称=["a"], STATUS=["In Progress"], 治理方式=["Solar"], 完工日期=["2026/3/15"]),
    )
    assert records[0]["status"] == "in_progress" and records[0]["measure"] == "solar"
    assert records[0]["completed_on"] == MARCH_15


def test_empty_date_cells_read_by_gdal_are_empty_not_errors():
    """pyogrio reads a date column with blanks as datetime64 with NaT."""
    dates = pd.to_datetime(pd.Series(["2024-05-01", None]))
    records, problems = map_attributes(
        PARCELS,
        frame(
            编号=["a", "b"],
            名称=["x", "y"],
            状态=["已完成", "在建"],
            治理方式=["林地", "林地"],
            完成日期=dates,
        ),
    )
    assert problems == []
    assert [r["completed_on"] for r in records] == [dt.date(2024, 5, 1), None]


def test_excel_ids_and_serial_dates():
    records, problems = map_attributes(
        PARCELS, frame(编号=[1001.0], 名称=["x"], 状态=["完成"], 治理方式=["林地"], 完成日期=[46096])
    )
    assert problems == []
    assert records[0]["parcel_id"] == "1001" and records[0]["completed_on"] == MARCH_15


def test_numbers():
    rivers = get_layer("river_segments")
    base = {"编号": ["H1", "H2", "H3"], "河名": ["故黄河"] * 3, "河段名称": ["一段", "二段", "三段"]}
    records, problems = map_attributes(
        rivers, frame(**base, 建设状态=["已验收"] * 3, accepted_year=["2024", 2025.0, "二〇二五"])
    )
    assert [r["accepted_year"] for r in records] == [2024, 2025, None]
    assert problems == [AttributeProblem("bad_number", "accepted_year", 2, "二〇二五")]


def test_every_problem_is_reported_with_its_feature():
    records, problems = map_attributes(
        PARCELS,
        frame(
            编号=["a", "b", None, "d"],
            名称=["x", "y", "z", "w"],
            状态=["已完成", "差不多了", "在建", "已完成"],
            完成日期=["2024-02-30", "2024-01-01", None, "2024-03-01"],
            投资=["1,000", "很多", None, None],
        ),
    )
    assert len(records) == 4
    assert set(problems) == {
        AttributeProblem("missing_field", "measure"),
        AttributeProblem("bad_date", "completed_on", 0, "2024-02-30"),
        AttributeProblem("bad_enum", "status", 1, "差不多了"),
        AttributeProblem("bad_number", "investment_wan", 1, "很多"),
        AttributeProblem("missing_value", "parcel_id", 2, None),
    }
    assert records[1]["status"] is None and records[0]["investment_wan"] == 1000.0


def test_numbers_outside_the_declared_range_are_problems():
    spec = get_layer("buffer_projects")
    frame = pd.DataFrame({"编号": ["B1", "B2", "B3"], "项目名称": ["甲", "乙", "丙"], "阶段": ["在建"] * 3,
                          "完成比例(%)": ["55", "120", "-3"]})  # fmt: skip
    records, problems = map_attributes(spec, frame)
    assert records[0]["percent_complete"] == 55.0
    assert [(p.kind, p.feature) for p in problems] == [("out_of_range", 1), ("out_of_range", 2)]
