"""Attributes: required fields after alias mapping, enums, dates, numbers; declared areas."""

from __future__ import annotations

import corpus as c
import pytest

from xzsdg_geo.layers import get_layer
from xzsdg_geo.readers import ReadOptions
from xzsdg_geo.validation import validate_upload
from xzsdg_geo.validation.columns import restore_cut_names

LAYER = "restoration_parcels"


def _validate(frame, filename: str = "x.geojson", data: bytes | None = None):
    return validate_upload(data or c.geojson(frame), filename, LAYER, ReadOptions())


def test_chinese_and_english_column_names_map_to_the_fields():
    english = c.parcels().rename(
        columns={"编号": "PARCEL_ID", "名称": "Name", "状态": "Status", "治理方式": "Measure"}
    )
    for frame in (c.parcels(), english):
        report = _validate(frame)
        assert report.ok, [e.message() for e in report.errors]
        assert report.features[0].properties["parcel_id"] == "P-001"


@pytest.mark.parametrize(
    ("written", "code"),
    [("已完成", "completed"), ("已治理", "completed"), ("竣工", "completed"), ("在建", "in_progress")],
)
def test_enum_spellings_map_to_codes(written, code):
    report = _validate(c.parcels(**{"状态": [written] * 3}))
    assert {f.properties["status"] for f in report.features} == {code}


@pytest.mark.parametrize("written", ["2026-03-15", "2026/3/15", "2026年3月15日", "46096", 46096])
def test_dates_in_every_field_spelling(written):
    report = _validate(c.parcels(**{"完成日期": [written] * 3}))
    assert report.ok and str(report.features[0].properties["completed_on"]) == "2026-03-15"


def test_missing_and_bad_values_are_refused_per_feature():
    frame = c.parcels(**{"状态": ["已完成", "不知道", None], "完成日期": ["2026-03-15", "昨天", None]})
    report = _validate(frame)
    assert {(e.code, e.feature) for e in report.errors} == {
        ("bad_enum", 1),
        ("bad_date", 1),
        ("missing_value", 2),
    }
    bad_enum = next(e for e in report.errors if e.code == "bad_enum")
    assert "计划、在建、已完成" in bad_enum.message(
        "zh"
    ) and "planned, in progress, completed" in bad_enum.message("en")


def test_a_missing_required_column_is_refused_once_for_the_file():
    report = _validate(c.parcels().drop(columns=["治理方式"]))
    assert [(e.code, e.feature) for e in report.errors] == [("missing_field", None)]
    assert "治理方式" in report.errors[0].message("zh")


def test_a_non_numeric_number_is_refused():
    report = _validate(c.parcels(**{"投资(万元)": ["12", "很多", "3,000"]}))
    assert [(e.code, e.feature) for e in report.errors] == [("bad_number", 1)]
    assert report.features[2].properties["investment_wan"] == 3000


def test_utf8_shapefile_field_names_cut_mid_character_still_map():
    """治理方式 is 12 bytes in UTF-8; the DBF keeps 10, and the reader trims the cut character."""
    data = c.shapefile_zip(c.parcels().to_crs(c.ZONE39), encoding="UTF-8")
    report = _validate(None, "x.zip", data)
    assert report.ok, [e.message() for e in report.errors]
    assert report.features[0].properties["measure"] == "wetland"
    assert str(report.features[0].properties["completed_on"]) == "2026-03-15"


def test_only_unambiguous_cut_names_are_restored():
    spec = get_layer(LAYER)
    frame = c.parcels().rename(columns={"治理方式": "治理方", "名称": "名"})
    restored = restore_cut_names(frame, spec, "utf-8", 10)
    assert "measure" in restored.columns  # 9 bytes: could be cut, and only 治理方式 begins so
    assert "名" in restored.columns  # 3 bytes: not cut


@pytest.mark.parametrize(
    ("column", "declared", "warned"),
    [
        ("面积", 4.0, False),
        ("面积", 4.5, True),
        ("面积(亩)", 60.0, False),
        ("面积(亩)", 70.0, True),
        ("TBMJ", 40_000.0, False),
        ("MJ", 40_000.0, False),
        ("MJ", 45_000.0, True),
        ("面积", "无", False),
    ],
)
def test_declared_areas_more_than_5_percent_off_are_told(column, declared, warned):
    report = _validate(c.parcels(**{column: [declared] * 3}))
    assert report.ok
    assert [w.code for w in report.warnings] == (["declared_area"] * 3 if warned else [])


def test_the_survey_header_area_is_checked_too():
    squares = c.row_of_squares(2)
    data = c.survey_txt(
        [c.survey_parcel(squares[0], "P-1", "一号", 4.0), c.survey_parcel(squares[1], "P-2", "二号", 5.0)]
    )
    report = _validate(None, "x.txt", data)
    [warning] = report.warnings
    assert warning.code == "declared_area" and warning.feature == 1
    assert "面积(公顷)" in warning.message("zh") and "+25" in warning.message("zh")
