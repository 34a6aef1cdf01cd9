"""GeoPackage (SQLite): every feature layer is offered; the uploader picks one."""

from __future__ import annotations

from .base import ReadOptions, SourceLayer
from .ogr import read_layers


class GeoPackageReader:
    name = "geopackage"

    def sniff(self, data: bytes, filename: str) -> bool:
        return data.startswith(b"SQLite format 3\x00")

    def read(self, data: bytes, filename: str, options: ReadOptions) -> list[SourceLayer]:
        return read_layers(data, [options.source_layer] if options.source_layer else None)
