"""Overlap with the layer's approved features in the store (polygon layers).

Told with the share and hectares of the new feature that overlaps, and the IDs overlapped. An
approved feature with the same ID is the one being replaced, not an overlap. Where the layer
counts ground (restoration parcels marked completed count toward the rate), a counting feature
that overlaps an approved counting feature claims ground already counted: refused.
"""

from __future__ import annotations

from collections import defaultdict

import geopandas as gpd
import numpy as np
import shapely

from ...geo import area_ha
from ..context import UploadContext
from ..findings import Finding, finding


def _others(ctx: UploadContext) -> gpd.GeoDataFrame | None:
    """Approved features other than those the upload replaces; None without a store."""
    approved = ctx.approved
    if approved is None or approved.empty:
        return None
    return approved[~approved["feature_id"].isin({f for f in ctx.feature_ids if f})]


def _counting(ctx: UploadContext, others: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Which new and which approved features count as ground (e.g. completed parcels)."""
    counted = ctx.checks.counted.get(ctx.spec.name)
    if counted is None or counted.field not in others.columns:
        return np.zeros(len(ctx.records), bool), np.zeros(len(others), bool)
    new = np.array([r.get(counted.field) == counted.value for r in ctx.records], dtype=bool)
    return new, (others[counted.field] == counted.value).to_numpy()


class Overlap:
    code = "overlap"
    gate = False

    def check(self, ctx: UploadContext) -> list[Finding]:
        others = _others(ctx)
        index = np.flatnonzero(ctx.polygons)
        if others is None or others.empty or not len(index):
            return []
        old = others.geometry.to_numpy()
        new_pos, old_pos = shapely.STRtree(old).query(ctx.geoms[index], predicate="intersects")
        hectares = area_ha(shapely.intersection(ctx.geoms[index[new_pos]], old[old_pos]))
        new_counts, old_counts = _counting(ctx, others)
        both = new_counts[index[new_pos]] & old_counts[old_pos]
        ids = others["feature_id"].astype(str).to_numpy()
        out = []
        for code, mask in (("overlap_counted", both), ("overlap", ~both)):
            out += self._findings(ctx, code, index, new_pos[mask], ids[old_pos[mask]], hectares[mask])
        return sorted(out, key=lambda f: f.feature)

    def _findings(self, ctx, code: str, index, new_pos, ids, hectares) -> list[Finding]:
        overlapped: dict[int, list[str]] = defaultdict(list)
        for k, fid in zip(new_pos, ids, strict=True):
            overlapped[int(k)].append(fid)
        per_feature = np.bincount(new_pos, hectares, minlength=len(index))
        out = []
        for k, names in overlapped.items():
            i, ha = int(index[k]), float(per_feature[k])
            share = ha / ctx.area_ha[i] if ctx.area_ha[i] > 0 else 0.0
            if ha > 0 and share >= ctx.checks.overlap_min_share:
                detail = {"ids": names, "ha": ha, "share": share}
                out.append(
                    finding(
                        code,
                        i,
                        detail,
                        ids="、".join(names[:10]),
                        ha=f"{ha:.4f}",
                        pct=f"{min(share, 1.0) * 100:.1f}",
                    )
                )
        return out
