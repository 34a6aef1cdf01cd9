"""Reviewing submissions: what would change, approve (atomic), reject, ask for changes, undo."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from ..dates import today_cst
from ..errors import Term, UserError
from ..geo import area_ha
from ..layers import get_layer
from ..rates import restored_by_district
from ..store import NewFeature, Store
from ..store.base import FeatureChange, Submission
from ..when import When
from . import audit
from .auth import Permission, Principal, require
from .layer_access import LayerAction, require_layer
from .overlap_recheck import recheck_overlap

RATE_LAYERS = ("subsidence_zones", "restoration_parcels")
DECISIONS = {"approve": "approved", "reject": "rejected", "needs_changes": "needs_changes"}


@dataclass(frozen=True)
class FeatureDiff:
    feature_id: str
    kind: str  # new | changed | unchanged | removed
    area_before_ha: float | None
    area_after_ha: float | None


@dataclass(frozen=True)
class RateEffect:
    adcode: str
    name: str
    before_pct: float | None
    after_pct: float | None


@dataclass(frozen=True)
class Preview:
    submission: Submission
    diffs: list[FeatureDiff]
    area_delta_ha: float
    as_of: dt.date
    rate_effects: list[RateEffect]  # districts whose rate approval would move

    def count(self, kind: str) -> int:
        return sum(d.kind == kind for d in self.diffs)


class _Discard(Exception):
    """Raised to roll back a what-if transaction."""


@contextmanager
def what_if(store: Store) -> Iterator[None]:
    """Run writes and reads inside a transaction that is always rolled back."""
    try:
        with store.transaction():
            yield
            raise _Discard
    except _Discard:
        pass


def _retired_by_scope(store: Store, sub: Submission, keep: set[str]) -> list[str]:
    """With ``replace_district``: the layer's current features in that district not resubmitted."""
    if not sub.replace_district:
        return []
    districts = store.features("districts")
    area = districts.loc[districts["adcode"] == sub.replace_district].geometry
    if area.empty:
        raise UserError("auth.bad_district", district=sub.replace_district)
    current = store.features(sub.layer)
    inside = shapely.within(shapely.point_on_surface(current.geometry.to_numpy()), area.iloc[0])
    return sorted(set(current.loc[inside, "feature_id"]) - keep)


def _apply(store: Store, principal: Principal, sub: Submission) -> list[FeatureChange]:
    """Write the submission's features as new versions; the caller owns the transaction."""
    features = store.submission_features(sub.id)
    ids = {f.feature_id for f in features}
    before = _current_versions(store, sub.layer)
    store.write_features(sub.layer, features, by=principal.username, source=f"submission:{sub.id}")
    store.retire_features(sub.layer, _retired_by_scope(store, sub, ids))
    after = _current_versions(store, sub.layer)
    touched = sorted(fid for fid in ids | set(before) if before.get(fid) != after.get(fid))
    return [FeatureChange(fid, before.get(fid), after.get(fid)) for fid in touched]


def _current_versions(store: Store, layer: str) -> dict[str, int]:
    frame = store.features(layer)
    return dict(zip(frame["feature_id"], frame["version"].astype(int), strict=True))


def _rates_by_district(store: Store, day: dt.date) -> dict[str, tuple[str, float | None]]:
    districts, zone, restored = restored_by_district(store, When(day))
    rate = np.where(zone > 0, 100 * restored / np.where(zone > 0, zone, 1), np.nan)
    return {
        code: (name, None if np.isnan(r) else float(min(r, 100.0)))
        for code, name, r in zip(districts["adcode"], districts["name"], rate, strict=True)
    }


def preview(store: Store, principal: Principal, submission_id: int, as_of: dt.date | None = None) -> Preview:
    """What approving would change: features new/changed/removed, area deltas, the rate's move."""
    require(principal, Permission.VIEW_ALL_SUBMISSIONS)
    sub = store.get_submission(submission_id)
    as_of = as_of or today_cst()
    current = store.features(sub.layer).set_index("feature_id")
    features = store.submission_features(sub.id)
    diffs = [_diff(current, f) for f in features]
    for fid in _retired_by_scope(store, sub, {f.feature_id for f in features}):
        diffs.append(FeatureDiff(fid, "removed", float(area_ha([current.geometry[fid]])[0]), None))
    delta = sum((d.area_after_ha or 0.0) - (d.area_before_ha or 0.0) for d in diffs)
    effects = _rate_effects(store, principal, sub, as_of) if sub.status == "pending" else []
    return Preview(sub, diffs, delta, as_of, effects)


def _rate_effects(store: Store, principal: Principal, sub: Submission, as_of: dt.date) -> list[RateEffect]:
    """District rates before and after a trial approval that is rolled back."""
    if sub.layer not in RATE_LAYERS:
        return []
    before = _rates_by_district(store, as_of)
    with what_if(store):
        _apply(store, principal, sub)
        after = _rates_by_district(store, as_of)
    return [
        RateEffect(code, name, rate, after[code][1])
        for code, (name, rate) in before.items()
        if not _same_rate(rate, after[code][1])
    ]


# Rates closer than this (percentage points) are the same: overlays re-noded by a nearby change
# move a district's figure by ~1e-7, far below anything shown.
RATE_TOLERANCE_PCT = 1e-4


def _same_rate(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) < RATE_TOLERANCE_PCT)


def _diff(current: gpd.GeoDataFrame, feature: NewFeature) -> FeatureDiff:
    after = float(area_ha([feature.geometry])[0])
    if feature.feature_id not in current.index:
        return FeatureDiff(feature.feature_id, "new", None, after)
    old = current.loc[feature.feature_id]
    same_geom = audit.geometry_hash(old.geometry) == audit.geometry_hash(feature.geometry)
    same_props = all(str(old.get(k)) == str(v) for k, v in feature.properties.items() if v is not None)
    kind = "unchanged" if same_geom and same_props else "changed"
    return FeatureDiff(feature.feature_id, kind, float(area_ha([old.geometry])[0]), after)


def decide(
    store: Store, principal: Principal, submission_id: int, decision: str, comment: str | None = None
) -> Submission:
    """Approve, reject or ask for changes. Approval writes every feature or none."""
    require(principal, Permission.REVIEW)
    if decision not in DECISIONS:
        raise UserError("review.unknown_decision", decision=decision)
    if decision != "approve" and not (comment or "").strip():
        raise UserError("review.comment_required")
    with store.transaction():
        sub = store.get_submission(submission_id)
        if decision == "approve":
            require_layer(principal, get_layer(sub.layer), LayerAction.APPROVE)
            recheck_overlap(store, sub)  # the store may have changed since the upload was checked
        store.set_submission_status(sub.id, "pending", DECISIONS[decision], by=principal.username,
                                    comment=comment)  # fmt: skip
        changes: list[FeatureChange] = []
        if decision == "approve":
            changes = _apply(store, principal, sub)
            store.record_changes(sub.id, changes)
        audit.record(store, principal.username, decision, submission_id=sub.id, layer=sub.layer,
                     feature_ids=[c.feature_id for c in changes], detail={"comment": comment},
                     **_hashes(store, sub.layer, changes))  # fmt: skip
    return store.get_submission(submission_id)


def _version_geometry(store: Store, layer: str, feature_id: str, version: int | None):
    if version is None:
        return None
    history = store.history(layer, feature_id)
    return history.loc[history["version"] == version].iloc[0]


def _hashes(store: Store, layer: str, changes: list[FeatureChange]) -> dict[str, dict[str, str]]:
    before, after = {}, {}
    for c in changes:
        for version, target in ((c.before_version, before), (c.after_version, after)):
            row = _version_geometry(store, layer, c.feature_id, version)
            if row is not None:
                target[c.feature_id] = audit.geometry_hash(row.geometry)
    return {"before_hashes": before, "after_hashes": after}


def undo(store: Store, principal: Principal, submission_id: int) -> Submission:
    """Restore what an approval replaced, as new versions; refuse if a feature changed since."""
    require(principal, Permission.UNDO)
    with store.transaction():
        sub = store.get_submission(submission_id)
        if sub.status != "approved":
            raise UserError("review.undo_not_approved", id=sub.id, status=Term(f"status.{sub.status}"))
        changes = store.submission_changes(sub.id)
        current = _current_versions(store, sub.layer)
        moved = [c.feature_id for c in changes if current.get(c.feature_id) != c.after_version]
        if moved:
            raise UserError("review.undo_conflict", id=sub.id, ids="、".join(moved[:5]))
        restore, retire = [], []
        for c in changes:
            if c.before_version is None:
                retire.append(c.feature_id)
                continue
            row = _version_geometry(store, sub.layer, c.feature_id, c.before_version)
            fields = get_layer(sub.layer).field_names
            props = {k: (None if _missing(v) else v) for k, v in row.items() if k in fields}
            restore.append(NewFeature(c.feature_id, row.geometry, props))
        store.write_features(sub.layer, restore, by=principal.username, source=f"undo:{sub.id}")
        store.retire_features(sub.layer, retire)
        store.set_submission_status(sub.id, "approved", "undone", by=principal.username)
        reversed_changes = [FeatureChange(c.feature_id, c.after_version, c.before_version) for c in changes]
        audit.record(store, principal.username, "undo", submission_id=sub.id, layer=sub.layer,
                     feature_ids=[c.feature_id for c in changes],
                     **_hashes(store, sub.layer, reversed_changes))  # fmt: skip
    return store.get_submission(submission_id)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))
