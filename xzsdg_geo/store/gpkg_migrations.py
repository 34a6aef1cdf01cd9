"""Numbered schema steps. Version 1 is the OGC core, the layer tables and import provenance
(``gpkg_schema``); each later version lists the statements that bring a store up to it."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

from ..layers import all_layers
from .gpkg_rtree import add_rtree

_NO_CHANGE = "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"

WORKFLOW = [
    """CREATE TABLE xzsdg_files (
      sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, data BLOB NOT NULL, first_seen TEXT NOT NULL)""",
    """CREATE TABLE xzsdg_uploads (
      id INTEGER PRIMARY KEY AUTOINCREMENT, sha256 TEXT NOT NULL REFERENCES xzsdg_files(sha256),
      filename TEXT NOT NULL, layer TEXT NOT NULL, uploaded_by TEXT NOT NULL, uploaded_at TEXT NOT NULL,
      accepted INTEGER NOT NULL, report TEXT NOT NULL)""",
    """CREATE TABLE xzsdg_submissions (
      id INTEGER PRIMARY KEY AUTOINCREMENT, layer TEXT NOT NULL,
      upload_id INTEGER NOT NULL REFERENCES xzsdg_uploads(id), submitted_by TEXT NOT NULL,
      submitted_at TEXT NOT NULL, note TEXT, answers INTEGER REFERENCES xzsdg_submissions(id),
      replace_district TEXT, status TEXT NOT NULL, reviewed_by TEXT, reviewed_at TEXT,
      review_comment TEXT, undone_by TEXT, undone_at TEXT)""",
    "CREATE INDEX xzsdg_submissions_status ON xzsdg_submissions (status, id)",
    """CREATE TABLE xzsdg_submission_features (
      submission_id INTEGER NOT NULL REFERENCES xzsdg_submissions(id), idx INTEGER NOT NULL,
      feature_id TEXT NOT NULL, geom BLOB NOT NULL, properties TEXT NOT NULL,
      PRIMARY KEY (submission_id, idx))""",
    """CREATE TABLE xzsdg_submission_changes (
      submission_id INTEGER NOT NULL REFERENCES xzsdg_submissions(id), feature_id TEXT NOT NULL,
      before_version INTEGER, after_version INTEGER, PRIMARY KEY (submission_id, feature_id))""",
    """CREATE TABLE xzsdg_users (
      username TEXT PRIMARY KEY, role TEXT NOT NULL, district TEXT, password_hash TEXT NOT NULL,
      created_at TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,
      failed_logins INTEGER NOT NULL DEFAULT 0, locked_until TEXT)""",
    """CREATE TABLE xzsdg_sessions (
      token_hash TEXT PRIMARY KEY, username TEXT NOT NULL REFERENCES xzsdg_users(username),
      created_at TEXT NOT NULL, expires_at TEXT NOT NULL, ended_at TEXT)""",
    """CREATE TABLE xzsdg_audit (
      id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
      submission_id INTEGER, layer TEXT, feature_ids TEXT NOT NULL DEFAULT '[]',
      before_hashes TEXT NOT NULL DEFAULT '{}', after_hashes TEXT NOT NULL DEFAULT '{}',
      detail TEXT NOT NULL DEFAULT '{}')""",
    f"CREATE TRIGGER xzsdg_audit_no_update BEFORE UPDATE ON xzsdg_audit {_NO_CHANGE}",
    f"CREATE TRIGGER xzsdg_audit_no_delete BEFORE DELETE ON xzsdg_audit {_NO_CHANGE}",
]

# The plan's indicators: yearly actuals entered by administrators, versioned like the features (a
# correction closes the value in force and adds a new row; nothing is deleted).
_INDICATOR_FROZEN = ("no", "year", "value", "recorded_by", "valid_from", "note")
INDICATOR_VALUES = [
    """CREATE TABLE xzsdg_indicator_values (
      id INTEGER PRIMARY KEY AUTOINCREMENT, no INTEGER NOT NULL, year INTEGER NOT NULL, value REAL NOT NULL,
      recorded_by TEXT NOT NULL, valid_from TEXT NOT NULL, valid_to TEXT, note TEXT)""",
    "CREATE UNIQUE INDEX xzsdg_indicator_values_current ON xzsdg_indicator_values (no, year)"
    " WHERE valid_to IS NULL",
    "CREATE INDEX xzsdg_indicator_values_valid ON xzsdg_indicator_values (valid_from, valid_to)",
    "CREATE TRIGGER xzsdg_indicator_values_no_delete BEFORE DELETE ON xzsdg_indicator_values"
    " BEGIN SELECT RAISE(ABORT, 'indicator history is append-only'); END",
    "CREATE TRIGGER xzsdg_indicator_values_close_only BEFORE UPDATE ON xzsdg_indicator_values"
    f" WHEN OLD.valid_to IS NOT NULL OR {' OR '.join(f'NEW.{c} IS NOT OLD.{c}' for c in _INDICATOR_FROZEN)}"
    " BEGIN SELECT RAISE(ABORT, 'a recorded indicator value can only be closed'); END",
]

# Rasters (remote-sensing images, land cover): a catalog row per registered file. The bytes are in
# xzsdg_files when ``in_store`` (small files), else a content-addressed file in the store's raster folder
# (``<store>.rasters/<sha256>.tif``), so a large image is read by windows straight from disk.
RASTERS = [
    """CREATE TABLE xzsdg_rasters (
      id INTEGER PRIMARY KEY AUTOINCREMENT, sha256 TEXT NOT NULL UNIQUE, filename TEXT NOT NULL,
      kind TEXT NOT NULL, acquired_on TEXT NOT NULL, crs TEXT NOT NULL, width INTEGER NOT NULL,
      height INTEGER NOT NULL, res_x REAL NOT NULL, res_y REAL NOT NULL, west REAL NOT NULL,
      south REAL NOT NULL, east REAL NOT NULL, north REAL NOT NULL, dtype TEXT NOT NULL, nodata REAL,
      size INTEGER NOT NULL, in_store INTEGER NOT NULL, registered_by TEXT NOT NULL,
      registered_at TEXT NOT NULL)""",
    "CREATE INDEX xzsdg_rasters_kind ON xzsdg_rasters (kind, acquired_on)",
    "CREATE TRIGGER xzsdg_rasters_no_change BEFORE UPDATE ON xzsdg_rasters"
    " BEGIN SELECT RAISE(ABORT, 'the raster catalog is append-only'); END",
    "CREATE TRIGGER xzsdg_rasters_no_delete BEFORE DELETE ON xzsdg_rasters"
    " BEGIN SELECT RAISE(ABORT, 'the raster catalog is append-only'); END",
]


# -- 5: history defended by the file itself, below the services ------------------------------------
# A decision moves a submission on once, along these edges; nothing leaves a final state, and a
# decided submission's reviewer, time and comment never change. ``answered``: a resubmission
# answered a request for changes; ``undone``: an approval was reversed (its reviewer stays).
DECISION_EDGES: dict[str, tuple[str, ...]] = {
    "pending": ("pending", "approved", "rejected", "needs_changes"),
    "needs_changes": ("answered",),
    "approved": ("undone",),
}
_DECISION = ("reviewed_by", "reviewed_at", "review_comment")
_UNDO = ("undone_by", "undone_at")
_BACKWARDS = "NEW.valid_to < NEW.valid_from"
BACKWARDS_MESSAGE = "a version cannot end before it begins"
DECIDED_MESSAGE = "a decided submission cannot be changed"
FILES_MESSAGE = "uploaded files are kept for ever"
UPLOADS_MESSAGE = "the upload log is append-only"


def _quoted(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def decision_refused(differs: str) -> str:
    """The condition (SQL, over OLD/NEW) of an update a submission's history does not allow;
    ``differs`` is the dialect's null-safe "is different" operator."""

    def changed(columns: tuple[str, ...]) -> str:
        return " OR ".join(f"NEW.{c} {differs} OLD.{c}" for c in columns)

    edges = " OR ".join(
        f"(OLD.status = '{old}' AND NEW.status IN ({_quoted(new)}))" for old, new in DECISION_EDGES.items()
    )
    stays = f"(NEW.status = OLD.status AND NOT ({changed(_UNDO)}))"
    undo_only = f"(NEW.status = 'undone' OR NOT ({changed(_UNDO)}))"
    return (
        f"OLD.status <> 'pending' AND (({changed(_DECISION)}) OR NOT ({stays} OR {edges}) OR NOT {undo_only})"
        f" OR OLD.status = 'pending' AND NOT ({edges})"
    )


def backwards_trigger(table: str) -> str:
    """Refuses closing a version before its start: the feature would vanish from every date."""
    return (
        f'CREATE TRIGGER IF NOT EXISTS "{table}_valid_order" BEFORE UPDATE ON "{table}" WHEN {_BACKWARDS}'
        f" BEGIN SELECT RAISE(ABORT, '{BACKWARDS_MESSAGE}'); END"
    )


def _layer_tables_in_order(conn: sqlite3.Connection) -> None:
    """The layer tables the store already has get the valid-order trigger (new ones get it made)."""
    have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    for table in sorted(have & set(all_layers())):
        conn.execute(backwards_trigger(table))


def _refuse(message: str) -> str:
    return f"BEGIN SELECT RAISE(ABORT, '{message}'); END"


HISTORY_DEFENDED: list[str | Callable[[sqlite3.Connection], None]] = [
    _layer_tables_in_order,
    backwards_trigger("xzsdg_indicator_values"),
    "CREATE TRIGGER IF NOT EXISTS xzsdg_submissions_decided BEFORE UPDATE ON xzsdg_submissions"
    f" WHEN {decision_refused('IS NOT')} {_refuse(DECIDED_MESSAGE)}",
    "CREATE TRIGGER IF NOT EXISTS xzsdg_files_no_delete BEFORE DELETE ON xzsdg_files"
    f" {_refuse(FILES_MESSAGE)}",
    "CREATE TRIGGER IF NOT EXISTS xzsdg_files_no_change BEFORE UPDATE ON xzsdg_files"
    f" WHEN NEW.sha256 IS NOT OLD.sha256 OR NEW.data IS NOT OLD.data {_refuse(FILES_MESSAGE)}",
    "CREATE TRIGGER IF NOT EXISTS xzsdg_uploads_no_delete BEFORE DELETE ON xzsdg_uploads"
    f" {_refuse(UPLOADS_MESSAGE)}",
]

# A file refused by its size is not kept: its row in xzsdg_files carries the hash, size and first
# arrival but no bytes (kept = 0). Kept bytes never change; a not-kept row may only be filled,
# once, when the same content later arrives within the limit.
_FILES_FROZEN = ("sha256", "size", "first_seen")


def add_column(table: str, column: str, definition: str) -> Callable[[sqlite3.Connection], None]:
    """A step adding a column unless the table has it: SQLite has no ``ADD COLUMN IF NOT EXISTS``,
    and steps stay safe to run again on a store they already reached."""

    def step(conn: sqlite3.Connection) -> None:
        if column not in {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')}:
            conn.execute(f'ALTER TABLE "{table}" ADD COLUMN {column} {definition}')

    return step


UNKEPT_FILES: list[str | Callable[[sqlite3.Connection], None]] = [
    "DROP TRIGGER IF EXISTS xzsdg_files_no_change",  # step 5's: kept bytes never change, as below
    add_column("xzsdg_files", "kept", "INTEGER NOT NULL DEFAULT 1"),
    "CREATE TRIGGER IF NOT EXISTS xzsdg_files_fill_only BEFORE UPDATE ON xzsdg_files"
    " WHEN OLD.kept = 1 OR NEW.kept IS NOT 1 OR "
    + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in _FILES_FROZEN)
    + f" BEGIN SELECT RAISE(ABORT, '{FILES_MESSAGE}'); END",
]

def _retype_times(conn: sqlite3.Connection, table: str) -> None:
    """Declare ``valid_from``/``valid_to`` DATETIME in a table made when they were TEXT.

    SQLite cannot alter a column's type; rebuilding each table would drop its triggers and
    re-number nothing but cost a copy of all history. The declared type is only text in the schema
    (the values stay ISO 8601 text either way), so the schema entry is edited in place, the change
    the SQLite manual documents for writable_schema, and the schema cookie bumped so every connection
    reloads it.
    """
    (sql,) = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()
    retyped = sql.replace(
        "valid_from TEXT NOT NULL, valid_to TEXT,", "valid_from DATETIME NOT NULL, valid_to DATETIME,"
    )
    if retyped == sql:
        return
    (cookie,) = conn.execute("PRAGMA schema_version").fetchone()
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", (retyped, table))
    conn.execute(f"PRAGMA schema_version = {cookie + 1}")
    conn.execute("PRAGMA writable_schema = OFF")


def shareable(conn: sqlite3.Connection) -> None:
    """Version 9: a file a bureau can hand to QGIS users. OGC's required EPSG:4326 row, an R-tree
    per layer table, DATETIME version columns, the views titled as the layers and the tables as their
    history, and ``layer_styles`` (registered, which also keeps GDAL from listing unregistered tables)."""
    from .gpkg_schema import LAYER_STYLES_DDL, SRS_ROWS, refresh_styles, retitle  # gpkg_schema imports us

    conn.execute(
        "CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT, column_name TEXT,"
        " extension_name TEXT NOT NULL, definition TEXT NOT NULL, scope TEXT NOT NULL,"
        " CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))"
    )
    conn.executemany("INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)", SRS_ROWS)
    tables = {r[0] for r in conn.execute("SELECT table_name FROM gpkg_contents")}
    specs = [spec for spec in all_layers().values() if spec.name in tables]
    for spec in specs:
        _retype_times(conn, spec.name)
        add_rtree(conn, spec.name)
        retitle(conn, spec)
    for statement in LAYER_STYLES_DDL:
        conn.execute(statement)
    refresh_styles(conn, specs)


# Subsidence observations of the monitoring points: versioned like the indicator values.
_OBSERVATION_FROZEN = ("point_id", "observed_on", "subsidence_mm", "recorded_by", "valid_from", "source")
OBSERVATIONS = [  # safe to run again on a store that has them
    """CREATE TABLE IF NOT EXISTS xzsdg_observations (
      id INTEGER PRIMARY KEY AUTOINCREMENT, point_id TEXT NOT NULL, observed_on TEXT NOT NULL,
      subsidence_mm REAL NOT NULL, recorded_by TEXT NOT NULL, valid_from TEXT NOT NULL, valid_to TEXT,
      source TEXT NOT NULL)""",
    "CREATE UNIQUE INDEX IF NOT EXISTS xzsdg_observations_current"
    " ON xzsdg_observations (point_id, observed_on) WHERE valid_to IS NULL",
    "CREATE TRIGGER IF NOT EXISTS xzsdg_observations_no_delete BEFORE DELETE ON xzsdg_observations"
    " BEGIN SELECT RAISE(ABORT, 'observation history is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS xzsdg_observations_close_only BEFORE UPDATE ON xzsdg_observations"
    f" WHEN OLD.valid_to IS NOT NULL OR {' OR '.join(f'NEW.{c} IS NOT OLD.{c}' for c in _OBSERVATION_FROZEN)}"
    " BEGIN SELECT RAISE(ABORT, 'a recorded observation can only be closed'); END",
]

def accounts_statements(text: str = "TEXT", new_columns_only: str = "") -> list[str]:
    """Migration 8, both dialects: a case- and width-insensitive name key (existing names are ASCII,
    for which ``lower`` is exactly NFKC + casefold; a second ``Admin`` beside ``admin`` keeps a key of
    its own so the unique index can be built), temporary passwords, and failed sign-ins per client.
    ``new_columns_only``: ``IF NOT EXISTS`` where the dialect has it for columns (PostgreSQL), so
    the step can run again on a store that has it."""
    return [
        f"ALTER TABLE xzsdg_users ADD COLUMN {new_columns_only} name_key {text}",
        f"ALTER TABLE xzsdg_users ADD COLUMN {new_columns_only} must_change_password INTEGER NOT NULL"
        " DEFAULT 0",
        "UPDATE xzsdg_users SET name_key = lower(username) || CASE WHEN EXISTS (SELECT 1 FROM xzsdg_users u"
        " WHERE lower(u.username) = lower(xzsdg_users.username) AND u.username < xzsdg_users.username)"
        " THEN '#' || username ELSE '' END",
        "CREATE UNIQUE INDEX IF NOT EXISTS xzsdg_users_name_key ON xzsdg_users (name_key)",
        f"""CREATE TABLE IF NOT EXISTS xzsdg_login_clients (
          client {text} PRIMARY KEY, failures INTEGER NOT NULL, window_start {text} NOT NULL)""",
    ]


# SQLite: the two columns through guarded steps, the rest as the shared statements.
ACCOUNTS: list[str | Callable[[sqlite3.Connection], None]] = [
    add_column("xzsdg_users", "name_key", "TEXT"),
    add_column("xzsdg_users", "must_change_password", "INTEGER NOT NULL DEFAULT 0"),
    *accounts_statements()[2:],
]


# A step is a list of statements and functions of the connection (for what depends on the declared
# layers), run in order. Numbers were reserved per change, so a number may be absent.
Step = Sequence[str | Callable[[sqlite3.Connection], None]]
MIGRATIONS: dict[int, Step] = {
    2: WORKFLOW,
    3: INDICATOR_VALUES,
    4: RASTERS,
    5: HISTORY_DEFENDED,
    6: UNKEPT_FILES,
    8: ACCOUNTS,
    9: [shareable],
    10: OBSERVATIONS,
}
