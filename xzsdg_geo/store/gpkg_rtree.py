"""The GeoPackage spatial index (OGC 12-128r18 annex F.3, ``gpkg_rtree_index``): one SQLite R-tree
per layer table, kept current by the spec's triggers, so QGIS and GDAL read a map window without a
full scan.

The triggers call the spec's ``ST_IsEmpty``/``ST_MinX``… functions, which GDAL and QGIS provide to
their connections; :func:`register_functions` gives ours the same four, read from the envelope our
blobs carry (``geom_blob``), so every writer (us, QGIS editing the file) keeps the index right.
GDAL would create the same objects, but only through its own connection and transaction.
"""

from __future__ import annotations

import sqlite3
import struct

import shapely

GEOM = "geom"
PK = "fid"
_EMPTY_FLAG = 0b0001_0000
_ENVELOPE = {1, 2, 3, 4}  # envelope kinds that start with minx, maxx, miny, maxy


def _bounds(blob: bytes | None) -> tuple[float, float, float, float] | None:
    """(minx, maxx, miny, maxy) of a GeoPackage blob; None for NULL or empty."""
    if blob is None or len(blob) < 8 or blob[3] & _EMPTY_FLAG:
        return None
    flags = blob[3]
    if (flags >> 1) & 0b111 in _ENVELOPE:
        return struct.unpack_from("<4d" if flags & 1 else ">4d", blob, 8)
    geom = shapely.from_wkb(blob[8:])
    if geom.is_empty:
        return None
    minx, miny, maxx, maxy = geom.bounds
    return minx, maxx, miny, maxy


def _coordinate(index: int):
    def value(blob: bytes | None) -> float | None:
        bounds = _bounds(blob)
        return None if bounds is None else bounds[index]

    return value


def register_functions(conn: sqlite3.Connection) -> None:
    """The SQL functions the R-tree triggers call, on ``conn`` (each connection needs them)."""
    conn.create_function("ST_IsEmpty", 1, lambda blob: None if blob is None else int(_bounds(blob) is None),
                         deterministic=True)  # fmt: skip
    for index, name in enumerate(("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY")):
        conn.create_function(name, 1, _coordinate(index), deterministic=True)


def rtree_name(table: str) -> str:
    return f"rtree_{table}_{GEOM}"


def rtree_ddl(table: str) -> list[str]:
    """The R-tree, its six triggers (the spec's names, ``update1``…``update4``) and its extension row."""
    rt, t, c, i = rtree_name(table), f'"{table}"', GEOM, PK
    new_box = f"NEW.{i}, ST_MinX(NEW.{c}), ST_MaxX(NEW.{c}), ST_MinY(NEW.{c}), ST_MaxY(NEW.{c})"
    has_new = f"(NEW.{c} NOTNULL AND NOT ST_IsEmpty(NEW.{c}))"
    no_new = f"(NEW.{c} ISNULL OR ST_IsEmpty(NEW.{c}))"
    return [
        f'CREATE VIRTUAL TABLE "{rt}" USING rtree(id, minx, maxx, miny, maxy)',
        f'CREATE TRIGGER "{rt}_insert" AFTER INSERT ON {t} WHEN {has_new}'
        f' BEGIN INSERT OR REPLACE INTO "{rt}" VALUES ({new_box}); END',
        f'CREATE TRIGGER "{rt}_update1" AFTER UPDATE OF {c} ON {t} WHEN OLD.{i} = NEW.{i} AND {has_new}'
        f' BEGIN INSERT OR REPLACE INTO "{rt}" VALUES ({new_box}); END',
        f'CREATE TRIGGER "{rt}_update2" AFTER UPDATE OF {c} ON {t} WHEN OLD.{i} = NEW.{i} AND {no_new}'
        f' BEGIN DELETE FROM "{rt}" WHERE id = OLD.{i}; END',
        f'CREATE TRIGGER "{rt}_update3" AFTER UPDATE ON {t} WHEN OLD.{i} != NEW.{i} AND {has_new}'
        f' BEGIN DELETE FROM "{rt}" WHERE id = OLD.{i};'
        f' INSERT OR REPLACE INTO "{rt}" VALUES ({new_box}); END',
        f'CREATE TRIGGER "{rt}_update4" AFTER UPDATE ON {t} WHEN OLD.{i} != NEW.{i} AND {no_new}'
        f' BEGIN DELETE FROM "{rt}" WHERE id IN (OLD.{i}, NEW.{i}); END',
        f'CREATE TRIGGER "{rt}_delete" AFTER DELETE ON {t} WHEN OLD.{c} NOT NULL'
        f' BEGIN DELETE FROM "{rt}" WHERE id = OLD.{i}; END',
        "INSERT OR IGNORE INTO gpkg_extensions VALUES"
        f" ('{table}', '{c}', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree',"
        " 'write-only')",
    ]


def add_rtree(conn: sqlite3.Connection, table: str) -> None:
    """Index ``table`` (a store made before the index existed): the R-tree, filled, and its triggers."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (rtree_name(table),)).fetchone():
        return
    for statement in rtree_ddl(table):
        conn.execute(statement)
    conn.execute(
        f'INSERT INTO "{rtree_name(table)}" SELECT {PK}, ST_MinX({GEOM}), ST_MaxX({GEOM}), ST_MinY({GEOM}),'
        f' ST_MaxY({GEOM}) FROM "{table}" WHERE {GEOM} NOTNULL AND NOT ST_IsEmpty({GEOM})'
    )
