"""The embedded store's audit log: append-only (triggers refuse UPDATE and DELETE)."""

from __future__ import annotations

import json
import sqlite3

from .base import AuditEntry

_JSON_COLUMNS = ("feature_ids", "before_hashes", "after_hashes", "detail")


class AuditTables:
    """Mixed into :class:`~xzsdg_geo.store.gpkg.GeoPackageStore`."""

    _conn: sqlite3.Connection

    def append_audit(self, entry: AuditEntry) -> None:
        with self.transaction():
            self._conn.execute(
                "INSERT INTO xzsdg_audit (at, actor, action, submission_id, layer, feature_ids,"
                " before_hashes, after_hashes, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (entry.at, entry.actor, entry.action, entry.submission_id, entry.layer,
                 *(json.dumps(getattr(entry, c), ensure_ascii=False) for c in _JSON_COLUMNS)),
            )  # fmt: skip

    def audit(self, since: str | None = None, submission_id: int | None = None) -> list[AuditEntry]:
        clauses = [c for c, v in (("at >= ?", since), ("submission_id = ?", submission_id)) if v is not None]
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        params = tuple(v for v in (since, submission_id) if v is not None)
        cur = self._conn.execute(f"SELECT * FROM xzsdg_audit {where} ORDER BY id", params)
        names = [d[0] for d in cur.description]
        entries = []
        for row in cur.fetchall():
            values = dict(zip(names, row, strict=True))
            for column in _JSON_COLUMNS:
                values[column] = json.loads(values[column])
            entries.append(AuditEntry(**values))
        return entries
