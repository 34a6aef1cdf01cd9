"""Parameter inversion: the probability-integral parameters that best explain a face's observations.

Least squares (scipy's trust-region reflective solver, with bounds) on q, tan β, s/H and, when the
observations span time, the Knothe coefficient c. The observations are the cumulative subsidence of
the face's monitoring points since before its extraction; other faces' influence on those points is
taken to be negligible (points are assigned to one face, on its own survey lines).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares

from .basin import subsidence_at
from .panels import Face, panel
from .parameters import Parameters

FITTED = ("q", "tan_beta", "s_over_h", "knothe_c")
BOUNDS = {"q": (0.05, 1.6), "tan_beta": (0.8, 4.0), "s_over_h": (0.0, 0.4), "knothe_c": (0.05, 20.0)}


@dataclass(frozen=True)
class Sample:
    """One observation: a point (grid metres), its date, and its cumulative subsidence in mm."""

    x: float
    y: float
    on: dt.date
    subsidence_mm: float


@dataclass(frozen=True)
class Fit:
    parameters: Parameters
    rmse_mm: float
    n: int
    fitted: tuple[str, ...]


def _model(face: Face, params: Parameters, samples: Sequence[Sample]) -> np.ndarray:
    p = panel(face, params)
    if p is None:
        return np.zeros(len(samples))
    out = np.empty(len(samples))
    by_date: dict[dt.date, list[int]] = {}
    for i, s in enumerate(samples):
        by_date.setdefault(s.on, []).append(i)
    for on, idx in by_date.items():
        x = np.array([samples[i].x for i in idx])
        y = np.array([samples[i].y for i in idx])
        out[idx] = 1000.0 * subsidence_at([p], x, y, on, {face.face_id: params.knothe_c})
    return out


def fit_parameters(face: Face, samples: Sequence[Sample], start: Parameters) -> Fit:
    """Fitted parameters (the others kept from ``start``), with the root-mean-square residual."""
    dated = face.start is not None and face.end is not None and len({s.on for s in samples}) > 1
    names = FITTED if dated else FITTED[:3]
    observed = np.array([s.subsidence_mm for s in samples])
    x0 = np.array([min(max(getattr(start, n), BOUNDS[n][0]), BOUNDS[n][1]) for n in names])
    lo, hi = np.array([BOUNDS[n][0] for n in names]), np.array([BOUNDS[n][1] for n in names])

    def residuals(v: np.ndarray) -> np.ndarray:
        return _model(face, start.with_values(**dict(zip(names, v, strict=True))), samples) - observed

    result = least_squares(residuals, x0, bounds=(lo, hi), x_scale="jac", xtol=1e-10, ftol=1e-10)
    best = start.with_values(**dict(zip(names, (float(v) for v in result.x), strict=True)))
    rmse = float(np.sqrt(np.mean(result.fun**2)))
    return Fit(best, rmse, len(samples), names)
