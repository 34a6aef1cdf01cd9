"""The embedded store's account tables: users, login sessions, failed sign-ins per client.

Failure counts change in one ``UPDATE … RETURNING`` (or upsert) each, inside the store's write
transaction, so parallel wrong guesses are all counted; the PostGIS store runs the same SQL.
"""

from __future__ import annotations

import sqlite3

from ..dates import now_utc
from .base import User, name_key
from .gpkg_rows import fetch_all, fetch_one

_UPDATABLE = {"role", "district", "password_hash", "disabled", "failed_logins", "locked_until",
              "must_change_password"}  # fmt: skip


class AccountTables:
    """Mixed into :class:`~xzsdg_geo.store.gpkg.GeoPackageStore`."""

    _conn: sqlite3.Connection

    def add_user(
        self, username: str, role: str, district: str | None, password_hash: str, *, must_change: bool = False
    ) -> None:
        with self.transaction():
            self._conn.execute(
                "INSERT INTO xzsdg_users (username, role, district, password_hash, created_at, name_key,"
                " must_change_password) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (username, role, district, password_hash, now_utc(), name_key(username), int(must_change)),
            )

    def get_user(self, username: str) -> User | None:
        """The account of exactly this name, else the one whose name matches case- and width-insensitively."""
        user = fetch_one(self._conn, User, "SELECT * FROM xzsdg_users WHERE username = ?", (username,))
        if user is None:
            user = fetch_one(
                self._conn, User, "SELECT * FROM xzsdg_users WHERE name_key = ?", (name_key(username),)
            )
        return user

    def users(self) -> list[User]:
        return fetch_all(self._conn, User, "SELECT * FROM xzsdg_users ORDER BY username")

    def update_user(self, username: str, **changes: object) -> None:
        """Set the given columns (role, district, password_hash, disabled, failed_logins, locked_until,
        must_change_password)."""
        if not changes or set(changes) - _UPDATABLE:
            raise ValueError(f"cannot update {sorted(set(changes) - _UPDATABLE)}")
        assignments = ", ".join(f"{k} = ?" for k in changes)
        with self.transaction():
            self._conn.execute(
                f"UPDATE xzsdg_users SET {assignments} WHERE username = ?", (*changes.values(), username)
            )

    def count_login_failure(self, username: str, now: str, limit: int, lock_until: str) -> str | None:
        """Count one failed sign-in atomically; at ``limit`` failures in a row lock the account until
        ``lock_until``. A lock that has run out starts a new count. Returns the lock in force, if any."""
        with self.transaction():
            row = self._conn.execute(
                "UPDATE xzsdg_users SET"
                " failed_logins = CASE WHEN locked_until IS NOT NULL AND locked_until <= ? THEN 1"
                "   ELSE failed_logins + 1 END,"
                " locked_until = CASE WHEN locked_until IS NOT NULL AND locked_until > ? THEN locked_until"
                "   WHEN (CASE WHEN locked_until IS NOT NULL AND locked_until <= ? THEN 1"
                "   ELSE failed_logins + 1 END) >= ? THEN ? ELSE NULL END"
                " WHERE username = ? RETURNING locked_until",
                (now, now, now, limit, lock_until, username),
            ).fetchone()
        return row[0] if row else None

    def count_client_failure(self, client: str, now: str, window_start: str) -> int:
        """Count one failed sign-in from ``client``; a count older than ``window_start`` starts over.
        Returns the failures in the current window."""
        with self.transaction():
            row = self._conn.execute(
                "INSERT INTO xzsdg_login_clients (client, failures, window_start) VALUES (?, 1, ?)"
                " ON CONFLICT (client) DO UPDATE SET"
                " failures = CASE WHEN xzsdg_login_clients.window_start < ? THEN 1"
                "   ELSE xzsdg_login_clients.failures + 1 END,"
                " window_start = CASE WHEN xzsdg_login_clients.window_start < ? THEN excluded.window_start"
                "   ELSE xzsdg_login_clients.window_start END"
                " RETURNING failures",
                (client, now, window_start, window_start),
            ).fetchone()
        return int(row[0])

    def client_failures(self, client: str, window_start: str) -> int:
        """Failed sign-ins from ``client`` since ``window_start``."""
        row = self._conn.execute(
            "SELECT failures FROM xzsdg_login_clients WHERE client = ? AND window_start >= ?",
            (client, window_start),
        ).fetchone()
        return int(row[0]) if row else 0

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

    def end_user_sessions(self, username: str) -> None:
        """End every live session of an account (disabled, or its password reset)."""
        with self.transaction():
            self._conn.execute(
                "UPDATE xzsdg_sessions SET ended_at = ? WHERE username = ? AND ended_at IS NULL",
                (now_utc(), username),
            )
