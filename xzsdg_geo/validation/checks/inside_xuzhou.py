"""At least 95 % of the file, and of each feature, inside Xuzhou's districts grown by 1 km.

Refusals say where things landed (lon/lat, and how far which way of which district), since a file
tens of kilometres off usually has the wrong zone or datum, and one a world away the wrong CRS.
When the whole file is outside, one finding says so instead of one per feature.
"""

from __future__ import annotations

import numpy as np
import shapely

from ..context import UploadContext
from ..findings import Finding, finding


def _weights(ctx: UploadContext, index: np.ndarray) -> np.ndarray:
    """What a feature's share counts for in the file's share: hectares, metres, or one per point."""
    measure = np.where(ctx.polygons[index], ctx.area_ha[index], ctx.length_m[index])
    return np.where(np.isfinite(measure), measure, 1.0)


class InsideXuzhou:
    code = "outside_xuzhou"
    gate = False

    def check(self, ctx: UploadContext) -> list[Finding]:
        unplaced = np.flatnonzero(ctx.present & ~ctx.placed)
        index = np.flatnonzero(ctx.fits)
        nowhere = [finding(self.code, int(i), key="check.outside_xuzhou.nowhere") for i in unplaced]
        if not len(index):
            return [finding(self.code, key="check.outside_xuzhou.nowhere")] if len(unplaced) else []
        geoms_m = ctx.projected[index]
        share = ctx.region.share_inside(geoms_m)
        weights = _weights(ctx, index)
        total = float((share * weights).sum() / weights.sum()) if weights.sum() > 0 else float(share.mean())
        wanted = ctx.checks.inside_share
        centres = shapely.centroid(geoms_m)
        out = []
        if total < wanted:
            out.append(self._finding(ctx, None, shapely.centroid(shapely.multipoints(centres)), total))
            if (share < wanted).all():
                return out + nowhere
        for k in np.flatnonzero(share < wanted):
            out.append(self._finding(ctx, int(index[k]), centres[k], float(share[k])))
        return out + nowhere

    def _finding(
        self, ctx: UploadContext, feature: int | None, centre: shapely.Point, share: float
    ) -> Finding:
        if not np.isfinite(shapely.get_coordinates(centre)).all() or shapely.is_empty(centre):
            return finding(self.code, feature, {"share": share}, key="check.outside_xuzhou.nowhere")
        where = ctx.region.describe(centre)
        key = "check.outside_xuzhou" if feature is None else "check.outside_xuzhou.feature"
        detail = {"share": share, "lon": float(where["lon"]), "lat": float(where["lat"])}
        return finding(self.code, feature, detail, key=key, pct=f"{share * 100:.1f}", **where)
