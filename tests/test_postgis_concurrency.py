"""Many people at once, and a crash mid-approval, on both backends (``sample_store`` runs each).

Eight field teams submit while two reviewers decide, each on its own store connection: no
submission is lost or duplicated, none is decided twice, every approval is whole, and each
feature's history stays one unbroken chain. A reviewer's process killed in the middle of an
approval leaves the store as it was, and the store takes the approval afterwards.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable

import pandas as pd

from xzsdg_geo.errors import UserError
from xzsdg_geo.layers import get_layer
from xzsdg_geo.services import review
from xzsdg_geo.services.auth import principal_of
from xzsdg_geo.store import NewFeature, Store, open_store

LAYER = "restoration_parcels"
SUBMITTERS, REVIEWERS, PER_SUBMITTER = 8, ("reviewer", "admin"), 4
PAUSE_S = 0.15  # at most, between one team's submissions: they keep arriving while reviewers work
POOL = 5  # parcels the submissions share, so approvals keep stacking versions on the same features
DEADLINE_S = 120  # a safety net against a hang, not a measured time


def _pool(store: Store) -> list[NewFeature]:
    parcels = store.features(LAYER).head(POOL)
    fields = get_layer(LAYER).field_names
    return [NewFeature(row.feature_id, row.geometry, {f: getattr(row, f) for f in fields})
            for row in parcels.itertuples()]  # fmt: skip


def _renamed(feature: NewFeature, name: str) -> NewFeature:
    return NewFeature(feature.feature_id, feature.geometry, {**feature.properties, "name": name})


def _run_all(targets: list[Callable[[], None]]) -> list[BaseException]:
    """Run each target in its own thread; the exceptions they raised."""
    errors: list[BaseException] = []

    def guarded(target: Callable[[], None]) -> None:
        try:
            target()
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=guarded, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_submitters_and_reviewers_lose_and_double_nothing(sample_store):
    location, pool = sample_store.location, _pool(sample_store)
    before = {s.id for s in sample_store.submissions()}
    submitted: list[int] = []
    decided: list[tuple[int, str]] = []
    all_in = threading.Event()

    def submitter(n: int) -> Callable[[], None]:
        def run() -> None:
            store, rng = open_store(location), random.Random(n)
            try:
                for k in range(PER_SUBMITTER):
                    time.sleep(rng.uniform(0, PAUSE_S))
                    feature = _renamed(pool[(n + k) % POOL], f"队{n}第{k}次")
                    upload = store.add_upload(f"{n}-{k}".encode(), "p.geojson", LAYER, "field_team", True, {})
                    submitted.append(store.add_submission(LAYER, upload.id, [feature], by="field_team").id)
            finally:
                store.close()

        return run

    def reviewer(username: str) -> Callable[[], None]:
        def run() -> None:
            store, rng = open_store(location), random.Random(username)
            principal, stop = principal_of(store, username), time.monotonic() + DEADLINE_S
            try:
                while time.monotonic() < stop:
                    done = all_in.is_set()
                    pending = store.submissions(status="pending")
                    if done and not pending:
                        return
                    for sub in rng.sample(pending, len(pending)):  # both race for the same queue
                        decision, comment = ("approve", None) if sub.id % 3 else ("reject", "边界不符")
                        try:
                            review.decide(store, principal, sub.id, decision, comment)
                            decided.append((sub.id, decision))
                        except UserError as err:
                            assert err.key == "submission.state_changed", err.key
                raise TimeoutError("reviewers did not empty the queue")
            finally:
                store.close()

        return run

    def submitters() -> None:
        try:
            assert not _run_all([submitter(n) for n in range(SUBMITTERS)])
        finally:
            all_in.set()

    assert _run_all([submitters, *(reviewer(name) for name in REVIEWERS)]) == []

    ids = set(submitted)
    assert len(submitted) == len(ids) == SUBMITTERS * PER_SUBMITTER  # none lost, none twice
    subs = {s.id: s for s in sample_store.submissions() if s.id not in before}
    assert set(subs) == ids
    assert sorted(i for i, _ in decided) == sorted(ids)  # each decided exactly once
    decisions = Counter(e.submission_id for e in sample_store.audit() if e.action in ("approve", "reject"))
    assert decisions == Counter(ids)
    for sid, decision in decided:
        assert subs[sid].status == {"approve": "approved", "reject": "rejected"}[decision]
        _assert_whole(sample_store, sid, approved=decision == "approve")
    for feature in pool:
        _assert_one_chain(sample_store.history(LAYER, feature.feature_id))


def _assert_whole(store: Store, sid: int, approved: bool) -> None:
    """An approval wrote each of its features' new version and recorded it; a rejection wrote none."""
    changes = store.submission_changes(sid)
    feature = store.submission_features(sid)[0]
    history = store.history(LAYER, feature.feature_id)
    written = history.loc[history["source"] == f"submission:{sid}"]
    if not approved:
        assert changes == [] and written.empty
        return
    assert [c.feature_id for c in changes] == [feature.feature_id]
    assert written["version"].tolist() == [changes[0].after_version]
    assert written["name"].tolist() == [feature.properties["name"]]


def _assert_one_chain(history: pd.DataFrame) -> None:
    """Versions 1..n, each closed exactly when the next begins, only the last one open."""
    assert history["version"].tolist() == list(range(1, len(history) + 1))
    assert history["valid_to"].iloc[:-1].tolist() == history["valid_from"].iloc[1:].tolist()
    assert history["valid_to"].isna().tolist() == [False] * (len(history) - 1) + [True]


_STALLED_APPROVAL = """
import sys, time
from xzsdg_geo.services import review
from xzsdg_geo.services.auth import principal_of
from xzsdg_geo.store import open_store

store = open_store(sys.argv[1])

def stall(*args, **kwargs):  # the features are written, the transaction is still open
    print("written", flush=True)
    time.sleep(600)

store.record_changes = stall
review.decide(store, principal_of(store, "reviewer"), int(sys.argv[2]), "approve")
"""


def test_a_process_killed_mid_approval_leaves_the_store_consistent(sample_store):
    pool = _pool(sample_store)
    features = [_renamed(f, "新名") for f in pool[:2]]
    upload = sample_store.add_upload(b"k", "p.geojson", LAYER, "field_team", True, {})
    sid = sample_store.add_submission(LAYER, upload.id, features, by="field_team").id
    audit_before = len(sample_store.audit())
    location = sample_store.location
    sample_store.close()

    child = subprocess.Popen([sys.executable, "-c", _STALLED_APPROVAL, location, str(sid)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        line = child.stdout.readline().strip()
        assert line == "written", child.stderr.read()
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
        child.stdout.close()
        child.stderr.close()

    store = open_store(location)
    try:
        assert store.get_submission(sid).status == "pending"
        assert all(len(store.history(LAYER, f.feature_id)) == 1 for f in features)
        assert len(store.audit()) == audit_before and store.submission_changes(sid) == []
        review.decide(store, principal_of(store, "reviewer"), sid, "approve")  # no lock left behind
        assert [len(store.history(LAYER, f.feature_id)) for f in features] == [2, 2]
    finally:
        store.close()
