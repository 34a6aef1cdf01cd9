"""Restoration parcels on ground that is not ready (restoration parcels only; a warning).

Restoring before the ground has settled (稳沉) wastes the money: it sinks again. A planned or
in-progress parcel on a zone still moving, or within the reach of an active or planned working face,
is told so; a completed one within a face's reach is told it may sink again. Needs the store's
working faces or monitoring observations (the ground state comes with the store's view, computed
before the checking worker starts); without them the check says nothing.
"""

from __future__ import annotations

import numpy as np
import shapely

from ..context import UploadContext
from ..findings import Finding, finding

NOT_YET = ("planned", "in_progress")


class UnstableGround:
    code = "unstable_ground"
    gate = False

    def check(self, ctx: UploadContext) -> list[Finding]:
        state = ctx.upload.store.ground if ctx.upload.store is not None else None
        if state is None:
            return []
        status = np.array([r.get("status") for r in ctx.records], dtype=object)
        unstable, reach = state.unstable, state.influence
        shapely.prepare(unstable)
        shapely.prepare(reach)
        out = []
        for i in np.flatnonzero(ctx.polygons):
            geom = ctx.geoms[i]
            if status[i] in NOT_YET and unstable.intersects(geom):
                out.append(finding("unstable_ground", int(i)))
            elif status[i] == "completed" and reach.intersects(geom):
                out.append(finding("over_active_faces", int(i)))
        return out
