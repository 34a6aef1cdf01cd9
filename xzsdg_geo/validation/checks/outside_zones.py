"""A feature that would count toward a rate but lies outside every zone it is counted in: a warning.

The restoration rate counts completed parcels only where they overlap a subsidence zone (see
:mod:`xzsdg_geo.rates`); a completed parcel wholly outside every zone is accepted (it may be
restoration all the same) but will never move the rate, and the uploader should know that now,
not after approval. Which layers, fields and zones: the layer's ``[counts]`` table.
"""

from __future__ import annotations

import numpy as np
import shapely

from ...layers import get_layer
from ..context import UploadContext
from ..findings import Finding, Localized, finding


class OutsideZones:
    code = "outside_zones"
    gate = False

    def check(self, ctx: UploadContext) -> list[Finding]:
        rule, store = ctx.spec.counts, ctx.upload.store
        if not rule or store is None:
            return []
        counted = [i for i, r in enumerate(ctx.records) if r.get(rule["field"]) == rule["value"]]
        candidates = [i for i in counted if ctx.polygons[i]]
        if not candidates:
            return []
        zones = store.features(rule["within"], fields=())
        tree = shapely.STRtree(zones.geometry.to_numpy())
        geoms = ctx.geoms[candidates]
        pairs = tree.query(geoms, predicate="intersects")
        overlapping = np.zeros(len(candidates), dtype=bool)
        if pairs.size:
            shared = shapely.area(shapely.intersection(geoms[pairs[0]], tree.geometries[pairs[1]]))
            overlapping[np.unique(pairs[0][shared > 0])] = True
        within = get_layer(rule["within"])
        layer = Localized(within.title_zh, within.title_en)
        return [finding(self.code, candidates[k], zones=layer) for k in np.flatnonzero(~overlapping)]
