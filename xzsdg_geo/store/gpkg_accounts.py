"""The embedded store's account tables: users and login sessions."""

from __future__ import annotations

import sqlite3

from ..dates import now_utc
from .base import User
from .gpkg_rows import fetch_all, fetch_one


class AccountTables:
    """Mixed into :class:`~xzsdg_geo.store.gpkg.GeoPackageStore`."""

    _conn: sqlite3.Connection

    def add_user(self, username: str, role: str, district: str | None, password_hash: str) -> None:
        with self.transaction():
            self._conn.execute(
                "INSERT INTO xzsdg_users (username, role, district, password_hash, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (username, role, district, password_hash, now_utc()),
            )

    def get_user(self, username: str) -> User | None:
        user = fetch_one(self._conn, User, "SELECT * FROM xzsdg_users WHERE username = ?", (username,))
        return user

    def users(self) -> list[User]:
        return fetch_all(self._conn, User, "SELECT * FROM xzsdg_users ORDER BY username")

    def update_user(self, username: str, **changes: object) -> None:
        """Set the given columns (role, district, password_hash, disabled, failed_logins, locked_until)."""
        allowed = {"role", "district", "password_hash", "disabled", "failed_logins", "locked_until"}
        if not changes or set(changes) - allowed:
            raise ValueError(f"cannot update {sorted(set(changes) - allowed)}")
        assignments = ", ".join(f"{k} = ?" for k in changes)
        with self.transaction():
            self._conn.execute(
                f"UPDATE xzsdg_users SET {assignments} WHERE username = ?", (*changes.values(), username)
            )

    def add_session(self, token_hash: str, username: str, expires_at: str) -> None:
        with self.transaction():
            self._conn.execute(
                "INSERT INTO xzsdg_sessions VALUES (?, ?, ?, ?, NULL)",
                (token_hash, username, now_utc(), expires_at),
            )

    def session_user(self, token_hash: str, now: str) -> str | None:
        """The user of a live session (not ended, not expired)."""
        row = self._conn.execute(
            "SELECT username FROM xzsdg_sessions"
            " WHERE token_hash = ? AND ended_at IS NULL AND expires_at > ?",
            (token_hash, now),
        ).fetchone()
        return row[0] if row else None

    def end_session(self, token_hash: str) -> None:
        with self.transaction():
            self._conn.execute(
                "UPDATE xzsdg_sessions SET ended_at = ? WHERE token_hash = ?", (now_utc(), token_hash)
            )
