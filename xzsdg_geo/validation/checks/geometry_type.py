"""Each feature's geometry fits the layer: polygon layers take (multi)polygons, river segments lines.

A line left for a polygon layer is one that does not close (closed ones became polygons), so it is
refused as such: "线未闭合".
"""

from __future__ import annotations

import numpy as np

from ...errors import Term
from ..context import UploadContext
from ..findings import Finding, finding
from ..stages import allowed_types


class GeometryType:
    code = "geometry_type"
    gate = False

    def check(self, ctx: UploadContext) -> list[Finding]:
        expected = "/".join(sorted(allowed_types(ctx.spec)))
        out = []
        judged = ~ctx.over_vertex_cap  # those are refused by the vertex cap, unread past it
        for i in np.flatnonzero(~ctx.fits & (ctx.placed | ~ctx.present) & judged):
            geom = ctx.geoms[i]
            if not ctx.present[i]:
                out.append(finding(self.code, int(i), key="check.geometry_type.missing"))
            elif ctx.spec.is_polygon and geom.geom_type in ("LineString", "MultiLineString"):
                out.append(
                    finding(self.code, int(i), {"found": geom.geom_type}, key="check.geometry_type.open_line")
                )
            else:
                found = Term(f"geometry.{geom.geom_type}")
                out.append(
                    finding(self.code, int(i), {"found": geom.geom_type}, found=found, expected=expected)
                )
        return out
