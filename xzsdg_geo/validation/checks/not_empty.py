"""A layer with no features, or none with a geometry, has nothing to store."""

from __future__ import annotations

import shapely

from ..context import UploadContext
from ..findings import Finding, finding


class NotEmpty:
    code = "empty"
    gate = True

    def check(self, ctx: UploadContext) -> list[Finding]:
        geoms = ctx.source_geoms
        if len(geoms) and (~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)).any():
            return []
        return [finding(self.code, layer=ctx.source.name)]
