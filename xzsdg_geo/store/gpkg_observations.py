"""Subsidence observations of the monitoring points (观测成果), with history, on both backends.

One row per (point, date) in force: a re-surveyed or corrected value closes the row in force
(``valid_to``) and adds a new one, so stability verdicts can be reproduced as recorded at any time.
Like the indicator table, it is shared by both stores (written with ``?`` placeholders).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from ..dates import now_utc
from .base import Observation, ObservationRow
from .gpkg_rows import fetch_all

_COLUMNS = "id, point_id, observed_on, subsidence_mm, recorded_by, valid_from, valid_to, source"


class ObservationTables:
    """Mixed into both stores; uses their connection and transactions."""

    _conn: sqlite3.Connection

    def record_observations(self, rows: Sequence[ObservationRow], *, by: str, source: str) -> int:
        stamp = now_utc()
        written = 0
        with self.transaction():  # type: ignore[attr-defined]
            for row in rows:
                current = self._observation_in_force(row.point_id, row.observed_on)
                if current is not None and current.subsidence_mm == row.subsidence_mm:
                    continue
                if current is not None:
                    self._conn.execute(
                        "UPDATE xzsdg_observations SET valid_to = ? WHERE id = ?", (stamp, current.id)
                    )
                self._conn.execute(
                    "INSERT INTO xzsdg_observations (point_id, observed_on, subsidence_mm, recorded_by,"
                    " valid_from, source) VALUES (?, ?, ?, ?, ?, ?)",
                    (row.point_id, row.observed_on, row.subsidence_mm, by, stamp, source),
                )
                written += 1
        return written

    def _observation_in_force(self, point_id: str, observed_on: str) -> Observation | None:
        rows = fetch_all(
            self._conn,
            Observation,
            f"SELECT {_COLUMNS} FROM xzsdg_observations WHERE point_id = ? AND observed_on = ?"
            " AND valid_to IS NULL",
            (point_id, observed_on),
        )
        return rows[0] if rows else None

    def observations(
        self, point_ids: Sequence[str] | None = None, at: str | None = None
    ) -> list[Observation]:
        clauses, params = (
            (["valid_to IS NULL"], [])
            if at is None
            else (["valid_from <= ?", "(valid_to IS NULL OR valid_to > ?)"], [at, at])
        )
        if point_ids is not None:
            if not point_ids:
                return []
            clauses.append(f"point_id IN ({', '.join('?' * len(point_ids))})")
            params.extend(point_ids)
        where = " AND ".join(clauses)
        sql = f"SELECT {_COLUMNS} FROM xzsdg_observations WHERE {where} ORDER BY point_id, observed_on"
        return fetch_all(self._conn, Observation, sql, tuple(params))
