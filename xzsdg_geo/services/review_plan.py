"""What approving a submission writes, decided once for the preview and the approval alike.

The plan resolves the submitted features into the ones written: a feature without a usable ID that
overlaps an existing feature by at least ``review.match_overlap`` (both ways) is proposed as a
change of that feature, unless the reviewer makes it new; the rest get an ID of their own. It
also lists what the approval closes: the district's other features when the submission replaces a
district, and the existing features the reviewer ticked (those the submission covers by at least
the same share are suggested).

Overlap shares are ratios of areas in lon/lat: over one feature's extent the degree-to-metre scale
is the same for both areas, so the ratio is the equal-area one to far better than the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import shapely

from ..config import settings
from ..errors import UserError
from ..layers import get_layer
from ..store import NewFeature, Store
from ..store.base import Submission


@dataclass(frozen=True)
class Choices:
    """The reviewer's say in an approval: existing features it closes, ID-less features kept new."""

    closes: frozenset[str] = frozenset()
    as_new: frozenset[int] = frozenset()  # positions in the submission


NO_CHOICES = Choices()


@dataclass(frozen=True)
class Match:
    """An ID-less submitted feature (by position) proposed as a change of an existing one."""

    index: int
    feature_id: str
    share: float


@dataclass(frozen=True)
class Plan:
    features: list[NewFeature]  # in submission order, IDs resolved
    retire: list[str]  # existing features the approval closes
    matches: list[Match] = field(default_factory=list)  # proposals, accepted unless in ``as_new``
    suggested_closes: list[str] = field(default_factory=list)


def has_usable_id(feature: NewFeature) -> bool:
    return bool(feature.feature_id and feature.feature_id.strip())


def new_feature_id(submission_id: int, index: int) -> str:
    """The ID an ID-less feature gets when it is new: the submission and its position, 1-based."""
    return f"S{submission_id}-{index + 1}"


def plan(store: Store, sub: Submission, choices: Choices = NO_CHOICES) -> Plan:
    """The features approval writes and the ones it closes, with the proposals behind them."""
    spec = get_layer(sub.layer)
    submitted = store.submission_features(sub.id)
    current = store.features(sub.layer)
    given = {f.feature_id for f in submitted if has_usable_id(f)}
    others = current[~current["feature_id"].isin(given)]
    matches = _matches(submitted, others) if spec.is_polygon else []
    chosen = {m.index: m.feature_id for m in matches if m.index not in choices.as_new}
    features = [_resolved(sub.id, i, f, chosen.get(i), spec.id_field) for i, f in enumerate(submitted)]
    written = {f.feature_id for f in features}
    scope = _retired_by_scope(store, sub, current, written)
    open_ids = set(current["feature_id"]) - written - set(scope)
    if bad := sorted(choices.closes - open_ids):
        raise UserError("review.bad_close", ids="、".join(bad[:5]))
    suggested = _covered(features, current[current["feature_id"].isin(open_ids)]) if spec.is_polygon else []
    return Plan(features, sorted(set(scope) | choices.closes), matches, suggested)


def _resolved(sid: int, index: int, feature: NewFeature, match: str | None, id_field: str) -> NewFeature:
    if has_usable_id(feature):
        return feature
    fid = match or new_feature_id(sid, index)
    return NewFeature(fid, feature.geometry, {**feature.properties, id_field: fid}, feature.valid_from)


def _share(a: shapely.Geometry, b: shapely.Geometry) -> float:
    """How much two features are one: their intersection over the larger of the two."""
    larger = max(shapely.area(a), shapely.area(b))
    return float(shapely.area(shapely.intersection(a, b)) / larger) if larger > 0 else 0.0


def _matches(submitted: list[NewFeature], candidates: gpd.GeoDataFrame) -> list[Match]:
    """Each ID-less feature to the existing feature it overlaps most, if by the threshold; an
    existing feature is proposed for one submitted feature at most (the best overlap wins)."""
    threshold = settings().review.match_overlap
    geoms = candidates.geometry.to_numpy()
    ids = candidates["feature_id"].to_numpy()
    tree = shapely.STRtree(geoms)
    found: list[Match] = []
    for index, feature in enumerate(submitted):
        if has_usable_id(feature):
            continue
        for hit in tree.query(feature.geometry, predicate="intersects"):
            share = _share(feature.geometry, geoms[hit])
            if share >= threshold:
                found.append(Match(index, str(ids[hit]), share))
    found.sort(key=lambda m: -m.share)
    taken_idx: set[int] = set()
    taken_id: set[str] = set()
    kept = []
    for m in found:
        if m.index not in taken_idx and m.feature_id not in taken_id:
            kept.append(m)
            taken_idx.add(m.index)
            taken_id.add(m.feature_id)
    return sorted(kept, key=lambda m: m.index)


def _covered(features: list[NewFeature], candidates: gpd.GeoDataFrame) -> list[str]:
    """Existing features the written ones cover by at least the threshold of their own area."""
    if candidates.empty or not features:
        return []
    threshold = settings().review.match_overlap
    written = np.array([f.geometry for f in features], dtype=object)
    tree = shapely.STRtree(written)
    out = []
    for fid, geom in zip(candidates["feature_id"], candidates.geometry, strict=True):
        hits = tree.query(geom, predicate="intersects")
        if len(hits) and shapely.area(geom) > 0:
            covered = shapely.area(shapely.intersection(geom, shapely.union_all(written[hits])))
            if covered / shapely.area(geom) >= threshold:
                out.append(str(fid))
    return sorted(out)


def _retired_by_scope(store: Store, sub: Submission, current: gpd.GeoDataFrame, keep: set[str]) -> list[str]:
    """With ``replace_district``: the layer's current features in that district not resubmitted."""
    if not sub.replace_district:
        return []
    districts = store.features("districts")
    area = districts.loc[districts["adcode"] == sub.replace_district].geometry
    if area.empty:
        raise UserError("auth.bad_district", district=sub.replace_district)
    inside = shapely.within(shapely.point_on_surface(current.geometry.to_numpy()), area.iloc[0])
    return sorted(set(current.loc[inside, "feature_id"]) - keep)
