"""Connecting to PostgreSQL: store URLs, connection errors as clear messages, and the SQL shim.

The GeoPackage store's table modules (workflow, accounts, audit, indicators, rasters) are written
for SQLite: ``?`` placeholders, ``cursor.lastrowid`` and bools stored as 0/1.
The shim gives a psycopg connection exactly those habits, so that their SQL runs here unchanged and
both stores share one implementation of everything but the feature tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING
from urllib.parse import unquote

from ..errors import UserError, shortened

if TYPE_CHECKING:  # psycopg (and libpq) load only when a database server is used
    import psycopg

SCHEMES = ("postgresql", "postgresql+psycopg", "postgres")
CONNECT_TIMEOUT_S = 10


def is_postgres_url(location: str) -> bool:
    return location.split("://", 1)[0].lower() in SCHEMES if "://" in location else False


_PASSWORD_PARAM = re.compile(r"(?i)((?:^|[?&;\s])password\s*=\s*)('[^']*'|[^&;\s]*)")


def redact(location: str) -> str:
    """The location without any password, for messages and logs: the ``user:password@`` form and
    ``password=`` parameters (``?password=…``, libpq's ``key=value`` form). Read by hand rather than
    with ``urlsplit``, which raises on malformed URLs (``postgresql://[::1``) exactly when a clear
    message about them is needed."""
    masked = _PASSWORD_PARAM.sub(r"\1***", location)
    if userinfo := _userinfo(masked):
        user, _, password = userinfo.partition(":")
        if password:
            masked = masked.replace(f"://{userinfo}@", f"://{user}:***@", 1)
    return shortened(masked)


def _userinfo(location: str) -> str | None:
    """``user:password`` of a URL: up to the last ``@`` before the query, so that a ``/`` or ``@``
    typed unencoded in the password is still covered."""
    _, sep, rest = location.partition("://")
    authority = rest.split("?", 1)[0].split("#", 1)[0]
    return authority.rsplit("@", 1)[0] if sep and "@" in authority else None


def _passwords(location: str) -> list[str]:
    """Every password the location spells out, as written and percent-decoded, longest first."""
    found = [m[2].strip("'") for m in _PASSWORD_PARAM.finditer(location)]
    if userinfo := _userinfo(location):
        found.append(userinfo.partition(":")[2])
    return sorted({v for p in found for v in (p, unquote(p)) if v}, key=len, reverse=True)


def scrub(text: str, location: str) -> str:
    """``text`` (a message, a driver's error) with the location's passwords replaced by ``***``."""
    for password in _passwords(location):
        text = text.replace(password, "***")
    return text


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
        detail = scrub(message.splitlines()[0], location) if message else ""
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
