"""Reviewing submissions: what approval will write (the preview runs the approval itself, then
rolls it back), approve (atomic), reject, ask for changes, undo.

The states a submission passes through, and what each means for the store:

==============  =================================================  ===========================
state           reached by                                         store holds
==============  =================================================  ===========================
pending         submit                                             nothing of it
approved        decide approve (pending only; not one's own)       its features as approved
rejected        decide reject (pending only; comment required)     nothing of it
needs_changes   decide needs_changes (pending only; comment)       nothing of it
answered        a resubmission answering it (needs_changes only)   nothing of it
undone          undo (approved only; or following one it held)     what was there before
==============  =================================================  ===========================

An approval records every feature it wrote (before and after versions) and every feature it found
identical and so left alone (a *hold*: before = after). Undoing a submission also undoes every
approved submission that holds a version it wrote: a resubmission of the same features follows
the one it repeated, so no submission says 已通过 while its features are gone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..config import settings
from ..dates import today_cst
from ..errors import Term, UserError
from ..geo import area_ha
from ..layers import get_layer
from ..rates import restored_by_district
from ..store import NewFeature, Store
from ..store.base import FeatureChange, Submission, canonical_value
from ..when import When
from . import audit
from .auth import Permission, Principal, require
from .layer_access import LayerAction, require_layer
from .overlap_recheck import recheck_overlap
from .review_plan import NO_CHOICES, Choices, Match, Plan, plan

RATE_LAYERS = ("subsidence_zones", "restoration_parcels")
DECISIONS = {"approve": "approved", "reject": "rejected", "needs_changes": "needs_changes"}
KINDS = ("new", "changed", "unchanged", "removed")


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: object
    after: object


@dataclass(frozen=True)
class FeatureDiff:
    feature_id: str
    kind: str  # new | changed | unchanged | removed
    area_before_ha: float | None
    area_after_ha: float | None
    geometry_changed: bool = False
    fields: tuple[FieldChange, ...] = ()  # old -> new for each changed attribute


@dataclass(frozen=True)
class RateEffect:
    adcode: str  # CITY for the whole city
    name: str
    before_pct: float | None
    after_pct: float | None


CITY = "city"


@dataclass(frozen=True)
class Preview:
    submission: Submission
    diffs: list[FeatureDiff]
    area_delta_ha: float
    as_of: dt.date
    rate_effects: list[RateEffect]  # districts whose rate approval would move
    city_effect: RateEffect | None = None  # the city's rate, when it would move
    features: list[NewFeature] = field(default_factory=list)  # what approval writes, IDs resolved
    matches: list[Match] = field(default_factory=list)  # ID-less features proposed as changes
    suggested_closes: list[str] = field(default_factory=list)
    choices: Choices = NO_CHOICES

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


def _apply(store: Store, principal: Principal, sub: Submission, planned: Plan) -> list[FeatureChange]:
    """Write the planned features as new versions and close the planned ones; the caller owns the
    transaction. Returns every feature written, held (identical, left alone) or closed."""
    ids = {f.feature_id for f in planned.features}
    before = _current_versions(store, sub.layer)
    store.write_features(sub.layer, planned.features, by=principal.username, source=f"submission:{sub.id}")
    store.retire_features(sub.layer, planned.retire)
    after = _current_versions(store, sub.layer)
    touched = sorted(ids | set(planned.retire))
    return [FeatureChange(fid, before.get(fid), after.get(fid)) for fid in touched]


def _current_versions(store: Store, layer: str) -> dict[str, int]:
    frame = store.features(layer, fields=())
    return dict(zip(frame["feature_id"], frame["version"].astype(int), strict=True))


def _rates(store: Store, day: dt.date) -> dict[str, tuple[str, float | None]]:
    """Each district's rate and the city's (under :data:`CITY`), as the rates report gives them."""
    districts, zone, restored = restored_by_district(store, When(day))
    rate = np.where(zone > 0, 100 * restored / np.where(zone > 0, zone, 1), np.nan)
    out = {
        code: (name, None if np.isnan(r) else float(min(r, 100.0)))
        for code, name, r in zip(districts["adcode"], districts["name"], rate, strict=True)
    }
    total = float(np.sum(zone))
    out[CITY] = ("", float(100 * np.sum(restored) / total) if total > 0 else None)
    return out


def preview(
    store: Store,
    principal: Principal,
    submission_id: int,
    as_of: dt.date | None = None,
    choices: Choices = NO_CHOICES,
) -> Preview:
    """What approving with ``choices`` would write: the approval runs in a transaction that is rolled
    back, so new / changed / unchanged / closed are the store's own verdicts. A decided submission
    shows what its approval wrote (approved, undone) or would have written."""
    require(principal, Permission.VIEW_ALL_SUBMISSIONS)
    sub = store.get_submission(submission_id)
    as_of = as_of or today_cst()
    if sub.status in ("approved", "undone"):
        diffs = [_recorded_diff(store, sub.layer, c) for c in store.submission_changes(sub.id)]
        written = [d.feature_id for d in diffs if d.kind != "removed"]
        features = _versions_as_written(store, sub, written)
        return Preview(sub, diffs, _delta(diffs), as_of, [], None, features, choices=choices)
    planned = plan(store, sub, choices)
    before_frame = store.features(sub.layer).set_index("feature_id")
    rates_before = _rates(store, as_of) if sub.status == "pending" and sub.layer in RATE_LAYERS else None
    with what_if(store):
        changes = _apply(store, principal, sub, planned)
        after_frame = store.features(sub.layer).set_index("feature_id")
        rates_after = _rates(store, as_of) if rates_before is not None else None
    spec_fields = get_layer(sub.layer).field_names
    diffs = [_diff(c, _row(before_frame, c.feature_id), _row(after_frame, c.feature_id), spec_fields)
             for c in changes]  # fmt: skip
    effects = _effects(rates_before, rates_after) if rates_before is not None else []
    city = next((e for e in effects if e.adcode == CITY), None)
    districts = [e for e in effects if e.adcode != CITY]
    return Preview(sub, diffs, _delta(diffs), as_of, districts, city, planned.features, planned.matches,
                   planned.suggested_closes, choices)  # fmt: skip


def _delta(diffs: list[FeatureDiff]) -> float:
    return sum((d.area_after_ha or 0.0) - (d.area_before_ha or 0.0) for d in diffs)


def _effects(before: dict, after: dict) -> list[RateEffect]:
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


def _row(frame: gpd.GeoDataFrame, feature_id: str) -> pd.Series | None:
    return frame.loc[feature_id] if feature_id in frame.index else None


def _kind(change: FeatureChange) -> str:
    if change.before_version is None:
        return "new"
    if change.after_version is None:
        return "removed"
    return "unchanged" if change.before_version == change.after_version else "changed"


def _value(row: pd.Series, name: str) -> object:
    value = canonical_value(row.get(name))
    return None if value is pd.NaT else value


def _diff(
    change: FeatureChange, before: pd.Series | None, after: pd.Series | None, names: tuple[str, ...]
) -> FeatureDiff:
    """One feature's verdict, with old -> new for each field and whether the geometry moved."""
    kind = _kind(change)
    area = [None if r is None else float(area_ha([r.geometry])[0]) for r in (before, after)]
    if kind != "changed":
        return FeatureDiff(change.feature_id, kind, area[0], area[1])
    fields = tuple(
        FieldChange(n, _value(before, n), _value(after, n))
        for n in names
        if _value(before, n) != _value(after, n)
    )
    moved = not shapely.equals_exact(before.geometry, after.geometry, 0)
    return FeatureDiff(change.feature_id, kind, area[0], area[1], moved, fields)


def _versions_as_written(store: Store, sub: Submission, feature_ids: list[str]) -> list[NewFeature]:
    """The features a decided approval wrote, with the IDs it gave them (for its map)."""
    by_id = {c.feature_id: c.after_version for c in store.submission_changes(sub.id)}
    rows = [_version_geometry(store, sub.layer, fid, by_id[fid]) for fid in feature_ids]
    return [NewFeature(fid, row.geometry, {}) for fid, row in zip(feature_ids, rows, strict=True)]


def _recorded_diff(store: Store, layer: str, change: FeatureChange) -> FeatureDiff:
    """A decided approval's verdict on one feature, from the versions it recorded."""
    rows = [_version_geometry(store, layer, change.feature_id, v)
            for v in (change.before_version, change.after_version)]  # fmt: skip
    return _diff(change, rows[0], rows[1], get_layer(layer).field_names)


def decide(
    store: Store,
    principal: Principal,
    submission_id: int,
    decision: str,
    comment: str | None = None,
    choices: Choices = NO_CHOICES,
) -> Submission:
    """Approve, reject or ask for changes. Approval writes every feature or none, exactly as the
    preview with the same ``choices`` showed."""
    require(principal, Permission.REVIEW)
    if decision not in DECISIONS:
        raise UserError("review.unknown_decision", decision=decision)
    if decision != "approve" and not (comment or "").strip():
        raise UserError("review.comment_required")
    with store.transaction():
        sub = store.get_submission(submission_id)
        if decision == "approve":
            require_layer(principal, get_layer(sub.layer), LayerAction.APPROVE)
            if settings().review.four_eyes and sub.submitted_by == principal.username:
                raise UserError("review.own_submission", id=sub.id)
            recheck_overlap(store, sub)  # the store may have changed since the upload was checked
        store.set_submission_status(sub.id, "pending", DECISIONS[decision], by=principal.username,
                                    comment=comment)  # fmt: skip
        changes: list[FeatureChange] = []
        detail: dict = {"comment": comment}
        if decision == "approve":
            planned = plan(store, sub, choices)
            changes = _apply(store, principal, sub, planned)
            store.record_changes(sub.id, changes)
            detail |= {"closes": sorted(choices.closes), "as_new": sorted(choices.as_new),
                       "matched": {m.index: m.feature_id for m in planned.matches
                                   if m.index not in choices.as_new}}  # fmt: skip
        written = [c for c in changes if c.before_version != c.after_version]
        audit.record(store, principal.username, decision, submission_id=sub.id, layer=sub.layer,
                     feature_ids=[c.feature_id for c in written], detail=detail,
                     **_hashes(store, sub.layer, written))  # fmt: skip
    return store.get_submission(submission_id)


def original_upload(store: Store, principal: Principal, submission_id: int) -> tuple[str, bytes]:
    """The file a submission was made from, as it was sent (name and bytes), for reviewers."""
    require(principal, Permission.VIEW_ALL_SUBMISSIONS)
    upload = store.get_upload(store.get_submission(submission_id).upload_id)
    return upload.filename, store.file_bytes(upload.sha256)


def answered(store: Store, prior_id: int, by: str) -> None:
    """A resubmission answers ``prior_id``: a submission that needed changes is now answered (its
    notice leaves the field team's page); a rejected one stays rejected. The caller owns the
    transaction."""
    if store.get_submission(prior_id).status == "needs_changes":
        store.set_submission_status(prior_id, "needs_changes", "answered", by=by)


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
    """Restore what an approval replaced, as new versions, and undo the approvals that only held
    what it wrote; refuse (and change nothing) if a feature it wrote changed since."""
    require(principal, Permission.UNDO)
    with store.transaction():
        sub = store.get_submission(submission_id)
        if sub.status != "approved":
            raise UserError("review.undo_not_approved", id=sub.id, status=Term(f"status.{sub.status}"))
        followers = _followers(store, sub)
        for other in sorted(followers, key=lambda s: (s.reviewed_at or "", s.id), reverse=True):
            _revert(store, principal, other, follows=sub.id)
        _revert(store, principal, sub)
    return store.get_submission(submission_id)


def _written(changes: list[FeatureChange]) -> list[FeatureChange]:
    return [c for c in changes if c.before_version != c.after_version]


def _followers(store: Store, sub: Submission) -> list[Submission]:
    """Approved submissions holding (found identical) a version ``sub`` wrote, and theirs in turn."""
    approved = [s for s in store.submissions(status="approved") if s.layer == sub.layer and s.id != sub.id]
    holds = {s.id: {(c.feature_id, c.after_version) for c in store.submission_changes(s.id)
                    if c.before_version == c.after_version} for s in approved}  # fmt: skip
    found: dict[int, Submission] = {}
    frontier = [sub]
    while frontier:
        wrote = {
            (c.feature_id, c.after_version) for c in _written(store.submission_changes(frontier.pop().id))
        }
        for s in approved:
            if s.id not in found and holds[s.id] & wrote:
                found[s.id] = s
                frontier.append(s)
    return list(found.values())


def _revert(store: Store, principal: Principal, sub: Submission, follows: int | None = None) -> None:
    """Undo one approval's writes (its holds wrote nothing) and mark it undone."""
    changes = _written(store.submission_changes(sub.id))
    current = _current_versions(store, sub.layer)
    moved = [c.feature_id for c in changes if current.get(c.feature_id) != c.after_version]
    if moved:
        raise UserError("review.undo_conflict", id=sub.id, ids="、".join(moved[:5]))
    restore, retire = [], []
    fields = get_layer(sub.layer).field_names
    for c in changes:
        if c.before_version is None:
            retire.append(c.feature_id)
            continue
        row = _version_geometry(store, sub.layer, c.feature_id, c.before_version)
        props = {k: (None if _missing(v) else v) for k, v in row.items() if k in fields}
        restore.append(NewFeature(c.feature_id, row.geometry, props))
    store.write_features(sub.layer, restore, by=principal.username, source=f"undo:{sub.id}")
    store.retire_features(sub.layer, retire)
    store.set_submission_status(sub.id, "approved", "undone", by=principal.username)
    reversed_changes = [FeatureChange(c.feature_id, c.after_version, c.before_version) for c in changes]
    audit.record(store, principal.username, "undo", submission_id=sub.id, layer=sub.layer,
                 feature_ids=[c.feature_id for c in changes], detail={"follows": follows},
                 **_hashes(store, sub.layer, reversed_changes))  # fmt: skip


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))
