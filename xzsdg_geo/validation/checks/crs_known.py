"""The layer's coordinates can be placed on the ground: a known, usable CRS.

Refused: no CRS and none inferable (the message says what the coordinates look like and how to
name the CRS), a CRS PROJ cannot read, a legacy datum without configured parameters, GCJ-02
claimed for projected coordinates. Told: how an inferred CRS was inferred, a legacy transformation
applied, a GCJ-02 conversion made.
"""

from __future__ import annotations

from ...errors import Term
from ..context import UploadContext
from ..findings import Finding, finding


def _params(params: dict) -> dict:
    out = dict(params)
    if "datum" in out:
        out["datum"] = Term(f"datum.{out['datum']}")
    if "reason" in out:
        out["how"] = Term(f"crs_reason.{out.pop('reason')}")
    return out


class CrsKnown:
    code = "crs_unknown"
    gate = True

    def check(self, ctx: UploadContext) -> list[Finding]:
        placement = ctx.placement
        notes = [finding(code, detail=params, **_params(params)) for code, params in placement.notes]
        if placement.problem is None:
            return notes
        params = placement.params
        key = f"check.crs_unknown.{params['reason']}" if placement.problem == "crs_unknown" else None
        return [finding(placement.problem, detail=params, key=key, **_params(params))]
