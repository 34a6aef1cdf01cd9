"""The PostGIS schema: meta and provenance tables, one versioned table per layer, numbered migrations.

The same tables, columns and version numbers as the GeoPackage store (``gpkg_schema``). Geometry
is ``geometry(<type>, 4490)`` (CGCS2000 lon/lat, as in the GeoPackage) with a GiST index; the views
``<layer>_current`` show today's features to QGIS and SQL users.
"""

from __future__ import annotations

from ..layers import LayerSpec, all_layers
from .base import SCHEMA_VERSION
from .gpkg_schema import SRS_ID, geometry_type_name, schema_version
from .postgis_conn import QmarkConnection
from .postgis_migrations import (
    ID,
    MIGRATIONS,
    REFUSE_FUNCTION,
    TEXT,
    append_only,
    backwards_trigger,
    close_only,
)

SRID = SRS_ID
SQL_TYPES = {"str": TEXT, "enum": TEXT, "int": "BIGINT", "float": "DOUBLE PRECISION", "date": "DATE"}
META_TABLE = "xzsdg_meta"

_CORE = [
    REFUSE_FUNCTION,
    f"CREATE TABLE {META_TABLE} (key {TEXT} PRIMARY KEY, value {TEXT} NOT NULL)",
    f"""CREATE TABLE xzsdg_imports (
      id {ID}, layer {TEXT} NOT NULL, filename {TEXT} NOT NULL, sha256 {TEXT} NOT NULL, source_crs {TEXT},
      recorded_by {TEXT} NOT NULL, recorded_at {TEXT} NOT NULL, valid_from {TEXT} NOT NULL,
      n_features INTEGER NOT NULL)""",
]


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _frozen(spec: LayerSpec) -> list[str]:
    """Every column a stored version keeps for ever (all but ``valid_to``)."""
    return ["geom", "feature_id", "version", "valid_from", "recorded_by", "source", *spec.field_names]


def _column_dependent(spec: LayerSpec) -> list[str]:
    """The objects whose column list is fixed when they are made: remade when a field is added."""
    table = spec.name
    return [
        close_only(table, _frozen(spec), "a stored version can only be closed"),
        f'CREATE VIEW "{table}_current" AS SELECT * FROM "{table}" WHERE valid_to IS NULL',
        f'COMMENT ON VIEW "{table}_current" IS {_literal(spec.title_zh + "（现状）")}',
    ]


def _layer_ddl(spec: LayerSpec) -> list[str]:
    columns = ",\n  ".join(f'"{f.name}" {SQL_TYPES[f.type]}' for f in spec.fields)
    table = spec.name
    return [
        f"""CREATE TABLE "{table}" (
  fid BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, geom geometry({geometry_type_name(spec)}, {SRID}),
  feature_id {TEXT} NOT NULL, version INTEGER NOT NULL, valid_from {TEXT} NOT NULL, valid_to {TEXT},
  recorded_by {TEXT} NOT NULL, source {TEXT} NOT NULL,
  {columns},
  UNIQUE (feature_id, version))""",
        f'CREATE INDEX "{table}_idx_current" ON "{table}" (feature_id) WHERE valid_to IS NULL',
        f'CREATE INDEX "{table}_idx_valid" ON "{table}" (valid_from, valid_to)',
        f'CREATE INDEX "{table}_idx_geom" ON "{table}" USING GIST (geom)',
        f'COMMENT ON TABLE "{table}" IS {_literal(spec.title_zh)}',
        *append_only(table, "feature history is append-only"),
        backwards_trigger(table),
        *_column_dependent(spec),
    ]


def existing_tables(conn: QmarkConnection) -> set[str]:
    """Tables and views of the schema the store lives in (the first of the search path)."""
    rows = conn.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
    )
    return {r[0] for r in rows}


def our_tables() -> set[str]:
    """Names a new store would create: if any exists, the database is not empty for us."""
    return {META_TABLE, "xzsdg_imports", *all_layers()}


def has_schema(conn: QmarkConnection) -> bool:
    return META_TABLE in existing_tables(conn)


def create_schema(conn: QmarkConnection, created_at: str) -> None:
    """A complete empty store, inside the caller's transaction."""
    for statement in _CORE:
        conn.execute(statement)
    sync_layers(conn)
    conn.executemany(
        f"INSERT INTO {META_TABLE} VALUES (?, ?)", [("schema_version", "1"), ("created_at", created_at)]
    )
    migrate(conn)


def _columns(conn: QmarkConnection) -> dict[str, set[str]]:
    """Column names by table, of the store's schema."""
    out: dict[str, set[str]] = {}
    rows = conn.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()"
    )
    for table, column in rows:
        out.setdefault(table, set()).add(column)
    return out


def up_to_date(conn: QmarkConnection) -> bool:
    """Whether the database already has every migration and every declared layer and field: read
    only, so opening a current store takes no lock and never waits for a writer."""
    if schema_version(conn) < SCHEMA_VERSION:
        return False
    columns = _columns(conn)
    return all(
        spec.name in columns and all(f.name in columns[spec.name] for f in spec.fields)
        for spec in all_layers().values()
    )


def sync_layers(conn: QmarkConnection) -> None:
    """Add what ``layers/*.toml`` declares and the database lacks: a new layer's table, a new field's
    column. Additive only, like the GeoPackage store's."""
    columns = _columns(conn)
    for spec in all_layers().values():
        if spec.name not in columns:
            for statement in _layer_ddl(spec):
                conn.execute(statement)
            continue
        missing = [f for f in spec.fields if f.name not in columns[spec.name]]
        for f in missing:
            conn.execute(f'ALTER TABLE "{spec.name}" ADD COLUMN "{f.name}" {SQL_TYPES[f.type]}')
        if missing:
            conn.execute(f'DROP VIEW IF EXISTS "{spec.name}_current"')
            conn.execute(f'DROP TRIGGER IF EXISTS "{spec.name}_close_only" ON "{spec.name}"')
            for statement in _column_dependent(spec):
                conn.execute(statement)


def migrate(conn: QmarkConnection) -> None:
    """Bring a store up to :data:`SCHEMA_VERSION`, one numbered step at a time (each a list of
    statements and functions of the connection)."""
    for version in sorted(v for v in MIGRATIONS if schema_version(conn) < v <= SCHEMA_VERSION):
        for step in MIGRATIONS[version]:
            step(conn) if callable(step) else conn.execute(step)
        conn.execute(f"UPDATE {META_TABLE} SET value = ? WHERE key = 'schema_version'", (str(version),))
