"""The server store: PostgreSQL + PostGIS, the same tables and behaviour as the GeoPackage store.

Transactions take one database-wide advisory lock, PostgreSQL's counterpart of the GeoPackage's
``BEGIN IMMEDIATE``: writers (imports, submissions, decisions) run one after another, so every
check-then-write of the services holds exactly as on the embedded store, while reads outside a
transaction never wait. Review decisions also lock the submission's row (``postgis_workflow``).
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import shapely

from ..dates import now_utc
from ..errors import UserError
from ..geo import STORE_CRS
from ..layers import LayerSpec, get_layer
from .base import VERSION_COLUMNS, ImportRecord, NewFeature, WriteResult
from .gpkg import promote_to_multi
from .gpkg_accounts import AccountTables
from .gpkg_audit import AuditTables
from .gpkg_indicators import IndicatorTables
from .gpkg_observations import ObservationTables
from .gpkg_schema import schema_version
from .postgis_conn import QmarkConnection, connect, redact
from .postgis_schema import (
    SRID,
    create_schema,
    existing_tables,
    has_schema,
    migrate,
    our_tables,
    sync_layers,
    up_to_date,
)
from .postgis_workflow import PostGISRasters, PostGISWorkflow
from .reads import VersionedReads
from .transactions import NestedTransactions
from .versions import WritePlan, plan_write

OWNER_ENV = "XZSDG_ALLOW_OWNER"  # "1": the app may run as the role that owns the tables
_ROLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
WRITE_LOCK = 0x787A_7364_6701  # "xzsdg" + 1: the advisory lock every write transaction holds
BUSY_TIMEOUT_S = 30  # as the GeoPackage store's busy_timeout


def _read_expr(spec: LayerSpec, column: str) -> str:
    """A column as the GeoPackage store returns it: dates as ISO text."""
    if column in spec.field_names and spec.field(column).type == "date":
        return f"to_char(\"{column}\", 'YYYY-MM-DD')"
    return f'"{column}"'


def _copy_value(kind: str, value: object) -> object:
    """A whole float in an integer field is stored as an integer, as SQLite's column affinity does."""
    if kind == "int" and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class PostGISStore(
    NestedTransactions,
    VersionedReads,
    PostGISWorkflow,
    AccountTables,
    AuditTables,
    IndicatorTables,
    ObservationTables,
    PostGISRasters,
):
    """A :class:`~xzsdg_geo.store.base.Store` in a PostgreSQL database with PostGIS."""

    def __init__(self, location: str, conn: psycopg.Connection) -> None:
        self.location = location
        self._conn = QmarkConnection(conn)

    # -- opening -------------------------------------------------------------------------------
    @classmethod
    def create(cls, location: str) -> PostGISStore:
        """Our schema in an existing database (with PostGIS, or the right to add it); refuses one
        that already holds a store or tables of the same names."""
        store = cls(location, connect(location))
        try:
            if existing_tables(store._conn) & our_tables():
                raise UserError("store.exists", path=redact(location))
            with store.transaction():
                store._ensure_postgis()
                create_schema(store._conn, now_utc())
        except BaseException:
            store.close()
            raise
        return store

    @classmethod
    def open(cls, location: str, *, as_owner: bool = False) -> PostGISStore:
        """The app's connection: refused as the tables' owner (who could drop the triggers that
        keep history) unless ``as_owner`` (``xzsdg migrate``) or ``XZSDG_ALLOW_OWNER=1``. Reading a
        current store takes no lock; only the owner brings a store that is behind up to date."""
        store = cls(location, connect(location))
        try:
            if not has_schema(store._conn):
                raise UserError("store.unreadable", path=redact(location))
            owner = store._runs_as_owner()
            if owner and not (as_owner or os.environ.get(OWNER_ENV) == "1"):
                raise UserError("store.owner_role", path=redact(location), env=OWNER_ENV)
            if not up_to_date(store._conn):
                if not owner:
                    raise UserError("store.needs_migration", path=redact(location))
                with store.transaction():
                    migrate(store._conn)
                    sync_layers(store._conn)
        except BaseException:
            store.close()
            raise
        return store

    def _runs_as_owner(self) -> bool:
        """Whether this connection's role owns the store's tables (or is, or acts as, their owner)."""
        row = self._conn.execute(
            "SELECT pg_has_role(current_user, relowner, 'USAGE') FROM pg_class"
            " WHERE oid = to_regclass('xzsdg_meta')"
        ).fetchone()
        return bool(row and row[0])

    def grant_app_role(self, role: str) -> None:
        """What the app's role needs and nothing more: read, insert and update rows of this store's
        tables (the triggers refuse the updates that would rewrite history) and draw ids; no
        DELETE, no TRUNCATE, no DDL. Idempotent; run by the owner after ``init`` and each migration."""
        if not _ROLE_NAME.match(role):
            raise UserError("store.bad_role", role=role)
        schema = self._conn.execute("SELECT current_schema()").fetchone()[0]
        with self.transaction():
            for statement in (
                f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"',
                f'GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"',
                f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "{schema}" TO "{role}"',
            ):
                try:
                    self._conn.execute(statement)
                except psycopg.errors.UndefinedObject:
                    raise UserError("store.bad_role", role=role) from None

    def _ensure_postgis(self) -> None:
        if self._conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone():
            return
        try:
            self._conn.execute("CREATE EXTENSION postgis")
        except psycopg.Error as err:
            detail = err.diag.message_primary
            raise UserError("store.no_postgis", path=redact(self.location), detail=detail) from None

    def close(self) -> None:
        self._conn.close()

    def _begin(self) -> None:
        self._conn.execute("BEGIN")
        self._conn.execute(f"SET LOCAL lock_timeout = '{BUSY_TIMEOUT_S}s'")
        try:
            self._conn.execute("SELECT pg_advisory_xact_lock(?)", (WRITE_LOCK,))
        except psycopg.errors.LockNotAvailable:
            self._conn.execute("ROLLBACK")
            raise UserError("store.busy", seconds=BUSY_TIMEOUT_S) from None

    def schema_version(self) -> int:
        return schema_version(self._conn)

    # -- provenance ----------------------------------------------------------------------------
    def add_import(self, record: ImportRecord) -> int:
        with self.transaction():
            row = self._conn.execute(
                "INSERT INTO xzsdg_imports (layer, filename, sha256, source_crs, recorded_by, recorded_at,"
                " valid_from, n_features) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (record.layer, record.filename, record.sha256, record.source_crs, record.by, now_utc(),
                 record.valid_from, record.n_features),
            ).fetchone()  # fmt: skip
        return int(row[0])

    def imports(self) -> list[dict]:
        cur = self._conn.execute("SELECT * FROM xzsdg_imports ORDER BY id")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur]

    # -- writing -------------------------------------------------------------------------------
    def _current_rows(self, spec: LayerSpec, ids: Sequence[str] | None) -> dict[str, tuple]:
        """Current versions by id, as ``versions.CURRENT_COLUMNS`` rows: of ``ids``, or all."""
        fields = ", ".join(_read_expr(spec, n) for n in spec.field_names)
        where, params = ("", ()) if ids is None else (" AND feature_id = ANY(?)", (list(ids),))
        rows = self._conn.execute(
            f"SELECT feature_id, fid, version, valid_from, ST_AsBinary(geom, 'NDR'), {fields}"
            f' FROM "{spec.name}" WHERE valid_to IS NULL{where}',
            params,
        )
        return {r[0]: tuple(r[1:]) for r in rows}

    def _last_versions(self, spec: LayerSpec, ids: Sequence[str]) -> dict[str, int]:
        rows = self._conn.execute(
            f'SELECT feature_id, MAX(version) FROM "{spec.name}"'
            " WHERE feature_id = ANY(?) GROUP BY feature_id",
            (list(ids),),
        )
        return dict(rows.fetchall())

    def write_features(
        self,
        layer: str,
        features: Sequence[NewFeature],
        *,
        by: str,
        source: str,
        valid_from: str | None = None,
        replace_all: bool = False,
    ) -> WriteResult:
        spec = get_layer(layer)
        ids = [f.feature_id for f in features]
        if dupes := sorted(i for i, n in Counter(ids).items() if n > 1):
            raise UserError("store.duplicate_ids", ids="、".join(dupes[:5]))
        stamp = valid_from or now_utc()
        geoms = promote_to_multi(np.array([f.geometry for f in features], dtype=object), spec)
        geoms = shapely.force_2d(geoms)  # the columns are 2D: a surveyed height is not kept
        keys = list(shapely.to_wkb(geoms, byte_order=1, flavor="iso")) if len(geoms) else []
        with self.transaction():
            current = self._current_rows(spec, None if replace_all else ids)
            last = self._last_versions(spec, ids)
            plan = plan_write(spec, features, keys, current, last, stamp, replace_all)
            self._close(spec, plan.closes)
            self._insert(spec, geoms, plan.inserts, by, source)
        return plan.result

    def retire_features(self, layer: str, feature_ids: Sequence[str]) -> list[str]:
        """Close the current versions of these features: they leave the map, history keeps them."""
        spec = get_layer(layer)
        stamp = now_utc()
        with self.transaction():
            current = self._current_rows(spec, feature_ids)
            retired, plan = [fid for fid in feature_ids if fid in current], WritePlan()
            for fid in retired:
                plan.close(current[fid], stamp)
            self._close(spec, plan.closes)
        return retired

    def _close(self, spec: LayerSpec, closes: list[tuple[tuple, str]]) -> None:
        """End versions' validity in one statement: the one change ever made to a stored row."""
        if not closes:
            return
        self._conn.execute(
            f'UPDATE "{spec.name}" AS t SET valid_to = v.valid_to'
            " FROM unnest(?::bigint[], ?::text[]) AS v(fid, valid_to) WHERE t.fid = v.fid",
            ([old[0] for old, _ in closes], [stamp for _, stamp in closes]),
        )

    def _insert(self, spec: LayerSpec, geoms: np.ndarray, inserts: list, by: str, source: str) -> None:
        """New versions through ``COPY``: bulk loads of 100k features in seconds."""
        if not inserts:
            return
        index = [i for i, *_ in inserts]
        ewkb = shapely.to_wkb(shapely.set_srid(geoms[index], SRID), hex=True, include_srid=True)
        kinds = [f.type for f in spec.fields]
        columns = ", ".join(f'"{n}"' for n in spec.field_names)
        sql = (
            f'COPY "{spec.name}" (geom, feature_id, version, valid_from, recorded_by, source, {columns})'
            " FROM STDIN"
        )
        try:
            with self._conn.raw.cursor() as cur, cur.copy(sql) as copy:
                for geom, (_, fid, version, when, values) in zip(ewkb, inserts, strict=True):
                    row = (geom, fid, version, when, by, source)
                    copy.write_row(row + tuple(_copy_value(k, v) for k, v in zip(kinds, values, strict=True)))
        except psycopg.errors.DataError as err:
            raise UserError("store.bad_value", layer=spec.name, detail=err.diag.message_primary) from None

    # -- reading -------------------------------------------------------------------------------
    def _frame(
        self, spec: LayerSpec, where: str, params: tuple, fields: Sequence[str] | None = None
    ) -> gpd.GeoDataFrame:
        columns = (*VERSION_COLUMNS, *(spec.field_names if fields is None else fields))
        select = ", ".join(_read_expr(spec, c) for c in columns)
        rows = self._conn.execute(
            f"SELECT ST_AsBinary(geom, 'NDR'), {select} FROM \"{spec.name}\" WHERE {where}"
            " ORDER BY feature_id, version",
            params,
        ).fetchall()
        frame = pd.DataFrame([r[1:] for r in rows], columns=list(columns))
        wkbs = np.array([r[0] for r in rows], dtype=object)
        geometry = shapely.from_wkb(wkbs) if rows else np.array([], dtype=object)
        return gpd.GeoDataFrame(frame, geometry=geometry, crs=STORE_CRS)
