"""What a shapefile declares about its size, read from its headers before GDAL loads it.

The index (``.shx``) has one 8-byte entry per record, so the feature count is its length; each
record of the ``.shp`` states its number of points at a fixed offset for its shape type, so the
vertex count is a vectorised gather over the index's offsets (no geometry is decoded). The table
(``.dbf``) header states its record count. Any of these over the budget refuses the file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import UserError
from . import budgets, dbf

_HEADER = 100
# Shape type → offset of the point count within a record's content (after the 8-byte header).
_POINTS_AT = {3: 40, 5: 40, 13: 40, 15: 40, 23: 40, 25: 40, 31: 40, 8: 36, 18: 36, 28: 36}
_SINGLE_POINTS = {1, 11, 21}


def _shape_type(shp: Path) -> int:
    with shp.open("rb") as fh:
        start = fh.read(_HEADER)
    if len(start) < _HEADER:
        raise UserError("secup.header_bad", format="Shapefile")
    return int.from_bytes(start[32:36], "little")


def declared_vertices(shp: Path, shx: Path) -> int:
    """The points all records of ``shp`` declare, found through the index ``shx``."""
    kind = _shape_type(shp)
    index = np.fromfile(shx, dtype=">i4", offset=_HEADER) if shx.stat().st_size > _HEADER else np.empty(0)
    if kind in _SINGLE_POINTS or kind not in _POINTS_AT or not len(index):
        return len(index) // 2
    offsets = index[0::2].astype(np.int64) * 2 + 8 + _POINTS_AT[kind]
    size = shp.stat().st_size
    offsets = offsets[(offsets >= _HEADER) & (offsets + 4 <= size)]
    data = np.memmap(shp, dtype=np.uint8, mode="r")
    points = data[offsets[:, None] + np.arange(4)].copy().view("<i4").ravel()
    return int(np.clip(points, 0, None).sum())


def check_declared(shp: Path, shx: Path | None, table: Path) -> None:
    """Refuse a shapefile whose headers declare more features or vertices than the budget."""
    records = dbf.record_count(dbf.head(table))
    if shx is not None:
        records = max(records, max(0, shx.stat().st_size - _HEADER) // 8)
    budgets.check_features(records)
    if shx is not None:
        budgets.check_vertices(declared_vertices(shp, shx))
