""" "Ground cannot be counted twice", checked again when a submission is approved.

The upload's overlap check saw the store as it was at submit; two pending submissions claiming the
same completed ground each passed it. Inside the approval transaction (the store's write lock
held) the same check runs again, on the submission's stored features against the layer as it is
now, and a claim on ground already counted refuses the approval. The check itself is the upload's
(:class:`~xzsdg_geo.validation.checks.overlap.Overlap`), given the few things it reads.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from ..errors import Localized, UserError
from ..geo import area_ha
from ..layers import LayerSpec, get_layer
from ..store import Store
from ..store.base import Submission
from ..validation.checks.overlap import Overlap
from ..validation.settings import CheckSettings, validation_settings

BLOCKER = "overlap_counted"


@dataclass(frozen=True)
class _StoredClaim:
    """What :class:`Overlap` reads from an upload's context, for features already in the store."""

    spec: LayerSpec
    checks: CheckSettings
    approved: gpd.GeoDataFrame
    records: list[dict]
    feature_ids: list[str]
    geoms: np.ndarray
    polygons: np.ndarray
    area_ha: np.ndarray


def recheck_overlap(store: Store, sub: Submission) -> None:
    """Refuse approving ``sub`` if it claims ground the layer already counts; call inside the
    approval's transaction."""
    checks = validation_settings().checks
    if (counted := checks.counted.get(sub.layer)) is None:
        return
    features = [
        f for f in store.submission_features(sub.id) if f.properties.get(counted.field) == counted.value
    ]
    if not features:  # nothing in it counts: nothing to read under the lock
        return
    approved = store.features(sub.layer, fields=[counted.field])
    geoms = np.array([f.geometry for f in features], dtype=object)
    polygons = (shapely.get_dimensions(geoms) == 2) & ~shapely.is_empty(geoms)
    areas = np.full(len(geoms), np.nan)
    areas[polygons] = area_ha(geoms[polygons])
    claim = _StoredClaim(
        get_layer(sub.layer), checks, approved[approved[counted.field] == counted.value],
        [f.properties for f in features],
        [f.feature_id for f in features], geoms, polygons, areas,
    )  # fmt: skip
    blockers = [f for f in Overlap().check(claim) if f.code == BLOCKER]  # type: ignore[arg-type]
    if blockers:
        first = blockers[0]
        detail = Localized(first.message_zh, first.message_en)
        feature = features[first.feature].feature_id
        raise UserError(
            "review.overlap_counted", id=sub.id, feature=feature, count=len(blockers), detail=detail
        )
