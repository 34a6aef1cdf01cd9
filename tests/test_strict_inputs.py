"""Strict inputs through the command line: whole-string dates and numbers, edge dates, masked
passwords, malformed locations: each one clear line, never an internal error."""

from __future__ import annotations

import datetime as dt
import shutil

import geopandas as gpd
import pytest
from shapely.geometry import box

from xzsdg_geo.dates import parse_date, today_cst
from xzsdg_geo.indicators.catalog import indicators
from xzsdg_geo.indicators.tracker import value_range

SECRET = "s3cr3t-Pw"


def _one_clear_line(code: int, err: str) -> str:
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1, err
    assert "内部错误" not in err and "Traceback" not in err
    return err


@pytest.fixture
def store_path(sample_store_file, tmp_path) -> str:
    path = tmp_path / "s.gpkg"
    shutil.copy(sample_store_file, path)
    return str(path)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-06-30", dt.date(2026, 6, 30)),
        ("2026-06-30T12:30:00", dt.date(2026, 6, 30)),
        ("2026-06-30 00:00:00+08:00", dt.date(2026, 6, 30)),
        ("2026/3/5 8:05", dt.date(2026, 3, 5)),
        ("2026年3月5日", dt.date(2026, 3, 5)),
        ("2026-06-30T99:99:99garbage", None),
        ("2026-06-30garbage", None),
        ("2026-06-30 trailing", None),
        ("2026-06-30T25:00", None),
        ("2026-06-30T", None),
    ],
)
def test_dates_are_parsed_on_the_whole_string(text, day):
    assert parse_date(text) == day


def test_a_date_with_trailing_text_is_refused_by_every_date_option(run, store_path):
    for argv in (("rates", "--as-of"), ("progress", "--as-of"), ("audit", "--as", "admin", "--since"),
                 ("import", "x.geojson", "--layer", "quarries", "--valid-from")):  # fmt: skip
        code, _, err = run(*argv, "2026-06-30T99:99:99garbage", "--store", store_path)
        assert "2026-06-30T99:99:99garbage" in _one_clear_line(code, err), argv


@pytest.mark.parametrize(
    "argv",
    [
        ("rates", "--as-of", "9999-12-31"),
        ("progress", "--as-of", "9999-12-31"),
        ("audit", "--as", "admin", "--since", "0001-01-01"),
        ("import", "x.geojson", "--layer", "quarries", "--valid-from", "9999-12-31"),
    ],
)
def test_edge_dates_are_answered_with_one_clear_line(run, store_path, argv):
    err = _one_clear_line(*run(*argv, "--store", store_path)[::2])
    assert "超出可用范围" in err


def test_an_import_valid_from_the_future_is_refused(run, store_path, tmp_path):
    frame = gpd.GeoDataFrame({"编号": ["T1"], "名称": ["测试"], "程度": ["轻度"]},
                             geometry=[box(117.45, 34.45, 117.46, 34.46)], crs="EPSG:4490")  # fmt: skip
    path = tmp_path / "zones.geojson"
    path.write_text(frame.to_json(), encoding="utf-8")
    tomorrow = (today_cst() + dt.timedelta(days=1)).isoformat()
    code, _, err = run(
        "import", path, "--layer", "subsidence_zones", "--valid-from", tomorrow, "--store", store_path
    )
    assert "晚于今天" in _one_clear_line(code, err)
    code, _, err = run("rates", "--store", store_path)
    assert code == 0


@pytest.mark.parametrize("value", ["1,0,0,0", "12abc", "nan", "inf", "1.2.3", ""])
def test_indicator_values_are_numbers_as_a_whole(run, store_path, value):
    code, _, err = run("indicators", "set", "16", "2025", value, "--as", "admin", "--store", store_path)
    assert "不是有效数字" in _one_clear_line(code, err)


def test_an_indicator_value_must_lie_in_its_range(run, store_path):
    share = indicators()[16]  # 城市空气质量优良天数比例, %
    assert (value_range(share).low, value_range(share).high) == (0.0, 100.0)
    code, _, err = run("indicators", "set", "16", "2025", "1,000", "--as", "admin", "--store", store_path)
    assert "超出合理范围" in _one_clear_line(code, err)
    code, _, err = run("indicators", "set", "16", "2025", "95.5", "--as", "admin", "--store", store_path)
    assert code == 0, err
    growth = indicators()[8]  # 地区生产总值年均增长率: may be negative
    assert value_range(growth).low == -100.0 and value_range(growth).high is None
    coverage = indicators()[30]  # the plan itself reports 103.59 %
    assert value_range(coverage).high is None


@pytest.mark.parametrize(
    "location",
    [
        f"postgresql://nobody:{SECRET}@127.0.0.1:1/x",
        f"postgresql://nobody@127.0.0.1:1/x?password={SECRET}",
        f"postgresql://nobody@127.0.0.1:1/x?sslmode=disable&password={SECRET}",
        f"postgresql://nobody:{SECRET}@[::1",
        f"postgresql://nobody:{SECRET}%zz@127.0.0.1:1/x",
        f"mysql://nobody:{SECRET}@127.0.0.1/x",
        "postgresql://[::1",
    ],
)
def test_passwords_are_masked_and_malformed_urls_are_one_clear_line(run, location):
    for command in ("rates", "init"):
        code, out, err = run(command, "--store", location)
        _one_clear_line(code, err)
        assert SECRET not in err and SECRET not in out


def test_a_very_long_store_path_is_one_clear_line(run, tmp_path):
    for path in (tmp_path / ("a" * 5000 + ".gpkg"), tmp_path.joinpath(*["b" * 200] * 30, "s.gpkg")):
        for command in ("rates", "init"):
            err = _one_clear_line(*run(command, "--store", path)[::2])
            assert "路径无法使用" in err and len(err) < 600
