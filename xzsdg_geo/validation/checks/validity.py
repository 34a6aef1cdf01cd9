"""Invalid geometries (self-intersections, rings that touch themselves) are repaired with make_valid.

A repair is told with the area it changed; one that changes the area by more than the configured
share (1 %) no longer draws what the surveyor meant and is refused.
"""

from __future__ import annotations

import math

from ..context import UploadContext
from ..findings import Finding, finding


class Validity:
    code = "repaired"
    gate = False

    def check(self, ctx: UploadContext) -> list[Finding]:
        limit = ctx.checks.repair_max_area_change
        out = []
        for i, (before, after) in ctx.repair.changed.items():
            change = abs(after - before) / before if before > 0 else (0.0 if after == 0 else math.inf)
            change = change if math.isfinite(change) else math.inf  # NaN: the repair failed
            code = "repair_changed_area" if change > limit else self.code
            detail = {"area_before_ha": before, "area_after_ha": after, "change": change}
            pct = f"{change * 100:.2f}" if math.isfinite(change) else "∞"
            out.append(finding(code, i, detail, before=f"{before:.4f}", after=f"{after:.4f}", pct=pct))
        return out
