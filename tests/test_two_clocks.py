"""Two clocks: real-world time (completion, designation, retirement dates) and record time (what the
store held at an instant), on real stores of both backends.

The oracle is independent of the engine: shapely unions and clips in lon/lat, then geodesic areas
on GRS80 with ``pyproj.Geod.geometry_area_perimeter``.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import geopandas as gpd
import psycopg
import pytest
import shapely
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pyproj import Geod
from shapely.geometry import Polygon, box

from xzsdg_geo.dates import CST, start_of_day_utc
from xzsdg_geo.errors import UserError
from xzsdg_geo.rates import RateReport, compute_rates
from xzsdg_geo.services import reported, review
from xzsdg_geo.services.accounts import add_user
from xzsdg_geo.services.auth import principal_of
from xzsdg_geo.store import NewFeature, Store, create_store, open_store
from xzsdg_geo.when import When, end_of_day, parse_instant

GEOD = Geod(ellps="GRS80")
REL = 1e-5
# Two districts sharing a slanted border, inside Xuzhou.
DISTRICTS = {
    "320302": ("鼓楼区", Polygon([(117.0, 34.0), (117.21, 34.0), (117.19, 34.2), (117.0, 34.2)])),
    "320303": ("云龙区", Polygon([(117.21, 34.0), (117.4, 34.0), (117.4, 34.2), (117.19, 34.2)])),
}
ZONES = {
    "Z-W": box(117.02, 34.02, 117.16, 34.12),
    "Z-X": box(117.14, 34.05, 117.30, 34.15),  # across the border, overlapping Z-W
}
YEARS = range(2012, 2027)


def geodesic_ha(geom: shapely.Geometry) -> float:
    """Geodesic area of the ground whose edges follow their lon/lat course (densified to 0.005°,
    the stored edges being straight in lon/lat), rings oriented so holes subtract."""
    polys = [p for p in shapely.get_parts(shapely.get_parts(geom)) if p.geom_type == "Polygon"]
    if not polys:
        return 0.0
    shape = shapely.orient_polygons(shapely.segmentize(shapely.MultiPolygon(polys), 0.001))
    return GEOD.geometry_area_perimeter(shape)[0] / 10_000


def strip(i: int) -> shapely.Geometry:
    """The i-th parcel: disjoint north-south strips, the last ones reaching outside every zone."""
    west = 117.03 + 0.018 * i
    return box(west, 34.0, west + 0.012, 34.13)


def completed(year: int) -> dt.date:
    return dt.date(year, 6, 15)


def oracle(zones: list[shapely.Geometry], restored: list[shapely.Geometry]) -> dict[str, tuple[float, float]]:
    """(zone ha, restored ha) per district: Z = ∪zones ∩ d, R = ∪restored ∩ Z."""
    zone_union = shapely.union_all(zones) if zones else shapely.Polygon()
    done = shapely.union_all(restored) if restored else shapely.Polygon()
    out = {}
    for adcode, (_, district) in DISTRICTS.items():
        z = shapely.intersection(district, zone_union)
        out[adcode] = (geodesic_ha(z), geodesic_ha(shapely.intersection(done, z)))
    return out


def assert_matches(report: RateReport, expected: dict[str, tuple[float, float]]) -> None:
    rows = {d.adcode: d for d in report.districts}
    for adcode, (zone_ha, restored_ha) in expected.items():
        assert rows[adcode].zone_ha == pytest.approx(zone_ha, rel=REL, abs=1e-6), adcode
        assert rows[adcode].restored_ha == pytest.approx(restored_ha, rel=REL, abs=1e-6), adcode


def put_districts(store: Store, stamp: str | None = None) -> None:
    features = [NewFeature(a, g, {"adcode": a, "name": n}) for a, (n, g) in DISTRICTS.items()]
    store.write_features("districts", features, by="test", source="test", valid_from=stamp)


def zone(zone_id: str, geom, designated_on=None, retired_on=None) -> NewFeature:
    props = {"zone_id": zone_id, "name": zone_id, "severity": "severe",
             "designated_on": designated_on, "retired_on": retired_on}  # fmt: skip
    return NewFeature(zone_id, geom, props)


def parcel(parcel_id: str, geom, completed_on: dt.date | None, status: str = "completed") -> NewFeature:
    day = completed_on.isoformat() if completed_on else None
    props = {
        "parcel_id": parcel_id,
        "name": parcel_id,
        "status": status,
        "completed_on": day,
        "measure": "wetland",
    }
    return NewFeature(parcel_id, geom, props)


# -- an inventory imported today ------------------------------------------------------------------
def write_inventory(tmp_path: Path) -> tuple[Path, Path]:
    """The bureau's files: zones, and one parcel completed each year 2012–2026 (Chinese headers)."""
    zones = gpd.GeoDataFrame(
        {
            "编号": list(ZONES),
            "名称": ["西区沉陷区", "跨界沉陷区"],
            "程度": ["重度", "轻度"],
            "认定日期": [None, "2013年4月1日"],  # the cross-border zone entered the inventory in 2013
        },
        geometry=list(ZONES.values()),
        crs="EPSG:4490",
    )
    parcels = gpd.GeoDataFrame(
        {
            "地块编号": [f"P{y}" for y in YEARS],
            "地块名称": [f"{y}年地块" for y in YEARS],
            "状态": ["已完成"] * len(YEARS),
            "完成日期": [completed(y).isoformat() for y in YEARS],
            "治理方式": ["湿地"] * len(YEARS),
        },
        geometry=[strip(i) for i in range(len(YEARS))],
        crs="EPSG:4490",
    )
    zones.to_file(tmp_path / "zones.geojson")
    parcels.to_file(tmp_path / "parcels.geojson")
    return tmp_path / "zones.geojson", tmp_path / "parcels.geojson"


def zones_on(year: int) -> list[shapely.Geometry]:
    """The imported zones in the inventory at the end of ``year``."""
    return [ZONES["Z-W"]] + ([ZONES["Z-X"]] if year >= 2013 else [])


def test_an_inventory_imported_today_gives_every_years_rate(empty_store, run, tmp_path):
    put_districts(empty_store)
    zones_file, parcels_file = write_inventory(tmp_path)
    for path, layer in ((zones_file, "subsidence_zones"), (parcels_file, "restoration_parcels")):
        code, _, err = run("import", path, "--layer", layer, "--store", empty_store.location)
        assert code == 0, err
    for year in range(2011, 2028):
        code, out, err = run("rates", "--year", year, "--store", empty_store.location, "--json")
        assert code == 0, err
        report = json.loads(out)
        assert (report["as_of"], report["as_recorded"]) == (f"{year}-12-31", None)
        done = [strip(i) for i, y in enumerate(YEARS) if y <= year]
        expected = oracle(zones_on(year), done)
        rows = {d["adcode"]: d for d in report["districts"]}
        for adcode, (zone_ha, restored_ha) in expected.items():
            assert rows[adcode]["zone_ha"] == pytest.approx(zone_ha, rel=REL), (year, adcode)
            assert rows[adcode]["restored_ha"] == pytest.approx(restored_ha, rel=REL, abs=1e-6), (
                year,
                adcode,
            )
        assert report["zones_first_recorded"] is None
    # the pace is real-world too: three years of strips, not the one day they were imported
    pace = json.loads(run("rates", "--year", 2020, "--store", empty_store.location, "--json")[1])
    gained = {
        a: oracle(zones_on(2020), [strip(i) for i, y in enumerate(YEARS) if y <= 2020])[a][1]
        - oracle(zones_on(2017), [strip(i) for i, y in enumerate(YEARS) if y <= 2017])[a][1]
        for a in DISTRICTS
    }
    for d in pace["districts"]:
        assert d["pace_ha_per_year"] == pytest.approx(gained[d["adcode"]] / 3, rel=1e-4)
    # as recorded yesterday, the store held nothing yet
    yesterday = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).isoformat()
    code, out, err = run("rates", "--year", 2020, "--as-recorded", yesterday, "--store", empty_store.location)
    assert code != 0 and out == ""  # no district boundaries then: one line saying so
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


# -- a late approval --------------------------------------------------------------------------
def test_a_late_approval_changes_the_past_as_known_now_not_as_recorded_before(empty_store):
    put_districts(empty_store)
    empty_store.write_features("subsidence_zones", [zone(z, g) for z, g in ZONES.items()], by="t", source="t")
    empty_store.write_features(
        "restoration_parcels", [parcel("P1", strip(0), completed(2018))], by="t", source="t"
    )
    add_user(empty_store, None, "admin", "admin", "pw-admin-1234")
    add_user(empty_store, principal_of(empty_store, "admin"), "reviewer", "reviewer", "pw-reviewer-1234")
    add_user(empty_store, principal_of(empty_store, "admin"), "field", "field_team", "pw-field-1234")

    # completed in June 2020, reported and approved only now
    late = parcel("P2", strip(3), completed(2020))
    upload = empty_store.add_upload(
        b"bytes", "late.geojson", "restoration_parcels", "field", True, {"ok": True}
    )
    sub = empty_store.add_submission("restoration_parcels", upload.id, [late], by="field")
    before_approval = dt.datetime.now(dt.UTC)
    published = compute_rates(empty_store, When(dt.date(2020, 12, 31)))
    review.decide(empty_store, principal_of(empty_store, "reviewer"), sub.id, "approve", "同意")

    year_2020 = dt.date(2020, 12, 31)
    now = compute_rates(empty_store, When(year_2020))
    assert_matches(now, oracle(list(ZONES.values()), [strip(0), strip(3)]))
    then = compute_rates(empty_store, When(year_2020, before_approval))
    assert_matches(then, oracle(list(ZONES.values()), [strip(0)]))
    assert [d.restored_ha for d in then.districts] == [d.restored_ha for d in published.districts]
    assert then.to_dict()["as_recorded"] == before_approval.astimezone(CST).isoformat()
    # and the year before it was completed is the same on both clocks
    assert_matches(
        compute_rates(empty_store, When(dt.date(2019, 12, 31))), oracle(list(ZONES.values()), [strip(0)])
    )

    # History's "as reported on": the figures then beside today's, and the approval that explains them
    comparison = reported.compare(
        empty_store, principal_of(empty_store, "reviewer"), year_2020, before_approval
    )
    assert comparison.then.city.restored_ha == then.city.restored_ha
    assert comparison.now.city.restored_ha == now.city.restored_ha > then.city.restored_ha
    assert [(e.action, e.submission_id, e.feature_ids) for e in comparison.changes] == [
        ("approve", sub.id, ["P2"])
    ]
    with pytest.raises(UserError):  # reading the log is for reviewers, heads and admins
        reported.compare(empty_store, principal_of(empty_store, "field"), year_2020, before_approval)

    # undoing the approval takes it out again as known now; as recorded in between, it stays
    between = dt.datetime.now(dt.UTC)
    review.undo(empty_store, principal_of(empty_store, "reviewer"), sub.id)
    assert_matches(compute_rates(empty_store, When(year_2020)), oracle(list(ZONES.values()), [strip(0)]))
    assert_matches(
        compute_rates(empty_store, When(year_2020, between)),
        oracle(list(ZONES.values()), [strip(0), strip(3)]),
    )


# -- zones' real-world dates ----------------------------------------------------------------------
def test_a_zone_retired_in_2024_leaves_the_denominator_from_its_date(empty_store):
    put_districts(empty_store)
    west, across = ZONES["Z-W"], ZONES["Z-X"]
    empty_store.write_features(
        "subsidence_zones",
        [zone("Z-W", west), zone("Z-X", across, designated_on="2016-04-01", retired_on="2024-03-01")],
        by="t",
        source="t",
    )
    empty_store.write_features(
        "restoration_parcels", [parcel("P1", strip(2), completed(2013))], by="t", source="t"
    )

    def rate_on(day: dt.date) -> RateReport:
        return compute_rates(empty_store, When(day))

    assert_matches(rate_on(dt.date(2015, 12, 31)), oracle([west], [strip(2)]))  # not designated yet
    assert_matches(rate_on(dt.date(2016, 4, 1)), oracle([west, across], [strip(2)]))
    assert_matches(rate_on(dt.date(2023, 12, 31)), oracle([west, across], [strip(2)]))
    assert_matches(rate_on(dt.date(2024, 2, 29)), oracle([west, across], [strip(2)]))
    for day in (dt.date(2024, 3, 1), dt.date(2024, 12, 31), dt.date(2026, 6, 30)):
        assert_matches(rate_on(day), oracle([west], [strip(2)]))
    # the 3-year pace of 2026 compares with 2023, when the zone was still in: its ground is not "lost"
    assert rate_on(dt.date(2026, 12, 31)).city.zone_ha < rate_on(dt.date(2023, 12, 31)).city.zone_ha


def test_the_cli_reads_both_clocks_and_refuses_a_bad_instant(empty_store, run):
    put_districts(empty_store)
    empty_store.write_features("subsidence_zones", [zone("Z-W", ZONES["Z-W"])], by="t", source="t")
    location = empty_store.location
    args = ("--as-of", "2025-06-30", "--as-recorded", "2099-01-15T09:30", "--store", location, "--json")
    code, out, _ = run("rates", *args)
    assert code == 0
    assert (json.loads(out)["as_of"], json.loads(out)["as_recorded"]) == (
        "2025-06-30",
        "2099-01-15T09:30:00+08:00",
    )
    code, out, _ = run("progress", "--layer", "quarries", "--year", 2025, "--as-recorded", "2099-01-15",
                       "--store", location, "--json")  # fmt: skip
    assert code == 0 and json.loads(out)["as_recorded"] == "2099-01-15T23:59:59.999999+08:00"
    for bad in ("2026-02-30", "昨天", "2026-01-15T25:00"):
        code, out, err = run("rates", "--as-recorded", bad, "--store", location)
        assert code != 0 and out == "" and "记录时间无法识别" in err and "Traceback" not in err


ROWS_SQL = "SELECT fid, feature_id, version, valid_from, valid_to FROM subsidence_zones ORDER BY fid"


def _as_an_older_release_made_it(location: str) -> list[tuple]:
    """Drop the zone dates' columns (and what depends on them) as a store made before them lacks
    them; returns every stored zone version's identity and record times."""
    if "://" not in location:
        conn = sqlite3.connect(location)
        conn.execute('DROP VIEW "subsidence_zones_current"')
        conn.execute('DROP TRIGGER "subsidence_zones_close_only"')
        for column in ("designated_on", "retired_on"):
            conn.execute(f'ALTER TABLE subsidence_zones DROP COLUMN "{column}"')
        rows = conn.execute(ROWS_SQL).fetchall()
        conn.commit()
        conn.close()
        return [tuple(r) for r in rows]
    with psycopg.connect(location, autocommit=True) as conn:
        conn.execute(
            "ALTER TABLE subsidence_zones DROP COLUMN designated_on CASCADE, DROP COLUMN retired_on CASCADE"
        )
        return [tuple(r) for r in conn.execute(ROWS_SQL).fetchall()]


def _rows(location: str) -> list[tuple]:
    if "://" not in location:
        conn = sqlite3.connect(location)
        rows = conn.execute(ROWS_SQL).fetchall()
        conn.close()
        return [tuple(r) for r in rows]
    with psycopg.connect(location) as conn:
        return [tuple(r) for r in conn.execute(ROWS_SQL).fetchall()]


def test_existing_stores_gain_the_zone_dates_without_rewriting_a_row(empty_store):
    """A store whose zone table lacks the new columns (made by an older release) gains them on open
    (``sync_layers``, both backends); every stored version keeps its values and its record time."""
    location = empty_store.location
    put_districts(empty_store, start_of_day_utc(dt.date(2015, 1, 1)))
    empty_store.write_features("subsidence_zones", [zone("Z-W", ZONES["Z-W"])], by="t", source="t")
    empty_store.close()
    before = _as_an_older_release_made_it(location)

    store = open_store(location)
    try:
        frame = store.features("subsidence_zones", fields=("designated_on", "retired_on"))
        assert frame["designated_on"].isna().all() and frame["retired_on"].isna().all()
        assert compute_rates(store, When(dt.date(2020, 1, 1))).city.zone_ha > 0  # no date: counted
        # the new columns are history too: a stored version can only be closed
        store.write_features("subsidence_zones", [zone("Z-W", ZONES["Z-W"], retired_on="2024-03-01")],
                             by="t", source="t")  # fmt: skip
        assert compute_rates(store, When(dt.date(2024, 6, 30))).city.zone_ha == 0
    finally:
        store.close()
    after = _rows(location)
    assert [r[:4] for r in after[: len(before)]] == [r[:4] for r in before]  # nothing rewritten
    assert before[0][4] is None and after[0][4] is not None  # only closed by the new version
    assert len(after) == len(before) + 1


def test_parse_instant_reads_dates_as_the_end_of_the_day_in_china():
    assert parse_instant("2026-01-15") == end_of_day(dt.date(2026, 1, 15))
    assert parse_instant("2026/1/15") == end_of_day(dt.date(2026, 1, 15))
    assert parse_instant("2026-01-15T09:30").utcoffset() == dt.timedelta(hours=8)
    assert parse_instant("2026-01-15T01:30:00Z") == dt.datetime(2026, 1, 15, 1, 30, tzinfo=dt.UTC)
    assert parse_instant("not a date") is None


# -- the property: as recorded at T == as known on a store holding only what existed at T ---------
Change = tuple[int, int, int | None, int]  # (parcel index, day of record, completion year or None, zone?)
RECORD_BASE = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def record_time(day: int) -> dt.datetime:
    return RECORD_BASE + dt.timedelta(days=day, hours=3)


def feature_of(change: Change) -> tuple[str, NewFeature]:
    index, _, year, is_zone = change
    if is_zone:
        designated = None if year is None else f"{year}-01-01"
        outline = box(117.02 + 0.03 * index, 34.0, 117.06 + 0.03 * index, 34.1)
        return "subsidence_zones", zone(f"Z{index}", outline, designated_on=designated)
    status = "completed" if year is not None else "in_progress"
    return "restoration_parcels", parcel(f"P{index}", strip(index), completed(year) if year else None, status)


def write_history(store: Store, changes: list[Change]) -> None:
    put_districts(store, start_of_day_utc(dt.date(2015, 1, 1)))
    for change in changes:
        layer, feature = feature_of(change)
        stamp = record_time(change[1]).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        store.write_features(layer, [feature], by="t", source="t", valid_from=stamp)


changes_strategy = st.lists(
    st.tuples(
        st.integers(0, 5),
        st.integers(0, 2000),
        st.one_of(st.none(), st.integers(2014, 2026)),
        st.integers(0, 1),
    ),
    min_size=1,
    max_size=8,
).map(lambda cs: sorted(cs, key=lambda c: c[1]))


def _figures(report: RateReport) -> list[float]:
    return [x for d in report.districts for x in (d.zone_ha, d.restored_ha)]


@pytest.fixture
def new_store(backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """``new_store()``: another empty store on the test's backend, dropped after the test."""
    made: list[tuple[Store, str]] = []

    def make() -> Store:
        if backend == "gpkg":
            location = str(tmp_path_factory.mktemp("prop") / "store.gpkg")
        else:
            location = request.getfixturevalue("postgis").new_location()
        made.append((create_store(location), location))
        return made[-1][0]

    yield make
    for store, location in made:
        store.close()
        if backend == "postgis":
            request.getfixturevalue("postgis").drop(location)


# No shrinking: each example builds two stores, and a failing one is readable as generated.
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(changes=changes_strategy, t_day=st.integers(0, 2000), year=st.integers(2013, 2027))
def test_as_recorded_equals_as_known_on_a_store_of_only_what_existed_then(new_store, changes, t_day, year):
    full, then = new_store(), new_store()
    try:
        write_history(full, changes)
        instant = record_time(t_day) + dt.timedelta(minutes=1)  # between changes, never on one
        write_history(then, [c for c in changes if record_time(c[1]) <= instant])
        day = dt.date(year, 12, 31)
        assert _figures(compute_rates(full, When(day, instant))) == pytest.approx(
            _figures(compute_rates(then, When(day))), rel=1e-12, abs=1e-9
        )
    finally:
        full.close()
        then.close()
