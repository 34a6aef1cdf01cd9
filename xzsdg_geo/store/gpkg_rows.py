"""Small helpers for turning SQLite rows into the store's dataclasses."""

from __future__ import annotations

import sqlite3
from typing import TypeVar

T = TypeVar("T")


def fetch_all(conn: sqlite3.Connection, cls: type[T], sql: str, params: tuple = ()) -> list[T]:
    """Rows as ``cls`` instances, matched by column name."""
    cur = conn.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [cls(**dict(zip(names, row, strict=True))) for row in cur.fetchall()]


def fetch_one(conn: sqlite3.Connection, cls: type[T], sql: str, params: tuple = ()) -> T | None:
    rows = fetch_all(conn, cls, sql, params)
    return rows[0] if rows else None
