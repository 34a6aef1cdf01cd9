"""No more vertices per feature than configured: beyond that it is a traced raster or densified arc."""

from __future__ import annotations

import numpy as np
import shapely

from ..context import UploadContext
from ..findings import Finding, finding


class VertexCap:
    code = "too_many_vertices"
    gate = False

    def check(self, ctx: UploadContext) -> list[Finding]:
        cap = ctx.checks.max_vertices
        counts = shapely.get_num_coordinates(ctx.source_geoms)
        return [
            finding(self.code, int(i), {"vertices": int(counts[i])}, n=int(counts[i]), cap=cap)
            for i in np.flatnonzero(counts > cap)
        ]
