"""Connecting to PostgreSQL: store URLs, connection errors as clear messages, and the SQL shim.

The GeoPackage store's table modules (workflow, accounts, audit, indicators, rasters) are written
for SQLite: ``?`` placeholders, ``cursor.lastrowid`` and bools stored as 0/1.
The shim gives a psycopg connection exactly those habits, so that their SQL runs here unchanged and
both stores share one implementation of everything but the feature tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from ..errors import UserError

if TYPE_CHECKING:  # psycopg (and libpq) load only when a database server is used
    import psycopg

SCHEMES = ("postgresql", "postgresql+psycopg", "postgres")
CONNECT_TIMEOUT_S = 10


def is_postgres_url(location: str) -> bool:
    return location.split("://", 1)[0].lower() in SCHEMES if "://" in location else False


def redact(location: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(location)
    if parts.password is None:
        return location
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def conninfo(location: str) -> str:
    """What libpq understands: SQLAlchemy's ``postgresql+psycopg://`` spelling becomes ``postgresql://``."""
    scheme, rest = location.split("://", 1)
    return f"postgresql://{rest}" if scheme.lower() in SCHEMES else location


def _connect_error_key(message: str) -> str:
    """libpq reports startup failures as text only (no SQLSTATE), so the kind is read from it."""
    if "does not exist" in message and "database" in message:
        return "store.missing"
    if "authentication failed" in message or "no pg_hba.conf entry" in message:
        return "store.access_denied"
    return "store.unreachable"


def connect(location: str) -> psycopg.Connection:
    """An autocommit connection (the store opens its own transactions), or a clear refusal."""
    import psycopg

    try:
        return psycopg.connect(
            conninfo(location), autocommit=True, connect_timeout=CONNECT_TIMEOUT_S, application_name="xzsdg"
        )
    except psycopg.ProgrammingError:
        raise UserError("store.bad_url", location=redact(location)) from None
    except psycopg.OperationalError as err:
        message = str(err).strip()
        if message.startswith("connection is bad"):
            raise UserError("store.bad_url", location=redact(location)) from None
        detail = message.splitlines()[0] if message else ""
        raise UserError(_connect_error_key(message), path=redact(location), detail=detail) from None


class QmarkCursor:
    """A psycopg cursor with SQLite's ``lastrowid``: the id just drawn from an identity column."""

    def __init__(self, cursor: psycopg.Cursor) -> None:
        self._cursor = cursor

    def __getattr__(self, name: str) -> object:
        return getattr(self._cursor, name)

    def __iter__(self):
        return iter(self._cursor)

    @property
    def lastrowid(self) -> int:
        return self._cursor.connection.execute("SELECT lastval()").fetchone()[0]


class QmarkConnection:
    """``execute``/``executemany`` with ``?`` placeholders and SQLite's value habits (a bool is 0/1)."""

    def __init__(self, raw: psycopg.Connection) -> None:
        self.raw = raw

    @staticmethod
    def _sql(sql: str) -> str:
        return sql.replace("%", "%%").replace("?", "%s")

    @staticmethod
    def _params(params: Sequence) -> tuple:
        return tuple(int(v) if isinstance(v, bool) else v for v in params)

    def execute(self, sql: str, params: Sequence | None = None) -> QmarkCursor:
        if params is None:  # psycopg reads no placeholders then: the SQL goes as written
            return QmarkCursor(self.raw.execute(sql))
        return QmarkCursor(self.raw.execute(self._sql(sql), self._params(params)))

    def executemany(self, sql: str, rows: Iterable[Sequence]) -> None:
        with self.raw.cursor() as cur:
            cur.executemany(self._sql(sql), [self._params(r) for r in rows])

    def close(self) -> None:
        self.raw.close()
