"""The embedded store's review-workflow tables: kept files, uploads, submissions, their changes."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Sequence

import numpy as np

from ..dates import now_utc
from ..errors import Term, UserError
from . import geom_blob
from .base import FeatureChange, NewFeature, Submission, Upload, canonical_value
from .gpkg_rows import fetch_all, fetch_one

_SRS_ID = 4490
# Bytes arriving for content first seen too large are filled in (the trigger allows only that).
_KEEP_FILE = (
    "INSERT INTO xzsdg_files (sha256, size, data, first_seen, kept) VALUES (?, ?, ?, ?, 1)"
    " ON CONFLICT (sha256) DO UPDATE SET data = excluded.data, kept = 1 WHERE xzsdg_files.kept = 0"
)
_NOTE_FILE = (
    "INSERT INTO xzsdg_files (sha256, size, data, first_seen, kept) VALUES (?, ?, ?, ?, 0)"
    " ON CONFLICT (sha256) DO NOTHING"
)


class WorkflowTables:
    """Mixed into :class:`~xzsdg_geo.store.gpkg.GeoPackageStore`; uses its connection and transactions."""

    _conn: sqlite3.Connection

    # -- what users sent -------------------------------------------------------------------------
    def add_upload(
        self,
        data: bytes,
        filename: str,
        layer: str,
        by: str,
        accepted: bool,
        report: dict,
        *,
        keep: bool = True,
    ) -> Upload:
        """Record who sent a file, when, and the verdict; keep its bytes (once per content) unless
        ``keep`` is False (refused by its size: then only its hash and size are recorded)."""
        sha = hashlib.sha256(data).hexdigest()
        stamp = now_utc()
        with self.transaction():
            self._conn.execute(
                _KEEP_FILE if keep else _NOTE_FILE, (sha, len(data), data if keep else b"", stamp)
            )
            cur = self._conn.execute(
                "INSERT INTO xzsdg_uploads (sha256, filename, layer, uploaded_by, uploaded_at, accepted,"
                " report) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (sha, filename, layer, by, stamp, int(accepted), json.dumps(report, ensure_ascii=False)),
            )
        return Upload(int(cur.lastrowid), sha, filename, layer, by, stamp, accepted, report)

    def file_size(self, sha256: str) -> tuple[int, bool]:
        """A sent file's size in bytes, and whether its bytes are kept."""
        row = self._conn.execute("SELECT size, kept FROM xzsdg_files WHERE sha256 = ?", (sha256,)).fetchone()
        if row is None:
            raise UserError("upload.file_missing", sha=sha256)
        return int(row[0]), bool(row[1])

    def get_upload(self, upload_id: int) -> Upload:
        row = self._conn.execute("SELECT * FROM xzsdg_uploads WHERE id = ?", (upload_id,)).fetchone()
        if row is None:
            raise UserError("upload.not_found", id=upload_id)
        return Upload(row[0], row[1], row[2], row[3], row[4], row[5], bool(row[6]), json.loads(row[7]))

    def uploads(self, by: str | None = None) -> list[Upload]:
        where, params = ("WHERE uploaded_by = ?", (by,)) if by else ("", ())
        ids = self._conn.execute(f"SELECT id FROM xzsdg_uploads {where} ORDER BY id", params).fetchall()
        return [self.get_upload(i) for (i,) in ids]

    def file_bytes(self, sha256: str) -> bytes:
        row = self._conn.execute("SELECT data, kept FROM xzsdg_files WHERE sha256 = ?", (sha256,)).fetchone()
        if row is None:
            raise UserError("upload.file_missing", sha=sha256)
        if not row[1]:
            raise UserError("secup.bytes_not_kept", sha=sha256[:12])
        return bytes(row[0])

    # -- submissions ------------------------------------------------------------------------------
    def add_submission(
        self,
        layer: str,
        upload_id: int,
        features: Sequence[NewFeature],
        *,
        by: str,
        note: str | None = None,
        answers: int | None = None,
        replace_district: str | None = None,
    ) -> Submission:
        blobs = geom_blob.encode(np.array([f.geometry for f in features], dtype=object), _SRS_ID)
        with self.transaction():
            cur = self._conn.execute(
                "INSERT INTO xzsdg_submissions (layer, upload_id, submitted_by, submitted_at, note, answers,"
                " replace_district, status) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')",
                (layer, upload_id, by, now_utc(), note, answers, replace_district),
            )
            sid = int(cur.lastrowid)
            self._conn.executemany(
                "INSERT INTO xzsdg_submission_features VALUES (?, ?, ?, ?, ?)",
                [
                    (sid, i, f.feature_id, blob, _properties_json(f.properties))
                    for i, (f, blob) in enumerate(zip(features, blobs, strict=True))
                ],
            )
        return self.get_submission(sid)

    def get_submission(self, submission_id: int) -> Submission:
        found = fetch_one(
            self._conn, Submission, "SELECT * FROM xzsdg_submissions WHERE id = ?", (submission_id,)
        )
        if found is None:
            raise UserError("submission.not_found", id=submission_id)
        return found

    def submissions(self, status: str | None = None, by: str | None = None) -> list[Submission]:
        clauses = [c for c, v in (("status = ?", status), ("submitted_by = ?", by)) if v]
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        params = tuple(v for v in (status, by) if v)
        sql = f"SELECT * FROM xzsdg_submissions {where} ORDER BY id"
        return fetch_all(self._conn, Submission, sql, params)

    def submission_features(self, submission_id: int) -> list[NewFeature]:
        rows = self._conn.execute(
            "SELECT feature_id, geom, properties FROM xzsdg_submission_features"
            " WHERE submission_id = ? ORDER BY idx",
            (submission_id,),
        ).fetchall()
        geoms = geom_blob.decode([r[1] for r in rows]) if rows else []
        return [NewFeature(r[0], g, json.loads(r[2])) for r, g in zip(rows, geoms, strict=True)]

    def set_submission_status(
        self, submission_id: int, expected: str, status: str, *, by: str, comment: str | None = None
    ) -> None:
        """Move a submission on, only from ``expected``: a second reviewer acting on a stale view
        gets a clear refusal instead of a double approval."""
        sets: dict[str, object] = {"status": status}
        if status == "undone":
            sets |= {"undone_by": by, "undone_at": now_utc()}
        elif status != "answered":  # answering keeps the review that asked for changes
            sets |= {"reviewed_by": by, "reviewed_at": now_utc(), "review_comment": comment}
        assignments = ", ".join(f"{k} = ?" for k in sets)
        with self.transaction():
            cur = self._conn.execute(
                f"UPDATE xzsdg_submissions SET {assignments} WHERE id = ? AND status = ?",
                (*sets.values(), submission_id, expected),
            )
            if cur.rowcount != 1:
                current = self.get_submission(submission_id)
                raise UserError(
                    "submission.state_changed", id=submission_id, status=Term(f"status.{current.status}"),
                    by=current.reviewed_by or current.undone_by or "—",
                )  # fmt: skip

    def record_changes(self, submission_id: int, changes: Sequence[FeatureChange]) -> None:
        with self.transaction():
            self._conn.executemany(
                "INSERT INTO xzsdg_submission_changes VALUES (?, ?, ?, ?)",
                [(submission_id, c.feature_id, c.before_version, c.after_version) for c in changes],
            )

    def submission_changes(self, submission_id: int) -> list[FeatureChange]:
        return fetch_all(
            self._conn, FeatureChange,
            "SELECT feature_id, before_version, after_version FROM xzsdg_submission_changes"
            " WHERE submission_id = ? ORDER BY feature_id",
            (submission_id,),
        )  # fmt: skip


def _properties_json(properties: dict) -> str:
    return json.dumps({k: canonical_value(v) for k, v in properties.items()}, ensure_ascii=False)
