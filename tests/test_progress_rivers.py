"""River segments: geodesic lengths, the district holding most of a segment, acceptance over time,
the water-quality share, the 125-by-2027 target, the sample, and bad input refused at import."""

from __future__ import annotations

import dataclasses
import datetime as dt

import geopandas as gpd
import pytest
from shapely.geometry import LineString
from test_progress_support import CORE, EAST, GEOD, put, with_districts

from xzsdg_geo.cli import main
from xzsdg_geo.progress import progress_rules
from xzsdg_geo.progress.rivers import assess, river_progress
from xzsdg_geo.sample import build
from xzsdg_geo.when import When, end_of_day

T0 = dt.date(2020, 1, 1)
DAY = dt.date(2026, 6, 30)
# Mostly in the core (117.07-117.10 of 117.07-117.11), mostly east (117.10-117.20 of 117.08-117.20).
WEST_HEAVY = LineString([(117.07, 34.05), (117.09, 34.06), (117.11, 34.05)])
EAST_HEAVY = LineString([(117.08, 34.02), (117.20, 34.03)])
NORTH = LineString([(117.02, 34.08), (117.03, 34.09)])


def seg(fid: str, line: LineString, **props) -> tuple[str, LineString, dict]:
    base = {"segment_id": fid, "river": "故黄河", "name": f"故黄河{fid}", "happy_status": "building"}
    return fid, line, base | props


def geodesic_m(line: LineString) -> float:
    lons, lats = zip(*line.coords, strict=True)
    return GEOD.line_length(lons, lats)


@pytest.fixture
def rivers(empty_store):
    store = with_districts(empty_store)
    put(store, "river_segments", [
        seg("W", WEST_HEAVY, happy_status="accepted", accepted_year=2025, water_class="I",
            score_safety=90.0, score_health=80.0),
        seg("E", EAST_HEAVY, happy_status="accepted", accepted_year=2022, water_class="III",
            score_safety=70.0),
        seg("N", NORTH, happy_status="not_started", water_class="IV"),
        seg("U", LineString([(117.3, 34.05), (117.31, 34.05)]), happy_status="accepted"),
    ], T0)  # fmt: skip
    return store


def test_lengths_are_geodesic(rivers):
    items = {s.feature_id: s for s in assess(rivers, When(DAY))}
    assert items["W"].length_m == pytest.approx(geodesic_m(WEST_HEAVY), abs=1e-6)
    assert items["E"].length_m == pytest.approx(geodesic_m(EAST_HEAVY), abs=1e-6)


def test_a_segment_belongs_to_the_district_holding_most_of_it(rivers):
    report = river_progress(rivers, When(DAY))
    rows = {d.adcode: d.totals for d in report.districts}
    assert {s.feature_id: s.adcode for s in report.items} == {
        "W": CORE[0],
        "E": EAST[0],
        "N": CORE[0],
        "U": EAST[0],
    }
    assert rows[CORE[0]].count == 2 and rows[EAST[0]].count == 2
    core_km = (geodesic_m(WEST_HEAVY) + geodesic_m(NORTH)) / 1000
    assert rows[CORE[0]].length_km == pytest.approx(core_km)
    assert report.city.length_km == pytest.approx(sum(r.length_km for r in rows.values()))


def test_acceptance_counts_from_its_year(rivers):
    def accepted(day):
        return {s.feature_id for s in assess(rivers, When(day)) if s.status == "accepted"}

    assert accepted(dt.date(2021, 12, 31)) == set()
    assert accepted(dt.date(2022, 1, 1)) == {"E"}
    assert accepted(dt.date(2024, 12, 31)) == {"E"}
    assert accepted(dt.date(2025, 3, 1)) == {"E", "W"}
    city = river_progress(rivers, When(DAY)).city
    assert (city.accepted, city.building, city.not_started, city.undated) == (2, 1, 1, 1)  # U has no year
    assert city.accepted_pct == 50.0
    assert river_progress(rivers, When(dt.date(2024, 12, 31))).city.building == 2  # W was still being built


def test_status_change_recorded_later_takes_effect_on_its_date(rivers):
    line = LineString([(117.04, 34.03), (117.05, 34.03)])
    put(rivers, "river_segments", [seg("X", line)], dt.date(2023, 1, 1))
    put(
        rivers,
        "river_segments",
        [seg("X", line, happy_status="accepted", accepted_year=2026)],
        dt.date(2026, 5, 1),
    )
    days = {2022: dt.date(2022, 6, 1), 2025: dt.date(2026, 4, 30), 2026: dt.date(2026, 5, 1)}

    def status(known_at):
        return {
            y: {s.feature_id: s.status for s in assess(rivers, When(d, known_at(d)))}.get("X")
            for y, d in days.items()
        }

    # as recorded on each day: not yet in the store, then building, then accepted
    assert status(end_of_day) == {2022: None, 2025: "building", 2026: "accepted"}
    # as known now: the segment is a segment all along, accepted in 2026 (a year, not a day)
    assert status(lambda d: None) == {2022: "building", 2025: "accepted", 2026: "accepted"}


def test_water_share_and_scores(rivers):
    city = river_progress(rivers, When(DAY)).city
    assert (city.classified, city.good_water) == (3, 2)
    assert city.good_water_pct == pytest.approx(200 / 3)
    assert city.scored == 2
    assert city.mean_scores["safety"] == pytest.approx(80.0)
    assert city.mean_scores["health"] == pytest.approx(80.0)
    assert city.mean_scores["culture"] is None


def test_target_of_125_by_2027(rivers):
    target = river_progress(rivers, When(dt.date(2026, 12, 31))).target
    assert (target.target_accepted, target.target_year, target.accepted) == (125, 2027, 2)
    assert target.remaining == 123 and not target.met
    assert target.needed_per_year == pytest.approx(123 / (365 / 365.25))
    assert target.good_water_target_pct == 93.3 and target.good_water_met is False
    assert river_progress(rivers, When(dt.date(2024, 12, 31))).target.good_water_target_pct is None
    rules = progress_rules()
    easy = dataclasses.replace(rules, rivers=dataclasses.replace(rules.rivers, target_accepted=2))
    met = river_progress(rivers, When(DAY), easy).target
    assert met.met and met.remaining == 0 and met.needed_per_year is None


def test_sample_has_exactly_125_segments_all_in_districts(sample_store):
    assert len(build().layers["river_segments"]) == 125
    report = river_progress(sample_store, When(DAY))
    assert report.city.count == 125 and report.outside_districts == 0
    assert sum(d.totals.count for d in report.districts) == 125
    assert 0 < report.city.accepted < 125


def test_import_refuses_an_unknown_water_class_in_chinese(sample_store, tmp_path, capsys):
    path = tmp_path / "rivers.gpkg"
    props = {"河段编号": ["R-1"], "河湖名称": ["奎河"], "河段名称": ["奎河一段"], "水质类别": ["六类"],
             "幸福河湖状态": ["建设中"]}  # fmt: skip
    gpd.GeoDataFrame(props, geometry=[WEST_HEAVY], crs=4326).to_file(path, driver="GPKG")
    assert main(["import", str(path), "--layer", "river_segments", "--store", sample_store.location]) == 2
    err = capsys.readouterr().err
    assert "水质类别" in err and "六类" in err and "劣Ⅴ类" in err
