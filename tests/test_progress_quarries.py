"""Quarry pits: location class from geodesic distances, hazard levels, treated counts and areas over
time, the priority list, points, the sample, and bad input refused at import."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from test_progress_support import (
    CORE,
    EAST,
    LAT,
    east_of,
    geodesic_ha,
    pit_east_of_core,
    put,
    with_districts,
)

from xzsdg_geo.cli import main
from xzsdg_geo.dates import today_cst
from xzsdg_geo.errors import UserError
from xzsdg_geo.progress import progress_rules
from xzsdg_geo.progress.quarries import assess, priority_list, quarry_progress
from xzsdg_geo.sample import build
from xzsdg_geo.when import When, end_of_day

DAY = dt.date(2026, 6, 30)
T0 = dt.date(2020, 1, 1)


def pit(fid: str, geom: shapely.Geometry, **props) -> tuple[str, shapely.Geometry, dict]:
    base = {"quarry_id": fid, "name": f"宕口{fid}", "hazard_type": "collapse", "status": "untreated"}
    return fid, geom, base | props


def by_id(items) -> dict:
    return {q.feature_id: q for q in items}


def rules_with(**quarry_changes):
    rules = progress_rules()
    return dataclasses.replace(rules, quarries=dataclasses.replace(rules.quarries, **quarry_changes))


@pytest.fixture
def pits(empty_store):
    """Pits at set geodesic distances east of the built-up area, one inside it."""
    store = with_districts(empty_store)
    put(store, "quarries", [
        pit("near", pit_east_of_core(4_900)),
        pit("far", pit_east_of_core(5_100)),
        pit("inside", shapely.Point(117.05, LAT).buffer(0.002)),
        pit("close", pit_east_of_core(300)),
    ], T0)  # fmt: skip
    return store


def test_distances_are_geodesic_and_classify_near_and_far(pits):
    items = by_id(assess(pits, When(DAY)))
    assert items["near"].distance_m == pytest.approx(4_900, abs=0.5)
    assert items["far"].distance_m == pytest.approx(5_100, abs=0.5)
    assert items["inside"].distance_m == 0.0
    assert [items[k].location for k in ("near", "far", "inside")] == ["near", "far", "near"]
    assert [items[k].strategy for k in ("near", "far", "inside")] == ["engineering", "natural", "engineering"]


def test_equal_area_distance_agrees_within_a_metre(pits):
    rules = progress_rules()
    planar = dataclasses.replace(rules, built_up=dataclasses.replace(rules.built_up, distance="equal_area"))
    items = by_id(assess(pits, When(DAY), planar))
    assert items["far"].distance_m == pytest.approx(5_100, abs=1.0)


def test_built_up_buffer_and_near_distance_are_configurable(pits):
    rules = progress_rules()
    grown = dataclasses.replace(rules, built_up=dataclasses.replace(rules.built_up, buffer_m=200.0))
    items = by_id(assess(pits, When(DAY), grown))
    assert items["far"].distance_m == pytest.approx(4_900, abs=0.5)
    assert items["far"].location == "near"
    assert by_id(assess(pits, When(DAY), rules_with(near_city_m=4_800.0)))["near"].location == "far"


@pytest.mark.parametrize(
    ("hazard", "people", "property_wan", "metres", "threat", "level"),
    [
        ("collapse", None, None, 20_000, "none", "low"),  # nothing threatened, far away
        ("collapse", None, None, 300, "minor", "medium"),  # city roads and buildings within 500 m
        ("landslide", 10, None, 20_000, "minor", "medium"),
        ("landslide", None, 600.0, 20_000, "major", "high"),
        ("collapse", 150, None, 20_000, "major", "high"),
        ("none", 500, 900.0, 300, "major", "low"),  # no hazard: nothing to fear from it
    ],
)
def test_hazard_level_from_type_and_threat(empty_store, hazard, people, property_wan, metres, threat, level):
    store = with_districts(empty_store)
    props = {"hazard_type": hazard, "threat_people": people, "threat_property_wan": property_wan}
    put(store, "quarries", [pit("Q", pit_east_of_core(metres), **props)], T0)
    (item,) = assess(store, When(DAY))
    assert (item.threat, item.hazard_level) == (threat, level)


def test_treated_counts_and_areas_follow_the_dates(empty_store):
    store = with_districts(empty_store)
    a, b = pit_east_of_core(1_000, 400), pit_east_of_core(8_000, 300)
    put(store, "quarries", [pit("A", a), pit("B", b, status="treated", completed_on="2023-03-01")], T0)
    put(store, "quarries", [pit("A", a, status="treated", completed_on="2022-05-10")], dt.date(2022, 5, 10))

    def city(day, known_at=None):
        return quarry_progress(store, When(day, known_at)).city

    # as known now, A is treated from 2022-05-10: the day before, it was still being treated
    eve = dt.date(2022, 5, 9)
    assert (city(eve).treated, city(eve).untreated, city(eve).in_progress) == (0, 0, 2)
    # as recorded that day, the store still said A was untreated
    recorded = city(eve, end_of_day(eve))
    assert (recorded.treated, recorded.untreated) == (0, 1)
    assert recorded.in_progress == 1  # B: recorded treated, but completed later
    assert city(dt.date(2022, 5, 10)).treated == 1
    done = city(dt.date(2023, 3, 1))
    assert done.treated == 2 and done.treated_pct == 100.0
    assert done.area_ha == pytest.approx(geodesic_ha(a) + geodesic_ha(b), rel=1e-5)
    assert city(dt.date(2022, 12, 31)).treated_area_ha == pytest.approx(geodesic_ha(a), rel=1e-5)
    assert (done.near_treated, done.near, done.far_treated, done.far) == (1, 1, 1, 1)


def test_treated_without_date_is_not_counted_but_reported(empty_store):
    store = with_districts(empty_store)
    put(store, "quarries", [pit("A", pit_east_of_core(1_000), status="treated")], T0)
    city = quarry_progress(store, When(DAY)).city
    assert (city.treated, city.undated) == (0, 1)


def test_rows_per_district_add_up_to_the_city(pits):
    report = quarry_progress(pits, When(DAY))
    rows = {d.adcode: d.totals for d in report.districts}
    assert (rows[CORE[0]].count, rows[EAST[0]].count) == (1, 3)
    assert report.city.count == 4 and report.outside_districts == 0
    assert sum(r.area_ha for r in rows.values()) == pytest.approx(report.city.area_ha)


def test_declared_measure_against_the_plan_is_flagged(empty_store):
    store = with_districts(empty_store)
    put(store, "quarries", [
        pit("A", pit_east_of_core(20_000), measure="engineering"),  # remote but engineered
        pit("B", pit_east_of_core(1_000), measure="engineering"),
        pit("C", pit_east_of_core(2_000)),
    ], T0)  # fmt: skip
    items = by_id(assess(store, When(DAY)))
    assert [items[k].measure_matches for k in "ABC"] == [False, True, None]
    assert quarry_progress(store, When(DAY)).city.measure_mismatch == 1


def test_priority_is_risk_times_proximity_times_area(empty_store):
    store = with_districts(empty_store)
    shapes = {
        "A": pit_east_of_core(1_000, 300),
        "B": pit_east_of_core(10_000, 600),
        "C": pit_east_of_core(0, 200),
    }
    put(store, "quarries", [
        pit("A", shapes["A"], threat_people=200),  # high
        pit("B", shapes["B"], threat_people=5),  # medium
        pit("C", shapes["C"], hazard_type="none"),  # low
        pit("D", pit_east_of_core(500), status="treated", completed_on="2021-01-01"),
        pit("P", shapely.Point(east_of(117.1, LAT, 100)), threat_people=300),
    ], T0)  # fmt: skip
    weight, near = {"A": 3.0, "B": 2.0, "C": 1.0}, 5_000.0
    distance = {"A": 1_000.0, "B": 10_000.0, "C": 0.0}
    expected = {k: weight[k] * near / (near + distance[k]) * geodesic_ha(shapes[k]) for k in "ABC"}
    plist = priority_list(store, When(DAY))
    assert plist.waiting == 4
    assert [q.feature_id for q in plist.items] == [*sorted(expected, key=expected.get, reverse=True), "P"]
    for q in plist.items[:3]:
        assert q.priority == pytest.approx(expected[q.feature_id], rel=1e-3)
    point = plist.items[-1]
    assert (point.is_point, point.area_ha, point.priority, point.hazard_level) == (True, None, None, "high")
    assert [q.feature_id for q in priority_list(store, When(DAY), limit=2).items] == [
        q.feature_id for q in plist.items[:2]
    ]
    assert quarry_progress(store, When(DAY)).city.points == 1


def test_no_districts_is_a_user_error(empty_store):
    with pytest.raises(UserError) as err:
        quarry_progress(empty_store, When(DAY))
    assert "没有行政区边界" in err.value.message("zh")


def test_built_up_districts_missing_is_a_user_error(empty_store):
    store = with_districts(empty_store, EAST)
    put(store, "quarries", [pit("A", pit_east_of_core(1_000))], T0)
    with pytest.raises(UserError) as err:
        assess(store, When(DAY))
    assert "建成区" in err.value.message("zh")


def test_sample_pits_lie_in_the_quarry_hills():
    frame = build().layers["quarries"]
    assert 60 <= len(frame) <= 100
    assert frame["quarry_id"].is_unique
    assert set(frame.geom_type) == {"Polygon", "Point"}
    assert frame.loc[frame["status"] == "treated", "completed_on"].notna().all()


def test_sample_store_has_both_classes_and_all_districts_of_the_hills(sample_store):
    report = quarry_progress(sample_store, When(DAY))
    held = {d.name for d in report.districts if d.totals.count}
    assert held == {"铜山区", "泉山区", "云龙区", "贾汪区", "邳州市", "新沂市"}
    assert report.city.near > 0 and report.city.far > 0 and report.outside_districts == 0


def _file(tmp_path: Path, props: dict) -> Path:
    """A GeoPackage as a field team would send it, Chinese column names and all; the pit lies in
    the hills of 云龙区, inside the sample store's boundaries (imports refuse ground outside)."""
    path = tmp_path / "pits.gpkg"
    pit = shapely.Point(117.30, 34.22).buffer(0.001)
    frame = gpd.GeoDataFrame({k: [v] for k, v in props.items()}, geometry=[pit], crs=4326)
    frame.to_file(path, driver="GPKG")
    return path


def test_import_refuses_an_unknown_hazard_type_in_chinese(sample_store, tmp_path, capsys):
    path = _file(
        tmp_path, {"宕口编号": "X-1", "宕口名称": "某宕口", "灾害类型": "泥石流", "治理状态": "未治理"}
    )
    code = main(["import", str(path), "--layer", "quarries", "--store", sample_store.location])
    err = capsys.readouterr().err
    assert code == 2
    assert "灾害类型" in err and "泥石流" in err and "崩塌、滑坡、无" in err


def test_import_maps_chinese_columns_and_aliases(sample_store, tmp_path):
    props = {"宕口编号": "X-2", "宕口名称": "某宕口", "灾害类型": "崩塌隐患", "受威胁人数": 120,
             "威胁财产（万元）": "35", "治理状态": "已绿化", "完成日期": "2025年4月1日",
             "治理方式": "工程治理"}  # fmt: skip
    path = _file(tmp_path, props)
    assert main(["import", str(path), "--layer", "quarries", "--store", sample_store.location]) == 0
    (item,) = [q for q in assess(sample_store, When(today_cst())) if q.feature_id == "X-2"]
    assert (item.hazard_type, item.threat, item.hazard_level) == ("collapse", "major", "high")
    assert (item.status, item.completed_on, item.measure) == ("treated", dt.date(2025, 4, 1), "engineering")
