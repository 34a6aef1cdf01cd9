"""Swapped axes: lat/lon written as lon/lat, or a northing in the easting column (X/Y).

Sampled vertices are placed as the file has them and with the axes exchanged; a file that lands
outside Xuzhou one way and inside the other is refused with the swap named, rather than a bare
"outside Xuzhou" that would leave the field worker guessing.
"""

from __future__ import annotations

import numpy as np
import shapely

from ... import crs as crs_mod
from ...config import settings
from ...geo import reproject
from ..context import UploadContext
from ..findings import Finding, finding

SAMPLE = 500
MOSTLY_OUTSIDE = 0.5


def _share_inside(ctx: UploadContext, xy: np.ndarray) -> float:
    points = reproject(shapely.points(xy), ctx.placement.transform_from, settings().area_proj)
    coords = shapely.get_coordinates(points)
    if len(coords) != len(xy):
        return 0.0
    finite = np.isfinite(coords).all(axis=1)
    return float(ctx.region.contains_points(np.where(finite[:, None], coords, 0.0)).mean() * finite.mean())


class SwappedAxes:
    code = "swapped_axes"
    gate = True

    def check(self, ctx: UploadContext) -> list[Finding]:
        xy = shapely.get_coordinates(ctx.source_geoms)
        if not len(xy):
            return []
        xy = xy[np.linspace(0, len(xy) - 1, min(SAMPLE, len(xy))).astype(int)]
        if _share_inside(ctx, xy) >= MOSTLY_OUTSIDE:
            return []
        if _share_inside(ctx, xy[:, ::-1]) < ctx.checks.inside_share:
            return []
        kind = "lonlat" if crs_mod.is_geographic(ctx.source.crs) else "xy"
        return [finding(self.code, detail={"kind": kind}, key=f"check.swapped_axes.{kind}")]
