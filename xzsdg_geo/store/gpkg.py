"""The embedded store: one GeoPackage file, written through SQLite transactions."""

from __future__ import annotations

import os
import sqlite3
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..dates import now_utc
from ..errors import UserError, shortened
from ..geo import STORE_CRS
from ..layers import LayerSpec, get_layer
from . import geom_blob
from .base import VERSION_COLUMNS, ImportRecord, NewFeature, WriteResult
from .gpkg_accounts import AccountTables
from .gpkg_audit import AuditTables
from .gpkg_indicators import IndicatorTables
from .gpkg_observations import ObservationTables
from .gpkg_rasters import RasterTables
from .gpkg_rtree import register_functions
from .gpkg_schema import SRS_ID, create_schema, migrate, schema_version, sync_layers, up_to_date
from .gpkg_workflow import WorkflowTables
from .reads import VersionedReads
from .transactions import NestedTransactions
from .versions import WritePlan, plan_write

BUSY_TIMEOUT_S = 30  # how long a write waits for another writer before "the store is busy"
_CORRUPT_CODES = (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


@contextmanager
def damage_reported(location: str) -> Iterator[None]:
    """SQLite's "database disk image is malformed", wherever a read meets a damaged page, as one
    clear message saying what to do (the store's own checks cannot foresee which page is hit)."""
    try:
        yield
    except sqlite3.DatabaseError as err:
        if getattr(err, "sqlite_errorcode", 0) & 0xFF not in _CORRUPT_CODES:
            raise
        raise UserError("store.damaged", path=location) from None


@contextmanager
def path_checked(path: Path) -> Iterator[None]:
    """The operating system refusing a path (too long, a name over 255 bytes, a bad character) as
    one clear line instead of an internal error."""
    try:
        yield
    except OSError as err:
        raise UserError(
            "store.bad_path", path=shortened(str(path)), reason=err.strerror or type(err).__name__
        ) from None


def _writable(path: Path) -> bool:
    """Whether this process may write the file and create its journal files beside it."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def promote_to_multi(geoms: np.ndarray, spec: LayerSpec) -> np.ndarray:
    """Single polygons/lines as one-part multi geometries, so they fit the layer's column type."""
    if set(spec.geometry) == {"Polygon", "MultiPolygon"}:
        single, make = shapely.GeometryType.POLYGON, shapely.multipolygons
    elif set(spec.geometry) == {"LineString", "MultiLineString"}:
        single, make = shapely.GeometryType.LINESTRING, shapely.multilinestrings
    else:
        return geoms
    out = geoms.copy()
    is_single = shapely.get_type_id(geoms) == single
    if is_single.any():
        out[is_single] = make(geoms[is_single][:, None].tolist())
    return out


class GeoPackageStore(
    NestedTransactions,
    VersionedReads,
    WorkflowTables,
    AccountTables,
    AuditTables,
    IndicatorTables,
    ObservationTables,
    RasterTables,
):
    """A :class:`~xzsdg_geo.store.base.Store` in a single ``.gpkg`` file."""

    def __init__(self, path: str | Path, conn: sqlite3.Connection, read_only: bool = False) -> None:
        self.location = str(path)
        self._conn = conn
        self.read_only = read_only

    # -- opening -------------------------------------------------------------------------------
    @classmethod
    def _connect(cls, path: Path, mode: str = "rwc") -> sqlite3.Connection:
        """``mode`` ``ro``: read only; ``immutable``: read only where not even the journal files
        can be made (a read-only folder)."""
        query = "immutable=1" if mode == "immutable" else f"mode={mode}"
        uri = f"{path.absolute().as_uri()}?{query}"
        conn = sqlite3.connect(
            uri, uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_S, check_same_thread=False
        )
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
        register_functions(conn)  # the R-tree triggers call them
        return conn

    @classmethod
    def create(cls, path: str | Path) -> GeoPackageStore:
        path = Path(path)
        with path_checked(path):
            if path.exists():
                raise UserError("store.exists", path=path)
            path.parent.mkdir(parents=True, exist_ok=True)
        store = cls(path, cls._connect(path))
        try:
            with store.transaction():
                create_schema(store._conn, now_utc())
        except BaseException:
            store.close()
            path.unlink(missing_ok=True)
            raise
        store._conn.execute("PRAGMA journal_mode = WAL")
        return store

    @classmethod
    def open(cls, path: str | Path, *, as_owner: bool = False) -> GeoPackageStore:
        """Reading takes no lock: only a store behind the code (migrations, new layers or fields)
        is brought up to date, in its own short write transaction. A file this process may not
        write opens read only: reads work, a write says why not. ``as_owner`` is the PostGIS
        store's: a file's owner is whoever may write it."""
        path = Path(path)
        with path_checked(path):
            if path.is_dir():
                raise UserError("store.is_directory", path=path)
            if not path.is_file():
                raise UserError("store.missing", path=path)
            read_only = not _writable(path)
        store = cls(path, cls._checked(path, "ro" if read_only else "rwc"), read_only)
        try:
            with damage_reported(str(path)):
                store._bring_up_to_date()
        except BaseException:
            store.close()
            raise
        return store

    @classmethod
    def _checked(cls, path: Path, mode: str) -> sqlite3.Connection:
        """A connection to a file known to be one of our stores."""
        conn = cls._connect(path, mode)
        try:
            version = conn.execute("SELECT value FROM xzsdg_meta WHERE key='schema_version'").fetchone()
        except sqlite3.DatabaseError as err:
            conn.close()
            code = getattr(err, "sqlite_errorcode", 0) & 0xFF
            if mode == "ro" and code in (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY):
                return cls._checked(path, "immutable")  # a WAL file in a folder we cannot write
            key = "store.damaged" if code == sqlite3.SQLITE_CORRUPT else "store.unreadable"
            raise UserError(key, path=path) from None
        if version is None:
            conn.close()
            raise UserError("store.unreadable", path=path)
        return conn

    def _bring_up_to_date(self) -> None:
        if not up_to_date(self._conn):
            with self.transaction():  # re-checked under the lock: another process may have done it
                migrate(self._conn)
                sync_layers(self._conn)
        if not self.read_only and self._conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            self._conn.execute("PRAGMA journal_mode = WAL")

    def close(self) -> None:
        self._conn.close()

    def _begin(self) -> None:
        """Take the write lock, waiting up to the busy timeout for another writer to finish."""
        if self.read_only:
            raise UserError("store.read_only", path=self.location)
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as err:
            if "locked" in str(err) or "busy" in str(err):
                raise UserError("store.busy", seconds=BUSY_TIMEOUT_S) from None
            raise

    def schema_version(self) -> int:
        return schema_version(self._conn)

    # -- provenance ----------------------------------------------------------------------------
    def add_import(self, record: ImportRecord) -> int:
        with self.transaction():
            cur = self._conn.execute(
                "INSERT INTO xzsdg_imports (layer, filename, sha256, source_crs, recorded_by,"
                " recorded_at, valid_from, n_features) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.layer,
                    record.filename,
                    record.sha256,
                    record.source_crs,
                    record.by,
                    now_utc(),
                    record.valid_from,
                    record.n_features,
                ),
            )
            return int(cur.lastrowid)

    def imports(self) -> list[dict]:
        cur = self._conn.execute("SELECT * FROM xzsdg_imports ORDER BY id")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur]

    # -- writing -------------------------------------------------------------------------------
    def _current_rows(self, spec: LayerSpec) -> dict[str, tuple]:
        cols = ", ".join(f'"{f}"' for f in spec.field_names)
        rows = self._conn.execute(
            f'SELECT feature_id, fid, version, valid_from, geom, {cols} FROM "{spec.name}"'
            " WHERE valid_to IS NULL"
        )
        return {r[0]: r[1:] for r in rows}

    def _last_versions(self, spec: LayerSpec) -> dict[str, int]:
        rows = self._conn.execute(f'SELECT feature_id, MAX(version) FROM "{spec.name}" GROUP BY feature_id')
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
        blobs = geom_blob.encode(geoms, SRS_ID)
        with self.transaction():
            current = self._current_rows(spec)
            plan = plan_write(spec, features, blobs, current, self._last_versions(spec), stamp, replace_all)
            self._close(spec, plan.closes)
            cols = ", ".join(f'"{n}"' for n in spec.field_names)
            marks = ", ".join("?" * (6 + len(spec.field_names)))
            self._conn.executemany(
                f'INSERT INTO "{spec.name}" (geom, feature_id, version, valid_from, recorded_by,'
                f" source, {cols}) VALUES ({marks})",
                [(blobs[i], fid, version, when, by, source, *values)
                 for i, fid, version, when, values in plan.inserts],
            )  # fmt: skip
            self._touch(spec.name)
        return plan.result

    def retire_features(self, layer: str, feature_ids: Sequence[str]) -> list[str]:
        """Close the current versions of these features: they leave the map, history keeps them
        (the audit log says who and why)."""
        spec = get_layer(layer)
        stamp = now_utc()
        with self.transaction():
            current = self._current_rows(spec)
            retired, plan = [fid for fid in feature_ids if fid in current], WritePlan()
            for fid in retired:
                plan.close(current[fid], stamp)
            self._close(spec, plan.closes)
            self._touch(spec.name)
        return retired

    def _close(self, spec: LayerSpec, closes: list[tuple[tuple, str]]) -> None:
        """End versions' validity: the one change ever made to a stored row."""
        self._conn.executemany(
            f'UPDATE "{spec.name}" SET valid_to = ? WHERE fid = ?', [(stamp, old[0]) for old, stamp in closes]
        )

    def _touch(self, table: str) -> None:
        self._conn.execute(
            "UPDATE gpkg_contents SET last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now')"
            " WHERE table_name IN (?, ?)",
            (table, f"{table}_current"),
        )

    # -- reading -------------------------------------------------------------------------------
    def _frame(
        self, spec: LayerSpec, where: str, params: tuple, fields: Sequence[str] | None = None
    ) -> gpd.GeoDataFrame:
        columns = (*VERSION_COLUMNS, *(spec.field_names if fields is None else fields))
        select = ", ".join(f'"{c}"' for c in columns)
        rows = self._conn.execute(
            f'SELECT geom, {select} FROM "{spec.name}" WHERE {where} ORDER BY feature_id, version',
            params,
        ).fetchall()
        frame = pd.DataFrame([r[1:] for r in rows], columns=list(columns))
        geometry = geom_blob.decode([r[0] for r in rows]) if rows else np.array([], dtype=object)
        return gpd.GeoDataFrame(frame, geometry=geometry, crs=STORE_CRS)
