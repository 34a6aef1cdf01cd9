"""Inversion recovers known parameters; the 稳沉 criterion on observation series."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import shapely

from xzsdg_geo.prediction.fit import Sample, _model, fit_parameters
from xzsdg_geo.prediction.panels import Face
from xzsdg_geo.prediction.parameters import Parameters, Stability
from xzsdg_geo.prediction.stability import Verdict, months_before, point_stability, zone_verdict
from xzsdg_geo.store.base import Observation

TRUE = Parameters(q=0.92, tan_beta=2.2, b=0.3, theta_k=0.68, s_over_h=0.08, knothe_c=1.6)
START = Parameters(q=0.7, tan_beta=1.7, b=0.3, theta_k=0.68, s_over_h=0.02, knothe_c=3.0)


def _face() -> Face:
    return Face(
        "F1",
        shapely.box(0, 0, 1200, 220),
        height_m=3.2,
        depth_m=420.0,
        advance_azimuth_deg=90.0,
        start=dt.date(2022, 1, 1),
        end=dt.date(2023, 1, 1),
    )


def _survey(face: Face, params: Parameters, noise_mm: float, seed: int) -> list[Sample]:
    """Two survey lines (along and across the panel), surveyed every quarter 2022-2025, with noise."""
    along = [(x, 110.0) for x in np.linspace(-400, 1600, 41)]
    across = [(600.0, y) for y in np.linspace(-500, 720, 25)]
    dates = [dt.date(2022 + k // 4, 1 + 3 * (k % 4), 15) for k in range(16)]
    pts = [(x, y, d) for d in dates for x, y in along + across]
    clean = _model(face, params, [Sample(x, y, d, 0.0) for x, y, d in pts])
    noisy = clean + np.random.default_rng(seed).normal(0, noise_mm, size=clean.size)
    return [Sample(x, y, d, float(v)) for (x, y, d), v in zip(pts, noisy, strict=True)]


def test_inversion_recovers_known_parameters_from_noisy_observations():
    face = _face()
    fit = fit_parameters(face, _survey(face, TRUE, noise_mm=5.0, seed=7), START)
    assert fit.fitted == ("q", "tan_beta", "s_over_h", "knothe_c")
    assert fit.parameters.q == pytest.approx(TRUE.q, rel=0.02)
    assert fit.parameters.tan_beta == pytest.approx(TRUE.tan_beta, rel=0.03)
    assert fit.parameters.s_over_h == pytest.approx(TRUE.s_over_h, abs=0.01)
    assert fit.parameters.knothe_c == pytest.approx(TRUE.knothe_c, rel=0.05)
    assert fit.rmse_mm == pytest.approx(5.0, rel=0.1)  # the noise, nothing systematic left


def test_exact_observations_are_fitted_exactly():
    face = _face()
    fit = fit_parameters(face, _survey(face, TRUE, noise_mm=0.0, seed=1), START)
    assert fit.rmse_mm < 1e-4
    assert fit.parameters.q == pytest.approx(TRUE.q, rel=1e-5)


def _obs(point: str, series: list[tuple[str, float]]) -> list[Observation]:
    return [
        Observation(i, point, d, mm, "t", "2026-01-01T00:00:00Z", None, "t")
        for i, (d, mm) in enumerate(series)
    ]


RULE = Stability(months=6, max_mm=30.0, max_gap_days=45)


def test_stable_when_at_most_30_mm_in_the_last_six_months():
    series = _obs(
        "P1",
        [
            ("2024-12-01", 500.0),
            ("2025-01-10", 800.0),
            ("2025-06-01", 1180.0),
            ("2025-12-01", 1205.0),
            ("2026-05-20", 1209.0),
        ],
    )
    v = point_stability("P1", series, dt.date(2026, 6, 1), RULE)
    # the window opens on 2025-12-01: read from the survey of that day
    assert v.verdict is Verdict.STABLE and v.window_mm == pytest.approx(1209.0 - 1205.0)
    assert (v.first, v.last) == ("2025-12-01", "2026-05-20")
    earlier = point_stability("P1", series, dt.date(2025, 6, 20), RULE)
    assert earlier.verdict is Verdict.MOVING and earlier.window_mm == pytest.approx(1180.0 - 500.0)


def test_moving_when_more_than_30_mm():
    series = _obs("P2", [("2025-11-01", 100.0), ("2026-05-25", 131.0)])
    assert point_stability("P2", series, dt.date(2026, 6, 1), RULE).verdict is Verdict.MOVING


def test_unknown_without_a_survey_before_the_window_or_a_recent_one():
    recent_only = _obs("P3", [("2026-03-01", 5.0), ("2026-05-30", 6.0)])
    assert point_stability("P3", recent_only, dt.date(2026, 6, 1), RULE).verdict is Verdict.UNKNOWN
    stale = _obs("P4", [("2024-01-01", 5.0), ("2025-09-01", 6.0)])
    assert point_stability("P4", stale, dt.date(2026, 6, 1), RULE).verdict is Verdict.UNKNOWN


def test_zone_verdict_and_calendar_months():
    s = point_stability("a", _obs("a", [("2025-01-01", 0.0), ("2025-12-30", 1.0)]), dt.date(2026, 1, 1), RULE)
    m = point_stability(
        "b", _obs("b", [("2025-01-01", 0.0), ("2025-12-30", 99.0)]), dt.date(2026, 1, 1), RULE
    )
    assert zone_verdict([s, s]) is Verdict.STABLE and zone_verdict([s, m]) is Verdict.MOVING
    assert zone_verdict([]) is Verdict.UNKNOWN
    assert months_before(dt.date(2026, 8, 31), 6) == dt.date(2026, 2, 28)
