"""GeoJSON (RFC 7946: lon/lat WGS84 unless the file says otherwise)."""

from __future__ import annotations

from .base import ReadOptions, SourceLayer
from .ogr import read_layers


class GeoJSONReader:
    name = "geojson"

    def sniff(self, data: bytes, filename: str) -> bool:
        head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
        return filename.lower().endswith((".geojson", ".json")) or head.startswith(b"{")

    def read(self, data: bytes, filename: str, options: ReadOptions) -> list[SourceLayer]:
        return read_layers(data)
