"""Spikes: a vertex whose two edges together exceed a share (0.6) of its ring's perimeter.

Every triangle has such a vertex, so the vertex must also be sharp (under the configured angle)
to count; the tip of a digitising slip is both. Measured in equal-area metres, vectorised over all
rings of all features at once.
"""

from __future__ import annotations

import numpy as np
import shapely

from ..context import UploadContext
from ..findings import Finding, finding
from ..place import lonlat_of


def _ring_vertices(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every ring's coordinates without the closing repeat, its ring number and its feature index."""
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    rings, ring_of_part = shapely.get_rings(shapely.remove_repeated_points(parts), return_index=True)
    coords, ring_idx = shapely.get_coordinates(rings, return_index=True)
    if not len(coords):
        return coords, ring_idx, part_of[ring_of_part]
    last = np.r_[ring_idx[1:] != ring_idx[:-1], True]  # the closing repeat of each ring
    return coords[~last], ring_idx[~last], part_of[ring_of_part]


def spike_vertices(geoms_m: np.ndarray, edge_share: float, max_angle_deg: float) -> dict[int, np.ndarray]:
    """Feature index → the first spike vertex (x, y in the geometries' units)."""
    if not len(geoms_m):
        return {}
    coords, ring, feature_of_ring = _ring_vertices(geoms_m)
    if not len(coords):
        return {}
    starts = np.r_[0, np.flatnonzero(ring[1:] != ring[:-1]) + 1]
    sizes = np.diff(np.r_[starts, len(ring)])
    position = np.arange(len(ring)) - np.repeat(starts, sizes)
    size = np.repeat(sizes, sizes)
    base = np.repeat(starts, sizes)
    prev = coords[base + (position - 1) % size] - coords
    nxt = coords[base + (position + 1) % size] - coords
    a, b = np.hypot(*prev.T), np.hypot(*nxt.T)
    perimeter = np.bincount(ring, b)[ring]
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.einsum("ij,ij->i", prev, nxt) / (a * b)
    angle = np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))
    spikes = np.flatnonzero((size >= 3) & (a + b > edge_share * perimeter) & (angle < max_angle_deg))
    found: dict[int, np.ndarray] = {}
    for v in spikes:
        found.setdefault(int(feature_of_ring[ring[v]]), coords[v])
    return found


class Spikes:
    code = "spike"
    gate = False

    def check(self, ctx: UploadContext) -> list[Finding]:
        index = np.flatnonzero(ctx.polygons)
        found = spike_vertices(
            ctx.projected[index], ctx.checks.spike_edge_share, ctx.checks.spike_max_angle_deg
        )
        out = []
        for k, (x, y) in sorted(found.items()):
            tip = lonlat_of(shapely.Point(x, y))
            detail = {"lon": tip.x, "lat": tip.y}
            out.append(finding(self.code, int(index[k]), detail, lon=f"{tip.x:.6f}", lat=f"{tip.y:.6f}"))
        return out
