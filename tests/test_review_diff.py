"""The preview is what approval writes: new / changed (boundary, fields old -> new) / unchanged /
closed, spatial matching of ID-less features, closes, the city's rate, four eyes, linked states."""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import pytest
from shapely import affinity
from shapely.geometry import box
from test_review import GULOU, _planned_parcels, _submit

from xzsdg_geo.errors import UserError
from xzsdg_geo.services import review, submissions
from xzsdg_geo.services.auth import principal_of
from xzsdg_geo.services.review_plan import Choices
from xzsdg_geo.store import NewFeature


def _versions(store, features) -> dict[str, int]:
    return {f.feature_id: len(store.history("restoration_parcels", f.feature_id)) for f in features}


def test_a_byte_identical_resubmission_is_unchanged_and_approval_writes_nothing(sample_store):
    reviewer = principal_of(sample_store, "reviewer")
    features = _planned_parcels(sample_store, GULOU)
    review.decide(sample_store, reviewer, _submit(sample_store, features).id, "approve")
    again = _submit(sample_store, features)
    preview = review.preview(sample_store, reviewer, again.id)
    assert [preview.count(k) for k in review.KINDS] == [0, 0, 3, 0]
    assert preview.rate_effects == [] and preview.city_effect is None
    before = _versions(sample_store, features)
    review.decide(sample_store, reviewer, again.id, "approve")
    assert _versions(sample_store, features) == before
    assert sample_store.audit()[-1].feature_ids == []


def test_only_what_changed_shows_as_changed_with_each_field_old_to_new(sample_store):
    reviewer = principal_of(sample_store, "reviewer")
    planned = _planned_parcels(sample_store, GULOU)
    current = sample_store.features("restoration_parcels").set_index("feature_id")
    fields = ["parcel_id", "name", "status", "completed_on", "measure", "investment_wan"]
    as_stored = [NewFeature(f.feature_id, current.geometry[f.feature_id],
                            {k: current.loc[f.feature_id, k] for k in fields}) for f in planned]  # fmt: skip
    moved = dataclasses.replace(as_stored[0], geometry=affinity.translate(as_stored[0].geometry, 0.0001))
    renamed = dataclasses.replace(as_stored[1], properties={**as_stored[1].properties, "name": "新名称"})
    sub = _submit(sample_store, [moved, renamed, as_stored[2]])
    preview = review.preview(sample_store, reviewer, sub.id)
    diffs = {d.feature_id: d for d in preview.diffs}
    assert [diffs[f.feature_id].kind for f in as_stored] == ["changed", "changed", "unchanged"]
    assert diffs[moved.feature_id].geometry_changed and diffs[moved.feature_id].fields == ()
    name_change = diffs[renamed.feature_id]
    assert not name_change.geometry_changed
    assert name_change.fields == (review.FieldChange("name", as_stored[1].properties["name"], "新名称"),)
    before = _versions(sample_store, as_stored)
    review.decide(sample_store, reviewer, sub.id, "approve")
    after = _versions(sample_store, as_stored)
    assert {fid: after[fid] - before[fid] for fid in after} == {
        moved.feature_id: 1, renamed.feature_id: 1, as_stored[2].feature_id: 0}  # fmt: skip
    recorded = {d.feature_id: d.kind for d in review.preview(sample_store, reviewer, sub.id).diffs}
    assert recorded == {d.feature_id: d.kind for d in preview.diffs}  # the decided view agrees


def _completed_over(store, planned: NewFeature, new_id: str) -> NewFeature:
    """A completed parcel under a new ID drawn over a planned one."""
    props = {**planned.properties, "parcel_id": new_id, "name": "已完成地块"}
    # 1 m inside the planned parcel: covers it (> 90 %) without reaching ground its neighbours count
    return NewFeature(new_id, planned.geometry.buffer(-0.00001), props)


def test_features_an_approval_covers_are_suggested_and_closed_when_ticked(sample_store):
    reviewer = principal_of(sample_store, "reviewer")
    planned = _planned_parcels(sample_store, GULOU, 1)[0]
    sub = _submit(sample_store, [_completed_over(sample_store, planned, "XF-DONE-1")])
    preview = review.preview(sample_store, reviewer, sub.id)
    assert preview.suggested_closes == [planned.feature_id]
    assert preview.count("removed") == 0  # suggested, not closed until ticked
    with pytest.raises(UserError) as err:  # only current features the submission does not hold
        review.preview(sample_store, reviewer, sub.id, choices=Choices(closes=frozenset({"nope"})))
    assert err.value.key == "review.bad_close"
    ticked = Choices(closes=frozenset({planned.feature_id}))
    preview = review.preview(sample_store, reviewer, sub.id, choices=ticked)
    assert {d.feature_id: d.kind for d in preview.diffs} == {
        planned.feature_id: "removed",
        "XF-DONE-1": "new",
    }
    review.decide(sample_store, reviewer, sub.id, "approve", choices=ticked)
    ids = set(sample_store.features("restoration_parcels")["feature_id"])
    assert "XF-DONE-1" in ids and planned.feature_id not in ids
    review.undo(sample_store, reviewer, sub.id)
    ids = set(sample_store.features("restoration_parcels")["feature_id"])
    assert "XF-DONE-1" not in ids and planned.feature_id in ids


def test_an_id_less_feature_over_an_existing_one_is_proposed_as_its_change(sample_store):
    reviewer = principal_of(sample_store, "reviewer")
    planned = _planned_parcels(sample_store, GULOU, 1)[0]
    idless = NewFeature("", planned.geometry.buffer(-0.00001), {**planned.properties, "parcel_id": None})
    sub = _submit(sample_store, [idless])
    preview = review.preview(sample_store, reviewer, sub.id)
    assert [(m.index, m.feature_id) for m in preview.matches] == [(0, planned.feature_id)]
    assert {d.feature_id: d.kind for d in preview.diffs} == {planned.feature_id: "changed"}
    as_new = review.preview(sample_store, reviewer, sub.id, choices=Choices(as_new=frozenset({0})))
    assert {d.feature_id: d.kind for d in as_new.diffs} == {f"S{sub.id}-1": "new"}
    review.decide(sample_store, reviewer, sub.id, "approve")
    row = sample_store.features("restoration_parcels").set_index("feature_id").loc[planned.feature_id]
    assert row["status"] == "completed" and int(row["version"]) == 2


def test_the_preview_shows_the_citys_rate_effect(sample_store):
    reviewer = principal_of(sample_store, "reviewer")
    preview = review.preview(
        sample_store, reviewer, _submit(sample_store, _planned_parcels(sample_store, GULOU)).id
    )
    assert preview.city_effect is not None and preview.city_effect.adcode == review.CITY
    assert preview.city_effect.after_pct > preview.city_effect.before_pct


@pytest.mark.parametrize("who", ["reviewer", "admin"])
def test_nobody_approves_their_own_submission(sample_store, who, monkeypatch):
    actor = principal_of(sample_store, who)
    sub = _submit(sample_store, _planned_parcels(sample_store, GULOU, 1), by=who)
    with pytest.raises(UserError) as err:
        review.decide(sample_store, actor, sub.id, "approve")
    assert err.value.key == "review.own_submission"
    assert sample_store.get_submission(sub.id).status == "pending"
    settings = review.settings()
    off = dataclasses.replace(settings, review=dataclasses.replace(settings.review, four_eyes=False))
    monkeypatch.setattr(review, "settings", lambda: off)
    assert review.decide(sample_store, actor, sub.id, "approve").status == "approved"


def test_undoing_an_approval_undoes_the_resubmission_that_held_its_features(sample_store):
    reviewer = principal_of(sample_store, "reviewer")
    features = _planned_parcels(sample_store, GULOU)
    first = review.decide(sample_store, reviewer, _submit(sample_store, features).id, "approve")
    repeat = review.decide(sample_store, reviewer, _submit(sample_store, features).id, "approve")
    unrelated = _planned_parcels(sample_store, "320305", 1)
    other = review.decide(sample_store, reviewer, _submit(sample_store, unrelated).id, "approve")
    review.undo(sample_store, reviewer, first.id)
    assert [sample_store.get_submission(s.id).status for s in (first, repeat, other)] == [
        "undone", "undone", "approved"]  # fmt: skip
    current = sample_store.features("restoration_parcels").set_index("feature_id")
    assert set(current.loc[[f.feature_id for f in features], "status"]) == {"planned"}
    follow = [e for e in sample_store.audit() if e.action == "undo"]
    assert [(e.submission_id, e.detail.get("follows")) for e in follow] == [
        (repeat.id, first.id),
        (first.id, None),
    ]


def _zone_file(name: str) -> bytes:
    frame = gpd.GeoDataFrame({"编号": ["T1"], "名称": [name], "程度": ["轻度"]},
                             geometry=[box(117.45, 34.45, 117.46, 34.46)], crs="EPSG:4490")  # fmt: skip
    return frame.to_json().encode()


def test_a_resubmission_answers_a_request_for_changes(sample_store):
    field, reviewer = principal_of(sample_store, "field_team"), principal_of(sample_store, "reviewer")
    first = submissions.submit(
        sample_store, field, _zone_file("甲"), "z.geojson", "subsidence_zones"
    ).submission
    review.decide(sample_store, reviewer, first.id, "needs_changes", "请补充")
    assert [s.id for s in submissions.visible_submissions(sample_store, field, "needs_changes")] == [first.id]
    second = submissions.submit(sample_store, field, _zone_file("乙"), "z.geojson", "subsidence_zones",
                                answers=first.id).submission  # fmt: skip
    assert sample_store.get_submission(first.id).status == "answered"
    assert sample_store.get_submission(first.id).review_comment == "请补充"  # the request stays readable
    assert submissions.visible_submissions(sample_store, field, "needs_changes") == []  # its notice is gone
    assert sample_store.get_submission(second.id).status == "pending"
    with pytest.raises(UserError) as err:  # answered once: the answer is what is reviewed now
        submissions.submit(
            sample_store, field, _zone_file("丙"), "z.geojson", "subsidence_zones", answers=first.id
        )
    assert err.value.key == "submission.not_resubmittable"
