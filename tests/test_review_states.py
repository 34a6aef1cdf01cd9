"""Any sequence of submit / approve / reject / needs-changes / resubmit / undo leaves submission
states that agree with the features in the store (hypothesis' stateful testing, both backends).

What "agree" means: for every feature the workflow touched, the store holds what the latest
approved (not undone) submission wrote or found identical, and the original feature when there is
none; a request for changes that a resubmission answered is ``answered``, and only then.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import shapely
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from test_review import GULOU, _planned_parcels

from xzsdg_geo.errors import UserError
from xzsdg_geo.services import review
from xzsdg_geo.services.auth import principal_of
from xzsdg_geo.store import NewFeature, Store, open_store
from xzsdg_geo.store.base import SUBMISSION_STATUSES

LAYER = "restoration_parcels"
FIELDS = ("name", "status", "completed_on")
VARIANTS = ("completed", "renamed", "as_is")
REFUSALS = {"submission.state_changed", "review.undo_not_approved", "review.undo_conflict"}


def _content(row) -> tuple:
    return (shapely.to_wkb(row.geometry), *(None if row[f] != row[f] else row[f] for f in FIELDS))


class Workflow(RuleBasedStateMachine):
    """Each example on a fresh copy of the sample store (``fresh`` makes one, ``discard`` drops it)."""

    fresh: Callable[[], Store]
    discard: Callable[[Store], None]

    def __init__(self) -> None:
        super().__init__()
        self.store = self.fresh()
        self.reviewer = principal_of(self.store, "reviewer")
        self.ids: list[int] = []
        self.pool = _planned_parcels(self.store, GULOU)
        current = self.store.features(LAYER).set_index("feature_id")
        self.baseline = {f.feature_id: _content(current.loc[f.feature_id]) for f in self.pool}

    def teardown(self) -> None:
        self.discard(self.store)

    def _variant(self, feature: NewFeature, variant: str) -> NewFeature:
        props = dict(feature.properties)
        if variant == "as_is":
            props |= {"status": "planned", "completed_on": None, "name": self.baseline[feature.feature_id][1]}
        elif variant == "renamed":
            props["name"] = "改名"
        return NewFeature(feature.feature_id, feature.geometry, props)

    def _add(self, picks: list[tuple[int, str]], answers: int | None = None) -> None:
        features = [self._variant(self.pool[i], v) for i, v in dict(picks).items()]
        with self.store.transaction():
            upload = self.store.add_upload(b"pbt", "p.geojson", LAYER, "field_team", True, {})
            sub = self.store.add_submission(LAYER, upload.id, features, by="field_team", answers=answers)
            if answers is not None:
                review.answered(self.store, answers, "field_team")
        self.ids.append(sub.id)

    picks = st.lists(st.tuples(st.integers(0, 1), st.sampled_from(VARIANTS)), min_size=1, max_size=2)

    @rule(picks=picks)
    def submit(self, picks: list[tuple[int, str]]) -> None:
        self._add(picks)

    @precondition(lambda self: any(self.store.get_submission(i).status == "needs_changes" for i in self.ids))
    @rule(data=st.data(), picks=picks)
    def resubmit(self, data: st.DataObject, picks: list[tuple[int, str]]) -> None:
        open_requests = [i for i in self.ids if self.store.get_submission(i).status == "needs_changes"]
        self._add(picks, answers=data.draw(st.sampled_from(open_requests)))

    def _pick(self, data: st.DataObject, status: str) -> int:
        """A submission in ``status`` if there is one, else any (which must be refused)."""
        wanted = [i for i in self.ids if self.store.get_submission(i).status == status]
        return data.draw(st.sampled_from(wanted or self.ids))

    @precondition(lambda self: self.ids)
    @rule(data=st.data())
    def approve(self, data: st.DataObject) -> None:
        sid = self._pick(data, "pending")
        self._attempt(lambda: review.decide(self.store, self.reviewer, sid, "approve"))

    @precondition(lambda self: self.ids)
    @rule(data=st.data(), decision=st.sampled_from(["reject", "needs_changes"]))
    def turn_down(self, data: st.DataObject, decision: str) -> None:
        sid = self._pick(data, "pending")
        self._attempt(lambda: review.decide(self.store, self.reviewer, sid, decision, "意见"))

    @precondition(lambda self: self.ids)
    @rule(data=st.data())
    def undo(self, data: st.DataObject) -> None:
        sid = self._pick(data, "approved")
        self._attempt(lambda: review.undo(self.store, self.reviewer, sid))

    def _attempt(self, action) -> None:
        """A refused action is fine; it must change nothing (the invariant checks the store)."""
        try:
            action()
        except UserError as err:
            assert err.key in REFUSALS, err.key

    @invariant()
    def states_agree_with_the_store(self) -> None:
        subs = self.store.submissions()
        assert {s.status for s in subs} <= set(SUBMISSION_STATUSES)
        answered = {s.answers for s in subs if s.answers is not None}
        for s in subs:
            assert (s.status == "answered") == (s.id in answered and s.status not in ("rejected",)), s
        latest: dict[str, int | None] = {}
        for s in sorted((s for s in subs if s.status == "approved"), key=lambda s: (s.reviewed_at, s.id)):
            for change in self.store.submission_changes(s.id):
                latest[change.feature_id] = change.after_version
        current = self.store.features(LAYER).set_index("feature_id")
        for fid, original in self.baseline.items():
            if fid not in latest:
                expected = original
            else:
                history = self.store.history(LAYER, fid).set_index("version")
                expected = _content(history.loc[latest[fid]])
            assert _content(current.loc[fid]) == expected, fid


def _copies(backend: str, request: pytest.FixtureRequest, tmp_path: Path):
    """A maker of private sample-store copies for ``backend`` and its clean-up."""
    names = itertools.count()
    if backend == "gpkg":
        source = request.getfixturevalue("sample_store_file")

        def fresh() -> Store:
            target = tmp_path / f"copy{next(names)}.gpkg"
            shutil.copy(source, target)
            return open_store(str(target))

        return fresh, lambda store: store.close()
    postgis, template = request.getfixturevalue("postgis"), request.getfixturevalue("postgis_sample_template")

    def discard(store: Store) -> None:
        store.close()
        postgis.drop(store.location)

    return (lambda: open_store(postgis.copy_store(template))), discard


def test_any_sequence_of_decisions_keeps_states_and_store_in_agreement(backend, request, tmp_path):
    fresh, discard = _copies(backend, request, tmp_path)
    Workflow.fresh, Workflow.discard = staticmethod(fresh), staticmethod(discard)
    run_state_machine_as_test(
        Workflow,
        settings=settings(
            max_examples=30 if backend == "gpkg" else 6,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
