"""A feature's timeline across its versions, from the store's history."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import UserError
from ..geo import area_ha, geodesic_length_m
from ..layers import all_layers, get_layer
from ..store import Store


@dataclass(frozen=True)
class VersionRow:
    layer: str
    feature_id: str
    version: int
    valid_from: str
    valid_to: str | None
    recorded_by: str
    source: str
    measure: float  # hectares for polygons, metres for lines, 0 for points
    properties: dict


def timeline(store: Store, feature_id: str, layer: str | None = None) -> list[VersionRow]:
    """Every version of the feature, oldest first; searched in every layer unless one is named."""
    layers = [get_layer(layer)] if layer else list(all_layers().values())
    rows = []
    for spec in layers:
        frame = store.history(spec.name, feature_id)
        for rec in frame.itertuples(index=False):
            geom = rec.geometry
            measure = geodesic_length_m(geom) if spec.is_line else float(area_ha([geom])[0])
            props = {f: getattr(rec, f) for f in spec.field_names}
            valid_to = rec.valid_to if isinstance(rec.valid_to, str) else None  # pandas gives NaN
            rows.append(VersionRow(spec.name, feature_id, int(rec.version), rec.valid_from, valid_to,
                                   rec.recorded_by, rec.source, measure, props))  # fmt: skip
    if not rows:
        raise UserError("history.not_found", id=feature_id)
    return rows
