"""The embedded store's raster catalog (table ``xzsdg_rasters``) and where each raster's bytes are.

A small file's bytes go into ``xzsdg_files`` like any upload, so the ``.gpkg`` alone carries them. A
large one is copied to ``<store>.rasters/<sha256>.tif`` instead: SQLite cannot hand GDAL a window of
a blob, so a blob is read whole, and a 10,000 × 10,000 image must never be. The caller (the raster
service) decides which by passing bytes or a path.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import sqlite3
from pathlib import Path

from ..dates import now_utc
from ..errors import UserError
from .base import NewRaster, RasterEntry
from .gpkg_rows import fetch_all, fetch_one

_COLUMNS = [f.name for f in dataclasses.fields(NewRaster)]


class RasterTables:
    """Mixed into :class:`~xzsdg_geo.store.gpkg.GeoPackageStore`; uses its connection and transactions."""

    _conn: sqlite3.Connection
    location: str

    def raster_folder(self) -> Path:
        """Where rasters too large for the store are kept: beside the ``.gpkg``, named after it."""
        path = Path(self.location)
        return path.with_name(f"{path.stem}.rasters")

    def add_raster(self, raster: NewRaster, data: bytes | Path, *, by: str) -> RasterEntry:
        stamp = now_utc()
        in_store = isinstance(data, bytes)
        if not in_store:
            self._keep_file(raster.sha256, data)
        values = [getattr(raster, c) for c in _COLUMNS]
        marks = ", ".join("?" * (len(_COLUMNS) + 3))
        with self.transaction():
            if in_store:
                self._conn.execute(
                    "INSERT INTO xzsdg_files (sha256, size, data, first_seen) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT DO NOTHING",
                    (raster.sha256, len(data), data, stamp),
                )
            cur = self._conn.execute(
                f"INSERT INTO xzsdg_rasters ({', '.join(_COLUMNS)}, in_store, registered_by, registered_at)"
                f" VALUES ({marks})",
                (*values, int(in_store), by, stamp),
            )
        return self.get_raster(int(cur.lastrowid))

    def _keep_file(self, sha256: str, source: Path) -> None:
        """Copy ``source`` to its content-addressed name; atomic, so a reader never sees half a file."""
        folder = self.raster_folder()
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{sha256}.tif"
        if target.exists():
            return
        partial = folder / f".{sha256}.partial"
        shutil.copyfile(source, partial)
        os.replace(partial, target)

    def rasters(self, kind: str | None = None) -> list[RasterEntry]:
        where, params = ("WHERE kind = ?", (kind,)) if kind else ("", ())
        sql = f"SELECT * FROM xzsdg_rasters {where} ORDER BY acquired_on, id"
        return [_entry(r) for r in fetch_all(self._conn, RasterEntry, sql, params)]

    def get_raster(self, raster_id: int) -> RasterEntry:
        found = fetch_one(self._conn, RasterEntry, "SELECT * FROM xzsdg_rasters WHERE id = ?", (raster_id,))
        if found is None:
            raise UserError("raster.not_found", id=raster_id)
        return _entry(found)

    def find_raster(self, sha256: str) -> RasterEntry | None:
        found = fetch_one(self._conn, RasterEntry, "SELECT * FROM xzsdg_rasters WHERE sha256 = ?", (sha256,))
        return _entry(found) if found else None

    def raster_data(self, raster: RasterEntry) -> bytes | Path:
        if raster.in_store:
            return self.file_bytes(raster.sha256)
        path = self.raster_folder() / f"{raster.sha256}.tif"
        if not path.is_file():
            raise UserError("raster.file_missing", id=raster.id, path=path)
        return path


def _entry(row: RasterEntry) -> RasterEntry:
    """SQLite hands back 0/1 for the flag."""
    return dataclasses.replace(row, in_store=bool(row.in_store))
