"""Properties of the rate engine over random zones and parcels, each example on a fresh real store."""

from __future__ import annotations

import datetime as dt
import itertools
import tempfile
from pathlib import Path

import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Polygon, box
from test_engine import build_store, parcel, zone

from xzsdg_geo.rates import RateReport, compute_rates
from xzsdg_geo.when import When

# Shapes fall in 鼓楼区, 云龙区 and across their border (the test districts of test_engine.py).
LON, LAT, STEP = 117.10, 34.02, 0.004
DAYS = st.dates(dt.date(2012, 1, 1), dt.date(2026, 12, 31))
EXAMPLES = settings(max_examples=30, deadline=None)


@st.composite
def shapes(draw) -> shapely.Geometry:
    """A box or a triangle a few hundred metres to a few kilometres across."""
    x0, y0 = draw(st.integers(0, 40)), draw(st.integers(0, 30))
    w, h = draw(st.integers(1, 12)), draw(st.integers(1, 12))
    x0, y0, x1, y1 = LON + x0 * STEP, LAT + y0 * STEP, LON + (x0 + w) * STEP, LAT + (y0 + h) * STEP
    if draw(st.booleans()):
        return box(x0, y0, x1, y1)
    return Polygon([(x0, y0), (x1, y0 + (y1 - y0) / 3), ((x0 + x1) / 2, y1)])


@st.composite
def parcel_specs(draw) -> dict:
    completed_on = draw(DAYS)
    return {
        "geom": draw(shapes()),
        "status": draw(st.sampled_from(["completed", "completed", "in_progress", "planned"])),
        "completed_on": completed_on,
        "recorded": completed_on + dt.timedelta(days=draw(st.integers(0, 400))),
    }


def make_parcels(specs: list[dict]) -> list:
    return [parcel(f"P{i}", **spec) for i, spec in enumerate(specs)]


def rates_at(zones: list, parcels: list, days: list[dt.date]) -> list[RateReport]:
    with tempfile.TemporaryDirectory(prefix="xzsdg-prop-") as tmp:
        store = build_store(Path(tmp) / "s.gpkg", zones, parcels)
        try:
            return [compute_rates(store, When(day)) for day in days]
        finally:
            store.close()


def rows(report: RateReport) -> list:
    return [*report.districts, report.city]


@EXAMPLES
@given(
    zones=st.lists(shapes(), min_size=0, max_size=4),
    parcels=st.lists(parcel_specs(), max_size=8),
    day=DAYS,
)
def test_rate_is_a_percentage_and_restored_never_exceeds_zone(zones, parcels, day):
    (report,) = rates_at([zone(f"Z{i}", g) for i, g in enumerate(zones)], make_parcels(parcels), [day])
    for row in rows(report):
        assert row.restored_ha <= row.zone_ha
        assert row.rate_pct is None if row.zone_ha == 0 else 0.0 <= row.rate_pct <= 100.0


@EXAMPLES
@given(
    zones=st.lists(st.tuples(shapes(), DAYS), min_size=1, max_size=4),
    parcels=st.lists(parcel_specs(), min_size=1, max_size=8),
    days=st.lists(DAYS, min_size=2, max_size=4, unique=True).map(sorted),
)
def test_restored_area_never_falls_and_rate_never_falls_with_fixed_zones(zones, parcels, days):
    growing = [zone(f"Z{i}", g, recorded=when) for i, (g, when) in enumerate(zones)]
    fixed = [zone(f"Z{i}", g) for i, (g, _) in enumerate(zones)]
    for zone_set, rate_too in ((growing, False), (fixed, True)):
        reports = rates_at(zone_set, make_parcels(parcels), days)
        for earlier, later in itertools.pairwise(reports):
            for a, b in zip(rows(earlier), rows(later), strict=True):
                assert b.restored_ha >= a.restored_ha * (1 - 1e-9)
                if rate_too and a.rate_pct is not None:
                    assert b.rate_pct >= a.rate_pct - 1e-9


@EXAMPLES
@given(
    zones=st.lists(shapes(), min_size=1, max_size=3),
    parcels=st.lists(parcel_specs(), min_size=1, max_size=5),
    which=st.integers(0, 4),
    cut=st.tuples(st.floats(0.1, 0.9), st.floats(0.1, 0.9)),
    day=DAYS,
)
def test_splitting_a_parcel_into_pieces_changes_nothing(zones, parcels, which, cut, day):
    zone_features = [zone(f"Z{i}", g) for i, g in enumerate(zones)]
    whole = parcels[which % len(parcels)]
    minx, miny, maxx, maxy = whole["geom"].bounds
    x, y = minx + cut[0] * (maxx - minx), miny + cut[1] * (maxy - miny)
    quarters = [box(minx, miny, x, y), box(x, miny, maxx, y), box(minx, y, x, maxy), box(x, y, maxx, maxy)]
    pieces = shapely.get_parts(shapely.intersection(whole["geom"], quarters))
    split = [p for p in parcels if p is not whole]
    split += [{**whole, "geom": g} for g in pieces if g.geom_type == "Polygon" and g.area > 0]

    (before,) = rates_at(zone_features, make_parcels(parcels), [day])
    (after,) = rates_at(zone_features, make_parcels(split), [day])
    for a, b in zip(rows(before), rows(after), strict=True):
        assert b.restored_ha == pytest.approx(a.restored_ha, rel=1e-5, abs=1e-6)
        assert b.zone_ha == a.zone_ha
        assert (b.rate_pct is None) == (a.rate_pct is None)
        if a.rate_pct is not None:
            assert b.rate_pct == pytest.approx(a.rate_pct, rel=1e-5, abs=1e-6)
