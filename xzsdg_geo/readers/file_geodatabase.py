"""Esri File Geodatabases (``X.gdb`` folders, zipped), read by GDAL's OpenFileGDB driver.

ArcGIS users hand in a whole geodatabase; each feature class with geometry is offered as a layer
(the uploader picks one when several fit), in the CRS the geodatabase declares. The archive is
unpacked with the same limits as every other zip, then GDAL reads the folder.
"""

from __future__ import annotations

import tempfile
from pathlib import Path, PurePosixPath

from ..errors import UserError
from .base import ReadOptions, SourceLayer, make_layer
from .ogr import crs_code, read_frame, spatial_layers
from .safe_zip import extract_safely, zip_names

GDB_TABLE = ".gdbtable"


def _gdb_dirs(names: list[str]) -> list[str]:
    """The ``….gdb`` folders holding tables, in archive order."""
    parents = (PurePosixPath(n).parent for n in names if n.lower().endswith(GDB_TABLE))
    return list(dict.fromkeys(str(p) for p in parents if p.name.lower().endswith(".gdb")))


class FileGeodatabaseReader:
    name = "file_geodatabase"

    def sniff(self, data: bytes, filename: str) -> bool:
        return bool(_gdb_dirs(zip_names(data)))

    def read(self, data: bytes, filename: str, options: ReadOptions) -> list[SourceLayer]:
        with tempfile.TemporaryDirectory(prefix="xzsdg-upload-", ignore_cleanup_errors=True) as tmp:
            root = Path(tmp)
            extract_safely(data, root)
            dirs = _gdb_dirs(zip_names(data))
            layers = []
            for gdb in dirs:
                path = str(root / gdb)
                for name in spatial_layers(path):
                    frame = read_frame(path, layer=name)
                    label = name if len(dirs) == 1 else f"{PurePosixPath(gdb).stem}/{name}"
                    layers.append(
                        make_layer(label, frame, options, declared=crs_code(frame.crs), encoding="utf-8")
                    )
        if not layers:
            raise UserError("gdb.no_layers", filename=filename)
        return layers
