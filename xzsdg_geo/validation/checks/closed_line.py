"""A closed line read as a polygon (see :mod:`..closed_lines`): a warning, so the uploader knows."""

from __future__ import annotations

from ..closed_lines import was_closed
from ..context import UploadContext
from ..findings import Finding, finding


class ClosedLine:
    code = "closed_line"
    gate = False

    def check(self, ctx: UploadContext) -> list[Finding]:
        pairs = zip(ctx.source_geoms, ctx.geoms, strict=True)
        return [finding(self.code, i) for i, (src, geom) in enumerate(pairs) if was_closed(src, geom)]
