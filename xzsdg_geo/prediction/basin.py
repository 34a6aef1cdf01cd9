"""The subsidence basin of many working faces at a date, on a grid, superposed.

Each panel is computed only inside its window of influence (its effective area widened by
``WINDOW_RADII`` radii), so the cost grows with the panels' footprint, not with the grid. The time
course follows the Knothe function: an element extracted at τ has sunk by ``1 - exp(-c·(t - τ))`` of
its final amount at t. A face advances evenly from its start to its end date, so it is cut into
slices across the advance, each extracted at its own τ; slices whose movement is over are merged
back into one block (the erf factors telescope), so a long-finished face costs one rectangle.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely import affinity

from .influence import edge_factor, polygon_factor
from .panels import Panel

SETTLED = 1e-12  # a Knothe share this close to 1 is treated as finished
CHUNK_POINTS = 20_000  # polygon quadrature evaluates this many points at a time (bounded memory)
INTERPOLATION_STEPS_PER_R = 400  # grid factors are interpolated from exact values every r/400
_DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class Grid:
    """A north-up raster: cell centres at west + (j + ½)·cell, north - (i + ½)·cell."""

    west: float
    north: float
    cell: float
    width: int
    height: int

    @classmethod
    def covering(cls, bounds: tuple[float, float, float, float], cell: float) -> Grid:
        west, south, east, north = (
            math.floor(bounds[0] / cell) * cell,
            math.floor(bounds[1] / cell) * cell,
            math.ceil(bounds[2] / cell) * cell,
            math.ceil(bounds[3] / cell) * cell,
        )
        return cls(west, north, cell, round((east - west) / cell), round((north - south) / cell))

    def window(self, bounds: tuple[float, float, float, float]) -> tuple[slice, slice] | None:
        """Row and column slices of the cells whose centres fall inside ``bounds``; None if none."""
        minx, miny, maxx, maxy = bounds
        j0 = max(0, math.ceil((minx - self.west) / self.cell - 0.5))
        j1 = min(self.width, math.floor((maxx - self.west) / self.cell - 0.5) + 1)
        i0 = max(0, math.ceil((self.north - maxy) / self.cell - 0.5))
        i1 = min(self.height, math.floor((self.north - miny) / self.cell - 0.5) + 1)
        return (slice(i0, i1), slice(j0, j1)) if i0 < i1 and j0 < j1 else None

    def centres(self, rows: slice, cols: slice) -> tuple[NDArray, NDArray]:
        x = self.west + (np.arange(cols.start, cols.stop) + 0.5) * self.cell
        y = self.north - (np.arange(rows.start, rows.stop) + 0.5) * self.cell
        return x, y


def years_between(a: dt.date, b: dt.date) -> float:
    return (b - a).days / _DAYS_PER_YEAR


@dataclass(frozen=True)
class Slice:
    """A part of a panel extracted at one time, and the share of its final subsidence at the date."""

    u_range: tuple[float, float] | None  # for rectangles, in the panel's frame
    area: shapely.Geometry | None  # for other outlines, in grid metres
    share: float


def knothe_share(extracted_on: dt.date, on: dt.date, c_per_year: float) -> float:
    """1 - exp(-c·(t - τ)): how much of an element's final subsidence has happened by ``on``."""
    t = years_between(extracted_on, on)
    return 0.0 if t <= 0 else -math.expm1(-c_per_year * t)


def _advance_sign(panel: Panel) -> float:
    """+1 when the frame's u axis points the way the face advances, -1 when against it."""
    diff = math.radians(panel.frame.azimuth_deg - panel.face.advance_azimuth_deg)
    return 1.0 if math.cos(diff) >= 0 else -1.0


def slices(panel: Panel, on: dt.date | None, c_per_year: float, n: int = 40) -> list[Slice]:
    """The panel cut across its advance into ``n`` slices with their Knothe shares at ``on``.

    ``on`` None, or a face without extraction dates, is the final (static) basin: one slice.
    """
    face = panel.face
    whole = Slice(panel.u_range, None if panel.is_rectangle else panel.area, 1.0)
    if on is None or face.start is None or face.end is None:
        return [whole]
    span_days = max((face.end - face.start).days, 1)
    parts = []
    for k in range(n):
        tau = face.start + dt.timedelta(days=span_days * (k + 0.5) / n)
        share = knothe_share(tau, on, c_per_year)
        if share > 0:
            parts.append((k, share))
    return _merge_settled(panel, parts, n)


def _cut(
    panel: Panel, k0: int, k1: int, n: int
) -> tuple[tuple[float, float] | None, shapely.Geometry | None]:
    """The part of the panel between slice k0 (inclusive) and k1 (exclusive) along the advance."""
    if panel.u_range is not None:
        lo, hi = panel.u_range
        edges = np.linspace(lo, hi, n + 1) if _advance_sign(panel) > 0 else np.linspace(hi, lo, n + 1)
        a, b = edges[k0], edges[k1]
        return (min(a, b), max(a, b)), None
    return None, _strip(panel, k0, k1, n)


def _strip(panel: Panel, k0: int, k1: int, n: int) -> shapely.Geometry:
    """A polygon outline's part between two cuts across the advance direction."""
    frame = panel.face.advance_azimuth_deg
    # Rotate so the advance points to grid east, cut by x, rotate back.
    turned = affinity.rotate(panel.area, frame - 90.0, origin=panel.frame.origin)
    minx, miny, maxx, maxy = turned.bounds
    edges = np.linspace(minx, maxx, n + 1)
    strip = shapely.box(edges[k0], miny - 1, edges[k1], maxy + 1).intersection(turned)
    return affinity.rotate(strip, 90.0 - frame, origin=panel.frame.origin)


def _merge_settled(panel: Panel, parts: list[tuple[int, float]], n: int) -> list[Slice]:
    """Consecutive slices whose movement is over become one block (their factors telescope)."""
    out: list[Slice] = []
    settled = [k for k, s in parts if s >= 1.0 - SETTLED]
    if settled:
        u_range, area = _cut(panel, settled[0], settled[-1] + 1, n)
        out.append(Slice(u_range, area, 1.0))
    for k, share in parts:
        if share < 1.0 - SETTLED:
            u_range, area = _cut(panel, k, k + 1, n)
            out.append(Slice(u_range, area, share))
    return out


def _along(u: NDArray, parts: list[Slice], r: float) -> NDArray:
    """Σ share_k · edge_factor(u, slice k): the along-advance factor of a face part-way through."""
    total = np.zeros(u.shape)
    for part in parts:
        total += part.share * edge_factor(u, *_bounds(part.u_range), r)
    return total


def _bounds(extent: tuple[float, float] | None) -> tuple[float, float]:
    """A rectangle's extent along an axis (rectangles always have one)."""
    if extent is None:
        raise ValueError("not a rectangle")
    return extent


def _interpolated(values: NDArray, factor: Callable[[NDArray], NDArray], r: float) -> NDArray:
    """``factor`` at ``values``, from exact evaluations every r/400 and linear interpolation.

    Both factors are smooth on the scale of r (|f''| ≤ 2π/r²·…), so the interpolation error is below
    3e-6 of W0, while a grid cell costs one interpolation instead of two erf per slice.
    """
    lo, hi = float(values.min()), float(values.max())
    step = r / INTERPOLATION_STEPS_PER_R
    knots = np.linspace(lo, hi, max(2, int(np.ceil((hi - lo) / step)) + 1))
    return np.interp(values, knots, factor(knots))


def _rectangle_basin(panel: Panel, x: NDArray, y: NDArray, parts: list[Slice]) -> NDArray:
    xx, yy = np.meshgrid(x, y)
    u, v = panel.frame.to_local(xx, yy)
    r = panel.r_m
    across = _interpolated(v, lambda k: edge_factor(k, *_bounds(panel.v_range), r), r)
    along = _interpolated(u, lambda k: _along(k, parts, r), r)
    return panel.w0_m * across * along


def _polygon_basin(panel: Panel, x: NDArray, y: NDArray, parts: list[Slice]) -> NDArray:
    xx, yy = (a.ravel() for a in np.meshgrid(x, y))
    out = np.zeros(xx.size)
    for part in parts:
        if part.area is None or part.area.is_empty:
            continue
        for start in range(0, xx.size, CHUNK_POINTS):
            chunk = slice(start, start + CHUNK_POINTS)
            out[chunk] += part.share * polygon_factor(xx[chunk], yy[chunk], part.area, panel.r_m)
    return panel.w0_m * out.reshape(len(y), len(x))


def panel_basin(panel: Panel, x: NDArray, y: NDArray, parts: list[Slice]) -> NDArray:
    """Subsidence (m) of one panel on the grid of centres x (columns) × y (rows)."""
    basin = _rectangle_basin if panel.is_rectangle else _polygon_basin
    return basin(panel, x, y, parts)


def subsidence_at(
    panels: Iterable[Panel], x: NDArray, y: NDArray, on: dt.date | None, c_for: dict[str, float]
) -> NDArray:
    """Superposed subsidence (m) at scattered points (x[i], y[i]); ``c_for`` maps face id -> c."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    total = np.zeros(x.size)
    for p in panels:
        parts = slices(p, on, c_for[p.face.face_id])
        for part in parts:
            if p.is_rectangle:
                u, v = p.frame.to_local(x, y)
                total += (
                    p.w0_m
                    * part.share
                    * edge_factor(u, *_bounds(part.u_range), p.r_m)
                    * edge_factor(v, *_bounds(p.v_range), p.r_m)
                )
            elif part.area is not None and not part.area.is_empty:
                total += p.w0_m * part.share * polygon_factor(x, y, part.area, p.r_m)
    return total


def windows(grid: Grid, panels: Iterable[Panel]) -> Iterator[tuple[Panel, slice, slice]]:
    for p in panels:
        win = grid.window(p.window())
        if win is not None:
            yield p, *win


def basin_on_grid(
    grid: Grid, panels: Iterable[Panel], on: dt.date | None, c_for: dict[str, float]
) -> NDArray[np.float32]:
    """The superposed basin (m, float32) of every panel on the grid at ``on`` (None: final)."""
    out = np.zeros((grid.height, grid.width), dtype=np.float32)
    for p, rows, cols in windows(grid, panels):
        x, y = grid.centres(rows, cols)
        out[rows, cols] += panel_basin(p, x, y, slices(p, on, c_for[p.face.face_id])).astype(np.float32)
    return out
