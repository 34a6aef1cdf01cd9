"""Zipped Shapefiles: each ``.shp`` in the archive, in any sub-folder, is one layer."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

from .base import ReadOptions, SourceLayer
from .ogr import read_layers
from .safe_zip import extract_safely


class ShapefileZipReader:
    name = "shapefile_zip"

    def sniff(self, data: bytes, filename: str) -> bool:
        if not data.startswith(b"PK"):
            return False
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return any(n.lower().endswith(".shp") for n in archive.namelist())
        except zipfile.BadZipFile:
            return False

    def read(self, data: bytes, filename: str, options: ReadOptions) -> list[SourceLayer]:
        with tempfile.TemporaryDirectory(prefix="xzsdg-upload-") as tmp:
            extract_safely(data, Path(tmp))
            layers = []
            for shp in sorted(Path(tmp).rglob("*.shp"), key=lambda p: str(p).lower()):
                for layer in read_layers(str(shp), encoding=options.encoding):
                    layer.name = str(shp.relative_to(tmp).with_suffix(""))
                    layers.append(layer)
            return layers
