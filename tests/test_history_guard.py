"""The database itself refuses what would rewrite history, below the services (raw SQL, both stores)."""

from __future__ import annotations

import pytest

from xzsdg_geo.services import review
from xzsdg_geo.services.auth import principal_of
from xzsdg_geo.store import NewFeature


def _refused(store, sql: str, params: tuple = ()) -> str:
    """Run raw SQL the way an intruder with the app's connection would; return the refusal."""
    with pytest.raises(Exception) as err, store.transaction():  # sqlite3's and psycopg's own types
        store._conn.execute(sql, params)
    return str(err.value)


def _allowed(store, sql: str, params: tuple = ()) -> None:
    with store.transaction():
        store._conn.execute(sql, params)


def _submission(store) -> int:
    zone = store.features("subsidence_zones").iloc[0]
    props = {k: zone[k] for k in ("zone_id", "name", "severity", "mine")}
    upload = store.add_upload(b"bytes kept", "z.geojson", "subsidence_zones", "field_team", True, {})
    feature = NewFeature(zone.feature_id, zone.geometry, props)
    return store.add_submission("subsidence_zones", upload.id, [feature], by="field_team").id


def test_a_version_cannot_be_closed_before_it_begins(sample_store):
    row = sample_store.features("subsidence_zones").iloc[0]
    sql = "UPDATE subsidence_zones SET valid_to = ? WHERE feature_id = ? AND valid_to IS NULL"
    backwards = ("2000-01-01T00:00:00.000000Z", row.feature_id)
    assert "cannot end before it begins" in _refused(sample_store, sql, backwards)
    assert row.feature_id in set(sample_store.features("subsidence_zones")["feature_id"])
    _allowed(sample_store, sql, ("9000-01-01T00:00:00.000000Z", row.feature_id))  # a real close still works


def test_a_decided_submission_cannot_be_reset_or_rewritten(sample_store):
    sid = _submission(sample_store)
    review.decide(sample_store, principal_of(sample_store, "reviewer"), sid, "reject", "不合格")
    for sql in (
        "UPDATE xzsdg_submissions SET status = 'pending' WHERE id = ?",
        "UPDATE xzsdg_submissions SET status = 'approved' WHERE id = ?",
        "UPDATE xzsdg_submissions SET review_comment = '好' WHERE id = ?",
        "UPDATE xzsdg_submissions SET reviewed_by = 'admin' WHERE id = ?",
        "UPDATE xzsdg_submissions SET reviewed_at = NULL WHERE id = ?",
        "UPDATE xzsdg_submissions SET status = 'answered' WHERE id = ?",  # only needs_changes is answered
    ):
        assert "decided submission" in _refused(sample_store, sql, (sid,)), sql
    after = sample_store.get_submission(sid)
    assert (after.status, after.reviewed_by, after.review_comment) == ("rejected", "reviewer", "不合格")


def test_the_workflow_s_own_transitions_stay_legal(sample_store):
    reviewer = principal_of(sample_store, "reviewer")
    asked = _submission(sample_store)
    review.decide(sample_store, reviewer, asked, "needs_changes", "补充")
    _allowed(sample_store, "UPDATE xzsdg_submissions SET status = 'answered' WHERE id = ?", (asked,))
    assert "decided submission" in _refused(
        sample_store, "UPDATE xzsdg_submissions SET status = 'needs_changes' WHERE id = ?", (asked,)
    )
    approved = _submission(sample_store)
    review.decide(sample_store, reviewer, approved, "approve")
    review.undo(sample_store, reviewer, approved)
    assert sample_store.get_submission(approved).status == "undone"
    for sql in (
        "UPDATE xzsdg_submissions SET status = 'approved' WHERE id = ?",
        "UPDATE xzsdg_submissions SET undone_by = 'x' WHERE id = ?",
    ):
        assert "decided submission" in _refused(sample_store, sql, (approved,)), sql
    pending = _submission(sample_store)
    assert "decided submission" in _refused(
        sample_store, "UPDATE xzsdg_submissions SET status = 'undone' WHERE id = ?", (pending,)
    )


def test_upload_bytes_and_rows_cannot_be_deleted_or_changed(sample_store):
    sid = _submission(sample_store)
    upload = sample_store.get_upload(sample_store.get_submission(sid).upload_id)
    assert "kept for ever" in _refused(
        sample_store, "DELETE FROM xzsdg_files WHERE sha256 = ?", (upload.sha256,)
    )
    assert "kept for ever" in _refused(sample_store, "UPDATE xzsdg_files SET data = ? WHERE sha256 = ?",
                                       (b"", upload.sha256))  # fmt: skip
    assert "append-only" in _refused(sample_store, "DELETE FROM xzsdg_uploads")
    assert sample_store.file_bytes(upload.sha256) == b"bytes kept"
    assert sample_store.get_upload(upload.id) == upload


def test_truncate_is_refused_on_postgis(sample_store):
    if not sample_store.location.startswith("postgresql"):
        pytest.skip("TRUNCATE is PostgreSQL's")
    _submission(sample_store)
    for table, message in (("xzsdg_files", "kept for ever"), ("xzsdg_uploads", "append-only"),
                           ("xzsdg_submissions", "decided submission")):  # fmt: skip
        assert message in _refused(sample_store, f"TRUNCATE {table} CASCADE")
    assert sample_store.uploads() and sample_store.submissions()
