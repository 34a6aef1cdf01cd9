"""GeoPackage (SQLite): every feature table is offered; the uploader picks one.

A GeoPackage is a database, and a hostile one can make any query endless (a recursive view) or
huge (views of ``zeroblob``). So the catalog is read with :mod:`sqlite3` directly, read-only and
under a per-statement time limit (a progress handler): the layers are listed from
``gpkg_contents`` without touching their rows, each table's size is a bounded ``COUNT`` (it stops
at the budget plus one), and views are never read. GDAL then reads only the chosen table, or,
when none is chosen, every table, whose sizes are by then known to be within the budget.
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import UserError
from . import budgets
from .base import ReadOptions, SourceLayer, make_layer
from .ogr import crs_code, read_frame

_PROGRESS_STEPS = 10_000  # SQLite VM instructions between deadline checks
MAX_LAYERS = 1000


@dataclass(frozen=True)
class Entry:
    name: str
    is_view: bool


class _Database:
    """The file opened read-only; every statement stopped once it runs past the SQL budget."""

    def __init__(self, path: Path) -> None:
        self.limit = budgets.current().sql_seconds
        self.deadline = 0.0
        self.conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        self.conn.set_progress_handler(self._too_long, _PROGRESS_STEPS)

    def _too_long(self) -> int:
        return int(time.monotonic() > self.deadline)

    def run(self, sql: str, params: tuple = ()) -> list[tuple]:
        self.deadline = time.monotonic() + self.limit
        return self.conn.execute(sql, params).fetchall()


@contextmanager
def _database(path: Path) -> Iterator[_Database]:
    """A :class:`_Database`; SQLite's refusals and the time limit become one clear message."""
    db = _Database(path)
    with closing(db.conn):
        try:
            yield db
        except sqlite3.OperationalError as err:
            if "interrupted" in str(err):
                raise UserError("secup.gpkg_slow") from None
            raise UserError("secup.gpkg_broken", detail=str(err)[:120]) from None
        except sqlite3.DatabaseError as err:
            raise UserError("secup.gpkg_broken", detail=str(err)[:120]) from None


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def list_layers(db: _Database) -> list[Entry]:
    """The feature layers the catalog declares, and whether each is a view; no row is read."""
    rows = db.run(
        "SELECT c.table_name, m.type FROM gpkg_contents c JOIN gpkg_geometry_columns g"
        " ON g.table_name = c.table_name LEFT JOIN sqlite_master m ON m.name = c.table_name"
        " WHERE c.data_type = 'features' ORDER BY c.rowid LIMIT ?",
        (MAX_LAYERS,),
    )
    return [Entry(str(name), kind != "table") for name, kind in rows]


def count_features(db: _Database, table: str, cap: int) -> int:
    """The table's rows, counted no further than ``cap + 1``."""
    sql = f"SELECT COUNT(*) FROM (SELECT 1 FROM {_quoted(table)} LIMIT ?)"
    return int(db.run(sql, (cap + 1,))[0][0])


def _chosen(entries: list[Entry], wanted: str | None) -> list[Entry]:
    """The layers to read: the one asked for, else every table; a view is refused, not read."""
    if wanted:
        match = [e for e in entries if e.name == wanted]
        if not match:
            raise UserError("secup.no_such_layer", layer=wanted, names="、".join(e.name for e in entries))
        entries = match
    tables = [e for e in entries if not e.is_view]
    if not tables and entries:
        raise UserError("secup.gpkg_view", name=entries[0].name)
    return tables


def _plan(path: Path, wanted: str | None) -> list[str]:
    """Which tables to read, each known to be within the feature budget."""
    cap = budgets.current().max_features
    with _database(path) as db:
        tables = _chosen(list_layers(db), wanted)
        total = sum(count_features(db, e.name, cap) for e in tables)
    budgets.check_features(total, counted_to=cap + 1)
    return [e.name for e in tables]


class GeoPackageReader:
    name = "geopackage"

    def sniff(self, data: bytes, filename: str) -> bool:
        return data.startswith(b"SQLite format 3\x00")

    def read(self, data: bytes, filename: str, options: ReadOptions) -> list[SourceLayer]:
        with tempfile.TemporaryDirectory(prefix="xzsdg-gpkg-", ignore_cleanup_errors=True) as tmp:
            path = Path(tmp) / "upload.gpkg"
            path.write_bytes(data)
            layers = []
            for name in _plan(path, options.source_layer):
                frame = read_frame(str(path), layer=name)
                layers.append(
                    make_layer(name, frame, options, declared=crs_code(frame.crs), encoding="utf-8")
                )
            return layers
