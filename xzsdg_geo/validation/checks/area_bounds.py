"""A polygon's area within the layer's bounds (``area_ha_bounds`` in its layer file).

Far too small or too large is nearly always a unit or CRS slip (metres read as degrees, a square
kilometre typed as hectares), not a real parcel.
"""

from __future__ import annotations

import numpy as np

from ..context import UploadContext
from ..findings import Finding, finding


class AreaBounds:
    code = "area_out_of_bounds"
    gate = False

    def check(self, ctx: UploadContext) -> list[Finding]:
        if ctx.spec.area_ha_bounds is None:
            return []
        low, high = ctx.spec.area_ha_bounds
        area = ctx.area_ha
        bad = np.flatnonzero(ctx.polygons & ~((area >= low) & (area <= high)))
        return [
            finding(self.code, int(i), {"area_ha": float(area[i])}, area=f"{area[i]:.4f}", low=low, high=high)
            for i in bad
        ]
