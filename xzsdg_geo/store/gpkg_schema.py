"""The GeoPackage schema: OGC core tables, one versioned table per layer, and provenance tables.

QGIS opens the file directly; the views ``<layer>_current`` show today's features.
"""

from __future__ import annotations

import sqlite3

from ..layers import FieldSpec, LayerSpec, all_layers
from .base import SCHEMA_VERSION
from .gpkg_migrations import MIGRATIONS, backwards_trigger

SRS_ID = 4490
GPKG_APPLICATION_ID = 0x47504B47
GPKG_USER_VERSION = 10400

_CGCS2000_WKT = (
    'GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",'
    'SPHEROID["CGCS2000",6378137,298.257222101,AUTHORITY["EPSG","1024"]],AUTHORITY["EPSG","1043"]],'
    'PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,'
    'AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4490"]]'
)
_SQL_TYPES = {"str": "TEXT", "enum": "TEXT", "int": "INTEGER", "float": "REAL", "date": "DATE"}

_CORE = """
CREATE TABLE gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
CREATE TABLE gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
  description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT
  (strftime('%Y-%m-%dT%H:%M:%fZ','now')), min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE,
  srs_id INTEGER, CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name));
CREATE TABLE xzsdg_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE xzsdg_imports (
  id INTEGER PRIMARY KEY AUTOINCREMENT, layer TEXT NOT NULL, filename TEXT NOT NULL,
  sha256 TEXT NOT NULL, source_crs TEXT, recorded_by TEXT NOT NULL, recorded_at TEXT NOT NULL,
  valid_from TEXT NOT NULL, n_features INTEGER NOT NULL);
"""


def geometry_type_name(spec: LayerSpec) -> str:
    """The declared column type: multi-part for pure polygon/line layers, GEOMETRY when mixed."""
    if set(spec.geometry) == {"Polygon", "MultiPolygon"}:
        return "MULTIPOLYGON"
    if set(spec.geometry) == {"LineString", "MultiLineString"}:
        return "MULTILINESTRING"
    return "GEOMETRY"


def _append_only_triggers(spec: LayerSpec) -> list[str]:
    """History is kept by the file itself: no row is deleted, and the only change a row ever sees
    is its ``valid_to`` being set once."""
    table = spec.name
    frozen = ["geom", "feature_id", "version", "valid_from", "recorded_by", "source", *spec.field_names]
    changed = " OR ".join(f'NEW."{c}" IS NOT OLD."{c}"' for c in frozen)
    return [
        backwards_trigger(table),
        f'CREATE TRIGGER "{table}_no_delete" BEFORE DELETE ON "{table}"'
        " BEGIN SELECT RAISE(ABORT, 'feature history is append-only'); END",
        f'CREATE TRIGGER "{table}_close_only" BEFORE UPDATE ON "{table}"'
        f" WHEN OLD.valid_to IS NOT NULL OR {changed}"
        " BEGIN SELECT RAISE(ABORT, 'a stored version can only be closed'); END",
    ]


def _layer_ddl(spec: LayerSpec) -> list[str]:
    columns = ",\n  ".join(f'"{f.name}" {_SQL_TYPES[f.type]}' for f in spec.fields)
    table = spec.name
    return [
        f"""CREATE TABLE "{table}" (
  fid INTEGER PRIMARY KEY AUTOINCREMENT, geom {geometry_type_name(spec)},
  feature_id TEXT NOT NULL, version INTEGER NOT NULL, valid_from TEXT NOT NULL, valid_to TEXT,
  recorded_by TEXT NOT NULL, source TEXT NOT NULL,
  {columns},
  UNIQUE (feature_id, version))""",
        f'CREATE INDEX "{table}_idx_current" ON "{table}" (valid_to, feature_id)',
        f'CREATE INDEX "{table}_idx_valid" ON "{table}" (valid_from, valid_to)',
        *_append_only_triggers(spec),
        f'CREATE VIEW "{table}_current" AS SELECT * FROM "{table}" WHERE valid_to IS NULL',
    ]


def _register(conn: sqlite3.Connection, spec: LayerSpec) -> None:
    for table, title in ((spec.name, spec.title_zh), (f"{spec.name}_current", f"{spec.title_zh}（现状）")):
        conn.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id)"
            " VALUES (?, 'features', ?, ?, ?)",
            (table, title, spec.title_en, SRS_ID),
        )
        conn.execute(
            "INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, ?, 0, 0)",
            (table, geometry_type_name(spec), SRS_ID),
        )


def create_schema(conn: sqlite3.Connection, created_at: str) -> None:
    """A complete empty store, inside the caller's transaction."""
    conn.execute(f"PRAGMA application_id = {GPKG_APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {GPKG_USER_VERSION}")
    for statement in _CORE.split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.executemany(
        "INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)",
        [
            ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", None),
            ("Undefined geographic SRS", 0, "NONE", 0, "undefined", None),
            ("China Geodetic Coordinate System 2000", SRS_ID, "EPSG", SRS_ID, _CGCS2000_WKT, None),
        ],
    )
    sync_layers(conn)
    conn.executemany(
        "INSERT INTO xzsdg_meta VALUES (?, ?)", [("schema_version", "1"), ("created_at", created_at)]
    )
    migrate(conn)


def _missing_fields(conn: sqlite3.Connection, spec: LayerSpec) -> list[FieldSpec]:
    have = {r[1] for r in conn.execute(f'PRAGMA table_info("{spec.name}")')}
    return [f for f in spec.fields if f.name not in have]


def up_to_date(conn: sqlite3.Connection) -> bool:
    """Whether the file already has every migration and every declared layer and field: read
    only, so opening a current store takes no write lock and never waits for a writer."""
    if schema_version(conn) < SCHEMA_VERSION:
        return False
    tables = {r[0] for r in conn.execute("SELECT table_name FROM gpkg_contents")}
    return all(spec.name in tables and not _missing_fields(conn, spec) for spec in all_layers().values())


def sync_layers(conn: sqlite3.Connection) -> None:
    """Add what ``layers/*.toml`` declares and the file lacks: a new layer's table, a new field's
    column. Additive only, so a store made by an older release opens without losing anything."""
    tables = {r[0] for r in conn.execute("SELECT table_name FROM gpkg_contents")}
    for spec in all_layers().values():
        if spec.name not in tables:
            for statement in _layer_ddl(spec):
                conn.execute(statement)
            _register(conn, spec)
            continue
        missing = _missing_fields(conn, spec)
        for f in missing:
            conn.execute(f'ALTER TABLE "{spec.name}" ADD COLUMN "{f.name}" {_SQL_TYPES[f.type]}')
        if missing:  # a view's column list and the triggers' are fixed when they are made
            conn.execute(f'DROP VIEW IF EXISTS "{spec.name}_current"')
            for trigger in ("no_delete", "close_only"):
                conn.execute(f'DROP TRIGGER IF EXISTS "{spec.name}_{trigger}"')
            for statement in _layer_ddl(spec)[-3:]:
                conn.execute(statement)


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT value FROM xzsdg_meta WHERE key='schema_version'").fetchone()[0])


def migrate(conn: sqlite3.Connection) -> None:
    """Bring a store up to :data:`SCHEMA_VERSION`, one numbered step at a time."""
    for version in range(schema_version(conn) + 1, SCHEMA_VERSION + 1):
        for step in MIGRATIONS[version]:
            step(conn) if callable(step) else conn.execute(step)
        conn.execute("UPDATE xzsdg_meta SET value = ? WHERE key = 'schema_version'", (str(version),))
