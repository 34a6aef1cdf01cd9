"""The embedded store's indicator table: yearly actuals of the plan's indicators, with history.

Like the features, a value is never changed in place: a correction closes the row in force
(``valid_to``) and adds a new one, so the tracker can show who entered what, and when.
"""

from __future__ import annotations

import sqlite3

from ..dates import now_utc
from .base import IndicatorValue
from .gpkg_rows import fetch_all

_COLUMNS = "id, no, year, value, recorded_by, valid_from, valid_to, note"


class IndicatorTables:
    """Mixed into :class:`~xzsdg_geo.store.gpkg.GeoPackageStore`; uses its connection and transactions."""

    _conn: sqlite3.Connection

    def record_indicator_value(
        self, no: int, year: int, value: float, *, by: str, note: str | None = None
    ) -> IndicatorValue | None:
        stamp = now_utc()
        with self.transaction():
            current = self._in_force(no, year)
            if current is not None and current.value == value and current.note == note:
                return None
            if current is not None:
                self._conn.execute(
                    "UPDATE xzsdg_indicator_values SET valid_to = ? WHERE id = ?", (stamp, current.id)
                )
            cur = self._conn.execute(
                "INSERT INTO xzsdg_indicator_values (no, year, value, recorded_by, valid_from, note)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (no, year, value, by, stamp, note),
            )
        return IndicatorValue(int(cur.lastrowid), no, year, value, by, stamp, None, note)

    def _in_force(self, no: int, year: int) -> IndicatorValue | None:
        rows = fetch_all(
            self._conn,
            IndicatorValue,
            f"SELECT {_COLUMNS} FROM xzsdg_indicator_values WHERE no = ? AND year = ? AND valid_to IS NULL",
            (no, year),
        )
        return rows[0] if rows else None

    def indicator_values(self, year: int | None = None, at: str | None = None) -> list[IndicatorValue]:
        clauses, params = (["valid_to IS NULL"], []) if at is None else (
            ["valid_from <= ?", "(valid_to IS NULL OR valid_to > ?)"], [at, at])  # fmt: skip
        if year is not None:
            clauses.append("year = ?")
            params.append(year)
        sql = f"SELECT {_COLUMNS} FROM xzsdg_indicator_values WHERE {' AND '.join(clauses)} ORDER BY no, year"
        return fetch_all(self._conn, IndicatorValue, sql, tuple(params))

    def indicator_history(self, no: int, year: int | None = None) -> list[IndicatorValue]:
        where, params = ("no = ?", (no,)) if year is None else ("no = ? AND year = ?", (no, year))
        return fetch_all(
            self._conn, IndicatorValue,
            f"SELECT {_COLUMNS} FROM xzsdg_indicator_values WHERE {where} ORDER BY year, id", params,
        )  # fmt: skip
