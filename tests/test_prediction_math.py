"""The probability-integral basin against closed forms and independent numerical integration."""

from __future__ import annotations

import datetime as dt
import itertools
import math

import numpy as np
import pytest
import shapely
from scipy import integrate

from xzsdg_geo.prediction.basin import Grid, basin_on_grid, knothe_share, subsidence_at
from xzsdg_geo.prediction.influence import polygon_factor
from xzsdg_geo.prediction.panels import Face, panel
from xzsdg_geo.prediction.parameters import Parameters

FLAT = Parameters(q=0.9, tan_beta=2.0, b=0.3, theta_k=0.68, s_over_h=0.0, knothe_c=2.0)
H = 400.0  # depth: r = 200 m
R = H / FLAT.tan_beta


def _face(outline: shapely.Geometry, **kw: object) -> Face:
    return Face(face_id=str(kw.pop("face_id", "F1")), outline=outline, height_m=3.0, depth_m=H, **kw)


def _at(p, x, y, on=None):
    return subsidence_at([p], np.atleast_1d(x), np.atleast_1d(y), on, {p.face.face_id: FLAT.knothe_c})


def test_wide_panel_gives_w0_at_centre_and_half_over_the_inflection_line():
    half = 5 * R  # much wider than 2r
    p = panel(_face(shapely.box(-half, -half, half, half)), FLAT)
    w0 = 3.0 * 0.9
    assert p.is_rectangle and p.w0_m == pytest.approx(w0, rel=1e-12)
    assert _at(p, 0.0, 0.0)[0] == pytest.approx(w0, rel=1e-6)
    assert _at(p, half, 0.0)[0] == pytest.approx(w0 / 2, rel=1e-6)  # over the edge (s = 0)
    assert _at(p, 0.0, -half)[0] == pytest.approx(w0 / 2, rel=1e-6)


def test_inflection_offset_moves_the_half_point_inwards():
    params = FLAT.with_values(s_over_h=0.1)
    half = 5 * R
    p = panel(_face(shapely.box(-half, -half, half, half)), params)
    s = 0.1 * H
    assert _at(p, half - s, 0.0)[0] == pytest.approx(p.w0_m / 2, rel=1e-6)


def test_basin_is_symmetric_about_the_panel_axes():
    p = panel(_face(shapely.box(-150, -600, 150, 600)), FLAT)
    xs = np.array([37.0, 120.0, 333.0, 510.0])
    ys = np.array([-80.0, 250.0, 590.0, 700.0])
    base = _at(p, xs, ys)
    assert np.allclose(_at(p, -xs, ys), base, rtol=1e-12)
    assert np.allclose(_at(p, xs, -ys), base, rtol=1e-12)


def test_superposition_of_two_halves_equals_the_whole():
    whole = panel(_face(shapely.box(0, 0, 800, 300)), FLAT)
    west = panel(_face(shapely.box(0, 0, 400, 300), face_id="W"), FLAT)
    east = panel(_face(shapely.box(400, 0, 800, 300), face_id="E"), FLAT)
    pts = np.random.default_rng(1).uniform(-300, 1100, size=(200, 2))
    c = {"F1": 2.0, "W": 2.0, "E": 2.0}
    both = subsidence_at([west, east], pts[:, 0], pts[:, 1], None, c)
    assert np.allclose(both, subsidence_at([whole], pts[:, 0], pts[:, 1], None, c), rtol=1e-10, atol=1e-14)


def _dblquad(polygon: shapely.Polygon, x: float, y: float, r: float) -> float:
    """W/W0 by scipy's adaptive 2-D integration of the Gaussian over the polygon (x-simple pieces)."""

    def bounds(xi: float) -> list[tuple[float, float]]:
        line = shapely.LineString([(xi, -1e7), (xi, 1e7)]).intersection(polygon)
        parts = getattr(line, "geoms", [line])
        return [(seg.bounds[1], seg.bounds[3]) for seg in parts if not seg.is_empty]

    def inner(xi: float) -> float:
        g = math.exp(-math.pi * ((x - xi) / r) ** 2) / r**2
        return sum(
            integrate.quad(
                lambda eta: g * math.exp(-math.pi * ((y - eta) / r) ** 2), lo, hi, epsabs=1e-14, epsrel=1e-12
            )[0]
            for lo, hi in bounds(xi)
        )

    xs = sorted({c[0] for c in polygon.exterior.coords})
    return sum(
        integrate.quad(inner, a, b, epsabs=1e-13, epsrel=1e-11, limit=200)[0]
        for a, b in itertools.pairwise(xs)
    )


def test_polygonal_panel_matches_numerical_integration():
    poly = shapely.Polygon([(0, 0), (700, -80), (820, 260), (300, 420), (-60, 250)])
    pts = [(300.0, 150.0), (0.0, 0.0), (820.0, 260.0), (-250.0, 100.0), (1000.0, 500.0), (400.0, -300.0)]
    for x, y in pts:
        ours = polygon_factor([x], [y], poly, R)[0]
        assert ours == pytest.approx(_dblquad(poly, x, y, R), rel=1e-6, abs=1e-12)


def test_polygon_quadrature_equals_the_rectangle_closed_form():
    rect = shapely.box(-200, -350, 260, 410)
    p = panel(_face(rect), FLAT)
    pts = np.random.default_rng(2).uniform(-800, 800, size=(300, 2))
    closed = _at(p, pts[:, 0], pts[:, 1]) / p.w0_m
    quad = polygon_factor(pts[:, 0], pts[:, 1], rect, R)
    assert np.allclose(quad, closed, rtol=1e-8, atol=1e-12)


def test_rotated_rectangle_is_found_and_equals_the_quadrature():
    rect = shapely.affinity.rotate(shapely.box(-120, -700, 120, 700), -35, origin=(0, 0))
    p = panel(_face(rect, advance_azimuth_deg=35.0), FLAT)
    assert p.is_rectangle
    pts = np.random.default_rng(3).uniform(-900, 900, size=(200, 2))
    assert np.allclose(
        _at(p, pts[:, 0], pts[:, 1]) / p.w0_m,
        polygon_factor(pts[:, 0], pts[:, 1], rect, R),
        rtol=1e-8,
        atol=1e-12,
    )


def test_inclined_seam_moves_the_basin_down_dip_and_reduces_w0():
    params = FLAT
    flat = panel(_face(shapely.box(-150, -600, 150, 600)), params)
    dipping = panel(_face(shapely.box(-150, -600, 150, 600), dip_deg=20.0, dip_azimuth_deg=90.0), params)
    assert dipping.w0_m == pytest.approx(flat.w0_m * math.cos(math.radians(20.0)))
    shift = H / math.tan(math.radians(90 - 0.68 * 20))
    assert dipping.area.centroid.x == pytest.approx(shift) and dipping.area.centroid.y == pytest.approx(0)


def test_backfill_reduces_the_effective_height():
    p = panel(_face(shapely.box(0, 0, 500, 500), backfill=0.6), FLAT)
    assert p.w0_m == pytest.approx(3.0 * 0.4 * 0.9)


def test_knothe_basin_reaches_the_static_basin():
    face = _face(shapely.box(-150, -600, 150, 600), start=dt.date(2024, 1, 1), end=dt.date(2025, 1, 1))
    p = panel(face, FLAT)
    pts = np.random.default_rng(4).uniform(-800, 800, size=(100, 2))
    final = _at(p, pts[:, 0], pts[:, 1])
    late = _at(p, pts[:, 0], pts[:, 1], on=dt.date(2045, 1, 1))
    assert np.allclose(late, final, rtol=1e-12, atol=1e-15)
    early = _at(p, pts[:, 0], pts[:, 1], on=dt.date(2024, 7, 1))
    assert np.all(early <= final + 1e-15) and early.max() < 0.9 * final.max()
    assert _at(p, 0.0, 0.0, on=dt.date(2023, 12, 31))[0] == 0.0  # nothing before extraction


def test_knothe_share_is_the_exponential_time_function():
    assert knothe_share(dt.date(2020, 1, 1), dt.date(2020, 1, 1), 2.0) == 0.0
    one_year = knothe_share(dt.date(2020, 1, 1), dt.date(2021, 1, 1), 2.0)
    assert one_year == pytest.approx(1 - math.exp(-2.0 * 366 / 365.25))


def test_grid_basin_equals_pointwise_values_and_covers_only_the_window():
    p = panel(_face(shapely.box(1000, 1000, 1300, 2200)), FLAT)
    grid = Grid.covering((0.0, 0.0, 4000.0, 4000.0), 20.0)
    out = basin_on_grid(grid, [p], None, {"F1": 2.0})
    i, j = 100, 57
    x, y = grid.west + (j + 0.5) * 20.0, grid.north - (i + 0.5) * 20.0
    # grid factors are interpolated from exact values every r/400: within 1e-5 of W0
    assert out[i, j] == pytest.approx(_at(p, x, y)[0], abs=1e-5 * p.w0_m)
    assert out[0, 0] == 0.0  # outside the window of influence: not computed, nothing added
    # narrower than 2r: the panel never reaches full subsidence; its maximum is over the centre
    assert out.max() == pytest.approx(_at(p, 1150.0, 1600.0)[0], rel=1e-3) and out.max() < 0.95 * p.w0_m


def test_grid_basin_of_a_face_being_extracted_and_of_a_polygon_equals_pointwise_values():
    rotated = shapely.affinity.rotate(shapely.box(1500, 1200, 1750, 2600), -25, origin=(1625, 1900))
    moving = panel(
        _face(
            rotated, advance_azimuth_deg=25.0, start=dt.date(2025, 1, 1), end=dt.date(2027, 1, 1), face_id="M"
        ),
        FLAT,
    )
    odd = panel(
        _face(shapely.Polygon([(2500, 800), (3200, 700), (3300, 1500), (2700, 1300)]), face_id="P"), FLAT
    )
    assert moving.is_rectangle and not odd.is_rectangle
    grid = Grid.covering((0.0, 0.0, 4000.0, 4000.0), 25.0)
    c = {"M": 2.0, "P": 2.0}
    on = dt.date(2026, 3, 1)
    out = basin_on_grid(grid, [moving, odd], on, c)
    rows, cols = (
        np.random.default_rng(5).integers(0, grid.height, 60),
        np.random.default_rng(6).integers(0, grid.width, 60),
    )
    x, y = grid.west + (cols + 0.5) * 25.0, grid.north - (rows + 0.5) * 25.0
    exact = subsidence_at([moving, odd], x, y, on, c)
    assert np.allclose(out[rows, cols], exact, atol=1e-5 * max(moving.w0_m, odd.w0_m))
    assert exact.max() > 0.1  # the sample points do reach the basins
