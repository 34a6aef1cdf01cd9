"""GeoPackage (SQLite): every feature layer is offered; the uploader picks one."""

from __future__ import annotations

from .base import ReadOptions, SourceLayer, make_layer
from .ogr import crs_code, read_frame, spatial_layers


class GeoPackageReader:
    name = "geopackage"

    def sniff(self, data: bytes, filename: str) -> bool:
        return data.startswith(b"SQLite format 3\x00")

    def read(self, data: bytes, filename: str, options: ReadOptions) -> list[SourceLayer]:
        layers = []
        for name in spatial_layers(data):
            frame = read_frame(data, layer=name)
            layers.append(make_layer(name, frame, options, declared=crs_code(frame.crs), encoding="utf-8"))
        return layers
