"""The rate engine against areas computed independently here: shapely overlays in lon/lat, then
geodesic areas on GRS80 with pyproj.Geod, on tiny real stores.

The helpers at the top (districts, ``zone``, ``parcel``, ``build_store``) are shared with
``test_rate_properties.py``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest
import shapely
from pyproj import Geod
from shapely.geometry import Polygon, box

from xzsdg_geo.dates import start_of_day_utc
from xzsdg_geo.geo import area_ha, geodesic_area_ha
from xzsdg_geo.rates import RateReport, compute_rates
from xzsdg_geo.store import NewFeature, Store, create_store
from xzsdg_geo.when import When, end_of_day

GEOD = Geod(ellps="GRS80")
REL = 1e-5  # hectares agree with the geodesic area to this relative tolerance
BOUNDARIES_FROM = dt.date(2000, 1, 1)
BASE = dt.date(2010, 1, 1)  # when the test zones enter the store unless a test says otherwise
AS_OF = dt.date(2024, 12, 31)

# 鼓楼区 and 云龙区 share a slanted border; 贾汪区 never has zones; 泉山区 sits north of 鼓楼区.
DISTRICTS = {
    "320302": ("鼓楼区", Polygon([(117.0, 34.0), (117.21, 34.0), (117.19, 34.2), (117.0, 34.2)])),
    "320303": ("云龙区", Polygon([(117.21, 34.0), (117.4, 34.0), (117.4, 34.2), (117.19, 34.2)])),
    "320305": ("贾汪区", box(117.4, 34.0, 117.6, 34.2)),
    "320311": ("泉山区", box(117.0, 34.2, 117.2, 34.4)),
}
A, B, EMPTY, D = DISTRICTS


def geodesic_ha(geom: shapely.Geometry) -> float:
    """Reference area: densified so edges keep their lon/lat course, oriented so holes subtract."""
    polys = [p for p in shapely.get_parts(shapely.get_parts(geom)) if p.geom_type == "Polygon"]
    if not polys:
        return 0.0
    shape = shapely.orient_polygons(shapely.segmentize(shapely.MultiPolygon(polys), 0.005))
    return GEOD.geometry_area_perimeter(shape)[0] / 10_000.0


def zone(zone_id: str, geom: shapely.Geometry, recorded: dt.date = BASE) -> NewFeature:
    props = {"zone_id": zone_id, "name": f"沉陷区{zone_id}", "severity": "moderate"}
    return NewFeature(zone_id, geom, props, start_of_day_utc(recorded))


def parcel(
    parcel_id: str,
    geom: shapely.Geometry,
    *,
    status: str = "completed",
    completed_on: dt.date | None = dt.date(2020, 6, 1),
    recorded: dt.date | None = None,
) -> NewFeature:
    """A parcel entered in the store on ``recorded`` (default: its completion day, else BASE)."""
    props = {
        "parcel_id": parcel_id,
        "name": f"修复地块{parcel_id}",
        "status": status,
        "measure": "wetland",
        "completed_on": completed_on,
    }
    return NewFeature(parcel_id, geom, props, start_of_day_utc(recorded or completed_on or BASE))


def build_store(path: Path | str, zones=(), parcels=()) -> Store:
    """A real GeoPackage store holding the test districts, ``zones`` and ``parcels``."""
    store = create_store(str(path))
    districts = [NewFeature(a, g, {"adcode": a, "name": n}) for a, (n, g) in DISTRICTS.items()]
    store.write_features(
        "districts", districts, by="test", source="test", valid_from=start_of_day_utc(BOUNDARIES_FROM)
    )
    for layer, features in (("subsidence_zones", zones), ("restoration_parcels", parcels)):
        if features:
            store.write_features(layer, list(features), by="test", source="test")
    return store


def expected_ha(zones: list, counted: list) -> dict[str, tuple[float, float]]:
    """(zone ha, restored ha) per district by plain overlay: Z = ∪zones ∩ d, R = ∪counted ∩ Z."""
    zone_union = shapely.union_all(zones)
    restored = shapely.union_all(counted)
    out = {}
    for adcode, (_, district) in DISTRICTS.items():
        z = shapely.intersection(district, zone_union)
        out[adcode] = (geodesic_ha(z), geodesic_ha(shapely.intersection(restored, z)))
    return out


def by_adcode(report: RateReport) -> dict:
    return {d.adcode: d for d in report.districts}


def assert_matches(report: RateReport, expected: dict[str, tuple[float, float]]) -> None:
    rows = by_adcode(report)
    for adcode, (zone_ha, restored_ha) in expected.items():
        assert rows[adcode].zone_ha == pytest.approx(zone_ha, rel=REL), adcode
        assert rows[adcode].restored_ha == pytest.approx(restored_ha, rel=REL), adcode
    assert report.city.zone_ha == pytest.approx(sum(z for z, _ in expected.values()), rel=REL)
    assert report.city.restored_ha == pytest.approx(sum(r for _, r in expected.values()), rel=REL)


@pytest.fixture
def store_with(tmp_path: Path):
    """``store_with(zones=..., parcels=...)``: a fresh store, closed after the test."""
    opened = []

    def make(zones=(), parcels=()) -> Store:
        opened.append(build_store(tmp_path / f"s{len(opened)}.gpkg", zones, parcels))
        return opened[-1]

    yield make
    for store in opened:
        store.close()


def test_area_functions_agree_with_the_reference_for_holes_and_any_ring_direction():
    shell, hole = box(117.02, 34.02, 117.10, 34.08), box(117.05, 34.04, 117.07, 34.06)
    holed = Polygon(shell.exterior.coords, [hole.exterior.coords])  # both rings counter-clockwise
    mixed = shapely.MultiPolygon([shell, Polygon(box(117.2, 34.0, 117.3, 34.1).exterior.coords[::-1])])
    for geom in (holed, mixed, shapely.orient_polygons(holed, exterior_cw=True)):
        assert geodesic_area_ha(geom) == pytest.approx(geodesic_ha(geom), rel=1e-12)
        assert area_ha([geom])[0] == pytest.approx(geodesic_ha(geom), rel=REL)
    assert geodesic_ha(holed) == pytest.approx(geodesic_ha(shell) - geodesic_ha(hole), rel=1e-12)


def test_zone_across_a_border_is_split_by_area(store_with):
    crossing = Polygon([(117.15, 34.05), (117.26, 34.07), (117.24, 34.12), (117.16, 34.11)])
    done = box(117.18, 34.06, 117.23, 34.09)
    store = store_with([zone("Z1", crossing)], [parcel("P1", done)])
    report = compute_rates(store, When(AS_OF))
    expected = expected_ha([crossing], [done])
    assert expected[A][0] > 0 and expected[B][0] > 0 and expected[A][1] > 0 and expected[B][1] > 0
    assert_matches(report, expected)
    rows = by_adcode(report)
    assert rows[A].zone_ha + rows[B].zone_ha == pytest.approx(geodesic_ha(crossing), rel=REL)


def test_overlapping_zones_and_parcels_count_once(store_with):
    zones = [box(117.02, 34.02, 117.08, 34.08), box(117.05, 34.05, 117.12, 34.10)]
    parcels = [box(117.03, 34.03, 117.07, 34.07), box(117.06, 34.04, 117.10, 34.09)]
    store = store_with(
        [zone(f"Z{i}", g) for i, g in enumerate(zones)], [parcel(f"P{i}", g) for i, g in enumerate(parcels)]
    )
    report = compute_rates(store, When(AS_OF))
    expected = expected_ha(zones, parcels)
    assert_matches(report, expected)
    assert expected[A][0] < sum(geodesic_ha(g) for g in zones)
    assert expected[A][1] < sum(
        geodesic_ha(shapely.intersection(g, shapely.union_all(zones))) for g in parcels
    )


def test_restored_ground_outside_zones_never_counts(store_with):
    z = box(117.05, 34.05, 117.10, 34.10)
    reaching_out = Polygon([(117.08, 34.07), (117.14, 34.06), (117.13, 34.13), (117.07, 34.12)])
    far_away = box(117.30, 34.10, 117.35, 34.15)  # restored, but in 云龙区 where no zone lies
    store = store_with([zone("Z1", z)], [parcel("P1", reaching_out), parcel("P2", far_away)])
    report = compute_rates(store, When(AS_OF))
    expected = expected_ha([z], [reaching_out, far_away])
    assert_matches(report, expected)
    assert expected[A][1] == pytest.approx(geodesic_ha(shapely.intersection(reaching_out, z)), rel=1e-12)
    assert by_adcode(report)[B].rate_pct is None


def test_a_zone_hole_is_not_subsidence(store_with):
    shell, hole = box(117.02, 34.02, 117.10, 34.08), box(117.05, 34.04, 117.07, 34.06)
    holed = Polygon(shell.exterior.coords, [hole.exterior.coords])
    in_hole = box(117.055, 34.045, 117.065, 34.055)
    store = store_with([zone("Z1", holed)], [parcel("P1", in_hole)])
    assert by_adcode(compute_rates(store, When(AS_OF)))[A].restored_ha == 0.0

    over_hole = box(117.04, 34.03, 117.08, 34.07)
    store = store_with([zone("Z1", holed)], [parcel("P1", in_hole), parcel("P2", over_hole)])
    report = compute_rates(store, When(AS_OF))
    expected = expected_ha([holed], [over_hole])
    assert_matches(report, expected)
    assert expected[A][0] == pytest.approx(geodesic_ha(shell) - geodesic_ha(hole), rel=1e-9)
    assert expected[A][1] == pytest.approx(geodesic_ha(over_hole) - geodesic_ha(hole), rel=1e-9)


def test_multipart_zone(store_with):
    lobes = shapely.MultiPolygon(
        [box(117.02, 34.12, 117.06, 34.16), Polygon([(117.17, 34.13), (117.24, 34.14), (117.22, 34.18)])]
    )
    spanning = box(117.04, 34.13, 117.22, 34.15)  # covers both lobes and the ground between them
    store = store_with([zone("Z1", lobes)], [parcel("P1", spanning)])
    report = compute_rates(store, When(AS_OF))
    expected = expected_ha([lobes], [spanning])
    assert_matches(report, expected)
    assert expected[A][1] < geodesic_ha(spanning) / 2


def test_invalid_self_touching_zone_still_counts(store_with):
    """A bow-tie zone with a dangling spike is repaired, not dropped."""
    bowtie = Polygon(
        [(117.02, 34.02), (117.06, 34.06), (117.06, 34.02), (117.02, 34.06), (117.02, 34.04),
         (117.01, 34.04), (117.02, 34.04), (117.02, 34.02)]
    )  # fmt: skip
    store = store_with([zone("Z1", bowtie)], [parcel("P1", box(117.0, 34.0, 117.04, 34.08))])
    report = compute_rates(store, When(AS_OF))
    assert_matches(report, expected_ha([shapely.make_valid(bowtie)], [box(117.0, 34.0, 117.04, 34.08)]))
    assert by_adcode(report)[A].rate_pct == pytest.approx(50.0, abs=0.1)


def test_only_completed_parcels_completed_by_the_date_count(store_with):
    z = box(117.02, 34.02, 117.12, 34.10)
    strips = [box(117.02 + 0.02 * i, 34.02, 117.04 + 0.02 * i, 34.10) for i in range(5)]
    store = store_with(
        [zone("Z1", z)],
        [
            parcel("done", strips[0]),
            parcel("on_the_day", strips[1], completed_on=AS_OF),
            parcel("building", strips[2], status="in_progress", completed_on=None),
            parcel("planned", strips[3], status="planned", completed_on=None),
            parcel("next_year", strips[4], completed_on=dt.date(2025, 3, 1), recorded=dt.date(2024, 6, 1)),
        ],
    )
    assert_matches(compute_rates(store, When(AS_OF)), expected_ha([z], strips[:2]))
    assert_matches(compute_rates(store, When(dt.date(2024, 12, 30))), expected_ha([z], strips[:1]))
    assert_matches(
        compute_rates(store, When(dt.date(2025, 3, 1))), expected_ha([z], [strips[0], strips[1], strips[4]])
    )


def test_district_without_zones_has_no_rate(store_with):
    z = box(117.02, 34.02, 117.10, 34.08)
    report = compute_rates(
        store_with([zone("Z1", z)], [parcel("P1", box(117.45, 34.05, 117.5, 34.1))]), When(AS_OF)
    )
    empty = by_adcode(report)[EMPTY]
    assert (empty.zone_ha, empty.restored_ha) == (0.0, 0.0)
    assert empty.rate_pct is None and empty.gap_ha is None and empty.on_track is None
    assert empty.pace_ha_per_year is None and empty.reaches_target_in is None
    assert empty.name == "贾汪区" and empty.target_pct == 75.2
    assert report.city.rate_pct == 0.0


def test_a_store_without_zones_yet_says_when_they_were_first_recorded(store_with):
    """Record time: before the zones were loaded the store held none, and says when they came. As
    known now, a zone with no designation date counts from the start (two clocks)."""
    late = dt.date(2025, 1, 1)
    store = store_with([zone("Z1", box(117.02, 34.02, 117.10, 34.08), recorded=late)])
    before = compute_rates(store, When(AS_OF, end_of_day(AS_OF)))
    assert before.city.zone_ha == 0.0 and before.city.rate_pct is None and before.city.gap_ha is None
    assert before.zones_first_recorded == start_of_day_utc(late)
    known = compute_rates(store, When(AS_OF))
    assert known.city.zone_ha > 0 and known.zones_first_recorded is None


def without_record_time(report: RateReport) -> dict:
    out = report.to_dict()
    del out["as_recorded"]
    return out


def test_later_records_change_the_past_as_known_but_not_as_recorded(store_with):
    z = box(117.02, 34.02, 117.12, 34.10)
    first, late, later = (
        box(117.02, 34.02, 117.05, 34.10),
        box(117.06, 34.02, 117.08, 34.10),
        box(117.09, 34.02, 117.11, 34.10),
    )
    store = store_with([zone("Z1", z)], [parcel("P1", first, completed_on=dt.date(2022, 5, 1))])
    before = without_record_time(compute_rates(store, When(AS_OF)))

    # completed in 2024 but only approved into the store the next morning, or months later
    store.write_features(
        "restoration_parcels",
        [
            parcel("P2", late, completed_on=dt.date(2024, 6, 1), recorded=AS_OF + dt.timedelta(days=1)),
            parcel("P3", later, completed_on=dt.date(2024, 7, 1), recorded=dt.date(2025, 4, 1)),
        ],
        by="test",
        source="test",
    )
    # a zone redrawn and a parcel enlarged after the date
    bigger_zone, bigger_first = box(117.0, 34.0, 117.15, 34.15), box(117.02, 34.02, 117.055, 34.10)
    store.write_features(
        "subsidence_zones", [zone("Z1", bigger_zone, recorded=dt.date(2025, 5, 1))],
        by="test", source="test",
    )  # fmt: skip
    store.write_features(
        "restoration_parcels",
        [parcel("P1", bigger_first, completed_on=dt.date(2022, 5, 1), recorded=dt.date(2025, 5, 1))],
        by="test", source="test",
    )  # fmt: skip
    as_recorded = compute_rates(store, When(AS_OF, end_of_day(AS_OF)))
    assert without_record_time(as_recorded) == before
    assert_matches(as_recorded, expected_ha([z], [first]))
    recorded_jan = When(dt.date(2025, 1, 1), end_of_day(dt.date(2025, 1, 1)))
    assert_matches(compute_rates(store, recorded_jan), expected_ha([z], [first, late]))
    recorded_apr = When(dt.date(2025, 4, 1), end_of_day(dt.date(2025, 4, 1)))
    assert_matches(compute_rates(store, recorded_apr), expected_ha([z], [first, late, later]))
    # as known now, the 2024 figure has every parcel completed in 2024, in the redrawn zone
    assert_matches(compute_rates(store, When(AS_OF)), expected_ha([bigger_zone], [bigger_first, late, later]))


def test_city_totals_targets_and_gaps(store_with):
    za, zb = box(117.02, 34.02, 117.12, 34.10), box(117.25, 34.02, 117.35, 34.10)
    ra, rb = box(117.02, 34.02, 117.10, 34.10), box(117.25, 34.02, 117.30, 34.10)  # 80 % and 50 %
    store = store_with([zone("ZA", za), zone("ZB", zb)], [parcel("PA", ra), parcel("PB", rb)])
    report = compute_rates(store, When(AS_OF))
    expected = expected_ha([za, zb], [ra, rb])
    assert_matches(report, expected)
    zone_ha, restored_ha = sum(z for z, _ in expected.values()), sum(r for _, r in expected.values())
    assert report.target_pct == 75.2 and report.final_target_pct == 78.0 and report.final_year == 2027
    assert report.city.rate_pct == pytest.approx(100 * restored_ha / zone_ha, rel=REL)
    assert report.city.gap_ha == pytest.approx(max(0.0, 0.752 * zone_ha - restored_ha), rel=1e-4)
    rows = by_adcode(report)
    assert rows[A].rate_pct == pytest.approx(80.0, abs=0.01) and rows[A].on_track is True
    assert rows[A].gap_ha == 0.0
    assert rows[B].rate_pct == pytest.approx(50.0, abs=0.01) and rows[B].on_track is False
    assert rows[B].gap_ha == pytest.approx(0.752 * expected[B][0] - expected[B][1], rel=1e-4)

    assert compute_rates(store, When(dt.date(2027, 6, 30))).target_pct == 78.0
    assert compute_rates(store, When(dt.date(2031, 1, 1))).target_pct == 78.0  # the last target stays
    early = compute_rates(store, When(dt.date(2023, 12, 31)))
    assert early.target_pct is None and early.city.gap_ha is None and by_adcode(early)[A].on_track is None


def _strips(outline: shapely.Geometry, cuts: list[float]) -> list[shapely.Geometry]:
    """``outline`` (a lon/lat box) cut at fractions of its width; area shares equal the fractions."""
    minx, miny, maxx, maxy = outline.bounds
    xs = [minx + f * (maxx - minx) for f in cuts]
    return [box(x0, miny, x1, maxy) for x0, x1 in itertools.pairwise(xs)]


def test_pace_and_the_year_the_final_target_is_reached(store_with):
    za, zb, zd = (
        box(117.02, 34.02, 117.12, 34.10),
        box(117.25, 34.02, 117.35, 34.10),
        box(117.02, 34.22, 117.12, 34.30),
    )
    old, recent = dt.date(2019, 5, 1), dt.date(2023, 5, 1)
    a_old, a_new = _strips(za, [0.0, 0.69, 0.75])  # 6 % in 3 years; 3 % still to go: 1.5 years
    b_old, b_new = _strips(zb, [0.0, 0.60, 0.66])  # 6 % in 3 years; 12 % to go: 6 years
    (d_all,) = _strips(zd, [0.0, 0.80])  # already above 78 %, all of it long ago
    store = store_with(
        [zone("ZA", za), zone("ZB", zb), zone("ZD", zd)],
        [
            parcel("A-old", a_old, completed_on=old),
            parcel("A-new", a_new, completed_on=recent),
            parcel("B-old", b_old, completed_on=old),
            parcel("B-new", b_new, completed_on=dt.date(2022, 6, 1)),
            parcel("D", d_all, completed_on=old),
        ],
    )
    rows = by_adcode(compute_rates(store, When(AS_OF)))
    assert rows[A].pace_ha_per_year == pytest.approx(geodesic_ha(a_new) / 3, rel=REL)
    assert rows[A].reaches_target_in == 2026
    assert rows[B].pace_ha_per_year == pytest.approx(geodesic_ha(b_new) / 3, rel=REL)
    assert rows[B].reaches_target_in is None  # 2030 at this pace: not by 2027
    assert rows[D].pace_ha_per_year == 0.0
    assert rows[D].reaches_target_in == 2024
    assert rows[D].rate_pct == pytest.approx(80.0, abs=0.01)
