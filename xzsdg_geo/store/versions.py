"""What a write does to the versions of a layer, decided before anything is written.

Backend-neutral: both stores
give it their current rows in the :data:`CURRENT_COLUMNS` layout and a comparable geometry key
(the GeoPackage blob there, ISO WKB here), and execute the closes and inserts their own way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..errors import UserError
from ..layers import LayerSpec
from .base import NewFeature, WriteResult, canonical_value

# A current row: its row id, version, valid_from, geometry key, then the layer's field values.
CURRENT_COLUMNS = ("fid", "version", "valid_from", "geom")
_VALID_FROM = CURRENT_COLUMNS.index("valid_from")
_FIELDS = len(CURRENT_COLUMNS)


@dataclass
class WritePlan:
    """``closes``: (current row, valid_to); ``inserts``: (feature index, id, version, valid_from, values)."""

    result: WriteResult = field(default_factory=WriteResult)
    closes: list[tuple[tuple, str]] = field(default_factory=list)
    inserts: list[tuple[int, str, int, str, tuple]] = field(default_factory=list)

    def close(self, row: tuple, stamp: str) -> None:
        if stamp < row[_VALID_FROM]:
            raise UserError("store.backdated", valid_from=stamp, current=row[_VALID_FROM])
        self.closes.append((row, stamp))


def plan_write(
    spec: LayerSpec,
    features: Sequence[NewFeature],
    geometry_keys: Sequence[object],
    current: dict[str, tuple],
    last_versions: dict[str, int],
    stamp: str,
    replace_all: bool,
) -> WritePlan:
    """New versions for new or changed features (an identical one is left alone), the current
    versions they close, and with ``replace_all`` the ids not given, retired at ``stamp``."""
    plan = WritePlan()
    for index, (feature, key) in enumerate(zip(features, geometry_keys, strict=True)):
        values = tuple(canonical_value(feature.properties.get(n)) for n in spec.field_names)
        old = current.get(feature.feature_id)
        if old is not None and old[_FIELDS - 1] == key and tuple(old[_FIELDS:]) == values:
            plan.result.unchanged.append(feature.feature_id)
            continue
        when = feature.valid_from or stamp
        if old is not None:
            plan.close(old, when)
            plan.result.updated.append(feature.feature_id)
        else:
            plan.result.created.append(feature.feature_id)
        version = last_versions.get(feature.feature_id, 0) + 1
        plan.inserts.append((index, feature.feature_id, version, when, values))
    if replace_all:
        for fid in sorted(set(current) - {f.feature_id for f in features}):
            plan.close(current[fid], stamp)
            plan.result.retired.append(fid)
    return plan
