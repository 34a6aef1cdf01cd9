"""The GeoPackage schema: OGC core tables, one versioned table per layer, and provenance tables.

QGIS opens the file directly and it is meant to be handed out: the views ``<layer>_current``
carry the layers' plain titles (today's features), each base table is titled as the history it is
(``…（历史版本）``); each has an R-tree (``gpkg_rtree``) and a default style in ``layer_styles``
generated from ``layers/*.toml`` (``layer_styles``). The store's own tables (accounts, sessions,
uploads, submissions, audit…) are never registered in ``gpkg_contents``; since ``layer_styles`` is
registered as an attributes table, GDAL and QGIS list only what is registered, so none of them shows
up as a layer, and no view reads them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from ..i18n import t
from ..layers import FieldSpec, LayerSpec, all_layers
from .base import SCHEMA_VERSION
from .gpkg_migrations import MIGRATIONS, backwards_trigger
from .gpkg_rtree import rtree_ddl
from .layer_styles import OWNER, STYLE_NAME, layer_styles

SRS_ID = 4490
GPKG_APPLICATION_ID = 0x47504B47
GPKG_USER_VERSION = 10400

_CGCS2000_WKT = (
    'GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",'
    'SPHEROID["CGCS2000",6378137,298.257222101,AUTHORITY["EPSG","1024"]],AUTHORITY["EPSG","1043"]],'
    'PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,'
    'AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4490"]]'
)
_WGS84_WKT = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],'
    'AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],'
    'UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]]'
)
# The rows OGC requirement 11 asks of every GeoPackage, and the store's own CRS.
SRS_ROWS = [
    ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", None),
    ("Undefined geographic SRS", 0, "NONE", 0, "undefined", None),
    ("WGS 84 geodetic", 4326, "EPSG", 4326, _WGS84_WKT, "longitude/latitude coordinates in decimal degrees"),
    ("China Geodetic Coordinate System 2000", SRS_ID, "EPSG", SRS_ID, _CGCS2000_WKT, None),
]
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
CREATE TABLE gpkg_extensions (
  table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL,
  scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
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


def _layer_table(spec: LayerSpec) -> list[str]:
    columns = ",\n  ".join(f'"{f.name}" {_SQL_TYPES[f.type]}' for f in spec.fields)
    table = spec.name
    return [
        f"""CREATE TABLE "{table}" (
  fid INTEGER PRIMARY KEY AUTOINCREMENT, geom {geometry_type_name(spec)},
  feature_id TEXT NOT NULL, version INTEGER NOT NULL, valid_from DATETIME NOT NULL, valid_to DATETIME,
  recorded_by TEXT NOT NULL, source TEXT NOT NULL,
  {columns},
  UNIQUE (feature_id, version))""",
        f'CREATE INDEX "{table}_idx_current" ON "{table}" (valid_to, feature_id)',
        f'CREATE INDEX "{table}_idx_valid" ON "{table}" (valid_from, valid_to)',
        *rtree_ddl(table),
    ]


def _column_dependent(spec: LayerSpec) -> list[str]:
    """The objects whose column list is fixed when they are made: remade when a field is added."""
    return [
        *_append_only_triggers(spec),
        f'CREATE VIEW "{spec.name}_current" AS SELECT * FROM "{spec.name}" WHERE valid_to IS NULL',
    ]


def _titles(spec: LayerSpec) -> dict[str, tuple[str, str]]:
    """(identifier, description) per registered table: the view is the layer, the table its history."""
    title = spec.title_zh
    return {  # the table first: an older store gave it the plain title, which the view now takes
        spec.name: (
            t("pkg.qgis.history_title", "zh", title=title),
            t("pkg.qgis.history_description", "zh", title=title),
        ),
        f"{spec.name}_current": (title, t("pkg.qgis.current_description", "zh", title=title)),
    }


def _register(conn: sqlite3.Connection, spec: LayerSpec) -> None:
    for table, (identifier, description) in _titles(spec).items():
        conn.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id)"
            " VALUES (?, 'features', ?, ?, ?)",
            (table, identifier, description, SRS_ID),
        )
        conn.execute(
            "INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, ?, 0, 0)",
            (table, geometry_type_name(spec), SRS_ID),
        )


def retitle(conn: sqlite3.Connection, spec: LayerSpec) -> None:
    """Titles of a store made before the views carried the plain layer names (migration 9)."""
    for table, (identifier, description) in _titles(spec).items():
        conn.execute(
            "UPDATE gpkg_contents SET identifier = ?, description = ? WHERE table_name = ?",
            (identifier, description, table),
        )


LAYER_STYLES_DDL = [
    """CREATE TABLE IF NOT EXISTS layer_styles (
  id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256), f_table_schema TEXT(256),
  f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT,
  useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),
  update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))""",
    "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description)"
    " VALUES ('layer_styles', 'attributes', 'layer_styles', 'QGIS layer styles')",
]


def refresh_styles(conn: sqlite3.Connection, specs: Iterable[LayerSpec]) -> None:
    """Our default styles as ``layers/*.toml`` declares them now; rewritten only when they changed,
    and styles a QGIS user saved under another name are left alone."""
    wanted = [(s.table, s.qml, s.sld, s.description) for s in layer_styles(list(specs))]
    have = conn.execute(
        "SELECT f_table_name, styleQML, styleSLD, description FROM layer_styles"
        " WHERE owner = ? AND styleName = ? ORDER BY id",
        (OWNER, STYLE_NAME),
    ).fetchall()
    if have == wanted:
        return
    conn.execute("DELETE FROM layer_styles WHERE owner = ? AND styleName = ?", (OWNER, STYLE_NAME))
    conn.executemany(
        "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column,"
        " styleName, styleQML, styleSLD, useAsDefault, description, owner)"
        " VALUES ('', '', ?, 'geom', ?, ?, ?, 1, ?, ?)",
        [(table, STYLE_NAME, q, sld, description, OWNER) for table, q, sld, description in wanted],
    )


def create_schema(conn: sqlite3.Connection, created_at: str) -> None:
    """A complete empty store, inside the caller's transaction."""
    conn.execute(f"PRAGMA application_id = {GPKG_APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {GPKG_USER_VERSION}")
    for statement in _CORE.split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.executemany("INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)", SRS_ROWS)
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
            for statement in [*_layer_table(spec), *_column_dependent(spec)]:
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
            for statement in _column_dependent(spec):
                conn.execute(statement)
    if "layer_styles" in tables:  # from migration 9 on
        refresh_styles(conn, all_layers().values())


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT value FROM xzsdg_meta WHERE key='schema_version'").fetchone()[0])


def migrate(conn: sqlite3.Connection) -> None:
    """Bring a store up to :data:`SCHEMA_VERSION`, one numbered step at a time (each a list of
    statements and functions of the connection)."""
    for version in sorted(v for v in MIGRATIONS if schema_version(conn) < v <= SCHEMA_VERSION):
        for step in MIGRATIONS[version]:
            step(conn) if callable(step) else conn.execute(step)
        conn.execute("UPDATE xzsdg_meta SET value = ? WHERE key = 'schema_version'", (str(version),))
