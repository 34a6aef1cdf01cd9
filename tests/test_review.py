"""The review workflow on a real sample store: approve, reject, needs-changes, undo, history."""

from __future__ import annotations

import datetime as dt

import pytest
import shapely

from xzsdg_geo.dates import today_cst
from xzsdg_geo.errors import UserError
from xzsdg_geo.rates import compute_rates
from xzsdg_geo.services import review
from xzsdg_geo.services.auth import principal_of
from xzsdg_geo.services.history import timeline
from xzsdg_geo.store import NewFeature, open_store
from xzsdg_geo.when import When

GULOU = "320302"


def _planned_parcels(store, adcode: str, n: int = 3) -> list[NewFeature]:
    """Planned parcels of the sample inside one district, re-declared as completed today."""
    parcels = store.features("restoration_parcels")
    district = store.features("districts").set_index("adcode").geometry[adcode]
    inside = shapely.within(shapely.point_on_surface(parcels.geometry.to_numpy()), district)
    planned = parcels[inside & (parcels["status"] == "planned")].head(n)
    assert len(planned) == n
    fields = ["parcel_id", "name", "status", "completed_on", "measure", "investment_wan"]
    done = {"status": "completed", "completed_on": today_cst()}
    return [
        NewFeature(row.feature_id, row.geometry, {**{f: getattr(row, f) for f in fields}, **done})
        for row in planned.itertuples()
    ]


def _submit(store, features: list[NewFeature], by: str = "field_team", answers: int | None = None):
    """A pending submission as the upload service leaves it (its validation is tested elsewhere)."""
    upload = store.add_upload(b"test bytes", "parcels.geojson", "restoration_parcels", by, True, {"ok": True})
    return store.add_submission("restoration_parcels", upload.id, features, by=by, answers=answers)


def _district_rate(store, adcode: str, day: dt.date | None = None) -> float:
    report = compute_rates(store, When(day or today_cst()))
    return next(d.rate_pct for d in report.districts if d.adcode == adcode)


def test_preview_names_changes_and_the_rate_effect_without_writing(sample_store):
    sub = _submit(sample_store, _planned_parcels(sample_store, GULOU))
    reviewer = principal_of(sample_store, "reviewer")
    before = _district_rate(sample_store, GULOU)
    preview = review.preview(sample_store, reviewer, sub.id)
    assert preview.count("changed") == 3 and preview.count("new") == 0
    effect = {e.adcode: e for e in preview.rate_effects}
    assert set(effect) == {GULOU}
    assert effect[GULOU].before_pct == pytest.approx(before)
    assert effect[GULOU].after_pct > before
    assert _district_rate(sample_store, GULOU) == pytest.approx(before)  # the trial was rolled back
    assert sample_store.get_submission(sub.id).status == "pending"


def test_full_lifecycle_needs_changes_resubmit_approve_undo(sample_store):
    reviewer, field = principal_of(sample_store, "reviewer"), principal_of(sample_store, "field_team")
    features = _planned_parcels(sample_store, GULOU)
    rate_before = _district_rate(sample_store, GULOU)
    yesterday = today_cst() - dt.timedelta(days=1)
    rate_yesterday = _district_rate(sample_store, GULOU, yesterday)

    first = _submit(sample_store, features[:1], by=field.username)
    review.decide(sample_store, reviewer, first.id, "needs_changes", "请补全其余两个地块")
    assert sample_store.get_submission(first.id).status == "needs_changes"
    assert _district_rate(sample_store, GULOU) == pytest.approx(rate_before)

    second = _submit(sample_store, features, by=field.username, answers=first.id)
    assert sample_store.get_submission(second.id).answers == first.id
    review.decide(sample_store, reviewer, second.id, "approve", "同意")
    rate_after = _district_rate(sample_store, GULOU)
    assert rate_after > rate_before
    # A past date still reproduces what was reported then.
    assert _district_rate(sample_store, GULOU, yesterday) == pytest.approx(rate_yesterday)

    fid = features[0].feature_id
    versions = timeline(sample_store, fid)
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].valid_to == versions[1].valid_from
    assert versions[1].source == f"submission:{second.id}"

    review.undo(sample_store, reviewer, second.id)
    assert _district_rate(sample_store, GULOU) == pytest.approx(rate_before)
    assert [v.version for v in timeline(sample_store, fid)] == [1, 2, 3]  # undo adds, never deletes
    assert sample_store.get_submission(second.id).status == "undone"
    actions = [e.action for e in sample_store.audit()]
    assert actions[-3:] == ["needs_changes", "approve", "undo"]


def test_approving_a_new_feature_and_undoing_it_retires_it(sample_store):
    zone = sample_store.features("subsidence_zones").iloc[0]
    new = NewFeature("XF-NEW-0001", zone.geometry.buffer(-0.0005), {
        "parcel_id": "XF-NEW-0001", "name": "新地块", "status": "in_progress", "completed_on": None,
        "measure": "wetland", "investment_wan": 100.0})  # fmt: skip
    sub = _submit(sample_store, [new])
    reviewer = principal_of(sample_store, "reviewer")
    assert review.preview(sample_store, reviewer, sub.id).count("new") == 1
    review.decide(sample_store, reviewer, sub.id, "approve")
    assert "XF-NEW-0001" in set(sample_store.features("restoration_parcels")["feature_id"])
    review.undo(sample_store, reviewer, sub.id)
    assert "XF-NEW-0001" not in set(sample_store.features("restoration_parcels")["feature_id"])
    assert len(sample_store.history("restoration_parcels", "XF-NEW-0001")) == 1


def test_reject_keeps_everything_and_requires_a_comment(sample_store):
    sub = _submit(sample_store, _planned_parcels(sample_store, GULOU, 1))
    reviewer = principal_of(sample_store, "reviewer")
    with pytest.raises(UserError) as err:
        review.decide(sample_store, reviewer, sub.id, "reject", "  ")
    assert err.value.key == "review.comment_required"
    review.decide(sample_store, reviewer, sub.id, "reject", "边界与实地不符")
    assert sample_store.get_submission(sub.id).review_comment == "边界与实地不符"
    assert len(sample_store.submission_features(sub.id)) == 1
    assert sample_store.file_bytes(sample_store.get_upload(sub.upload_id).sha256) == b"test bytes"


def test_two_reviewers_one_wins_the_other_is_told(sample_store):
    sub = _submit(sample_store, _planned_parcels(sample_store, GULOU, 1))
    other = open_store(sample_store.location)  # a second reviewer's own connection
    try:
        review.decide(sample_store, principal_of(sample_store, "reviewer"), sub.id, "approve")
        with pytest.raises(UserError) as err:
            review.decide(other, principal_of(other, "admin"), sub.id, "reject", "不同意")
        assert err.value.key == "submission.state_changed"
        assert "reviewer" in err.value.message("zh")
    finally:
        other.close()
    assert sample_store.get_submission(sub.id).status == "approved"


def test_a_crash_in_the_middle_of_an_approval_changes_nothing(sample_store, monkeypatch):
    features = _planned_parcels(sample_store, GULOU)
    sub = _submit(sample_store, features)
    rate = _district_rate(sample_store, GULOU)
    audit_before = len(sample_store.audit())

    def crash(*_args, **_kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(sample_store, "record_changes", crash)  # fails after the features are written
    with pytest.raises(RuntimeError):
        review.decide(sample_store, principal_of(sample_store, "reviewer"), sub.id, "approve")
    assert sample_store.get_submission(sub.id).status == "pending"
    assert _district_rate(sample_store, GULOU) == pytest.approx(rate)
    assert all(len(sample_store.history("restoration_parcels", f.feature_id)) == 1 for f in features)
    assert len(sample_store.audit()) == audit_before


def test_undo_is_refused_when_a_later_approval_changed_the_features(sample_store):
    reviewer = principal_of(sample_store, "reviewer")
    features = _planned_parcels(sample_store, GULOU, 1)
    first = _submit(sample_store, features)
    review.decide(sample_store, reviewer, first.id, "approve")
    renamed = [NewFeature(f.feature_id, f.geometry, {**f.properties, "name": "改名"}) for f in features]
    second = _submit(sample_store, renamed)
    review.decide(sample_store, reviewer, second.id, "approve")
    with pytest.raises(UserError) as err:
        review.undo(sample_store, reviewer, first.id)
    assert err.value.key == "review.undo_conflict"
    with pytest.raises(UserError) as err:
        review.undo(sample_store, reviewer, 99999)
    assert err.value.key == "submission.not_found"


def test_replace_within_a_district_retires_the_others(sample_store):
    reviewer = principal_of(sample_store, "reviewer")
    zones = sample_store.features("subsidence_zones")
    keep = zones.iloc[0]
    upload = sample_store.add_upload(b"z", "zones.geojson", "subsidence_zones", "field_team", True, {})
    props = {k: keep[k] for k in ("zone_id", "name", "severity", "mine")}
    feature = NewFeature(keep.feature_id, keep.geometry, props)
    sub = sample_store.add_submission(
        "subsidence_zones", upload.id, [feature], by="field_team", replace_district="320305"
    )
    preview = review.preview(sample_store, reviewer, sub.id)
    removed = {d.feature_id for d in preview.diffs if d.kind == "removed"}
    assert removed and keep.feature_id not in removed
    review.decide(sample_store, reviewer, sub.id, "approve")
    assert removed.isdisjoint(sample_store.features("subsidence_zones")["feature_id"])


def test_two_pending_claims_on_the_same_ground_the_second_approval_is_refused(sample_store):
    """Both passed the upload's overlap check (nothing was counted yet); the approval checks again."""
    (parcel,) = _planned_parcels(sample_store, GULOU, n=1)
    twin = NewFeature("TWIN-1", parcel.geometry, {**parcel.properties, "parcel_id": "TWIN-1", "name": "重复"})
    first, second = _submit(sample_store, [parcel]), _submit(sample_store, [twin])
    reviewer = principal_of(sample_store, "reviewer")
    review.decide(sample_store, reviewer, first.id, "approve")
    rate = _district_rate(sample_store, GULOU)
    with pytest.raises(UserError) as err:
        review.decide(sample_store, reviewer, second.id, "approve")
    assert err.value.key == "review.overlap_counted"
    assert "TWIN-1" in err.value.message("zh") and parcel.feature_id in err.value.message("zh")
    assert sample_store.get_submission(second.id).status == "pending"
    assert "TWIN-1" not in set(sample_store.features("restoration_parcels")["feature_id"])
    assert _district_rate(sample_store, GULOU) == pytest.approx(rate)
