"""Numbered schema steps. Version 1 is the OGC core, the layer tables and import provenance
(``gpkg_schema``); each later version lists the statements that bring a store up to it."""

from __future__ import annotations

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


def accounts_statements(text: str = "TEXT") -> list[str]:
    """Migration 8, both dialects: a case- and width-insensitive name key (existing names are ASCII,
    for which ``lower`` is exactly NFKC + casefold; a second ``Admin`` beside ``admin`` keeps a key of
    its own so the unique index can be built), temporary passwords, and failed sign-ins per client."""
    return [
        f"ALTER TABLE xzsdg_users ADD COLUMN name_key {text}",
        "ALTER TABLE xzsdg_users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0",
        "UPDATE xzsdg_users SET name_key = lower(username) || CASE WHEN EXISTS (SELECT 1 FROM xzsdg_users u"
        " WHERE lower(u.username) = lower(xzsdg_users.username) AND u.username < xzsdg_users.username)"
        " THEN '#' || username ELSE '' END",
        "CREATE UNIQUE INDEX xzsdg_users_name_key ON xzsdg_users (name_key)",
        f"""CREATE TABLE xzsdg_login_clients (
          client {text} PRIMARY KEY, failures INTEGER NOT NULL, window_start {text} NOT NULL)""",
    ]


ACCOUNTS = accounts_statements()

# 5-7 belong to other branches; the empty lists keep the numbering until they are merged.
MIGRATIONS: dict[int, list[str]] = {
    2: WORKFLOW, 3: INDICATOR_VALUES, 4: RASTERS, 5: [], 6: [], 7: [], 8: ACCOUNTS,
}  # fmt: skip
