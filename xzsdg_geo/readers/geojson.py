"""GeoJSON (RFC 7946: lon/lat WGS84 unless the file says otherwise).

Some Chinese tools write GeoJSON in GBK; such text is re-encoded as the UTF-8 GDAL expects, so
names arrive intact. Coordinates that cannot be lon/lat are not taken as such (see ``settle_crs``).
"""

from __future__ import annotations

from pathlib import PurePath

from . import encoding as enc
from .base import ReadOptions, SourceLayer, make_layer
from .ogr import crs_code, read_frame

_JSON_START = b"{"


class GeoJSONReader:
    name = "geojson"

    def sniff(self, data: bytes, filename: str) -> bool:
        head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
        return filename.lower().endswith((".geojson", ".json")) or head.startswith(_JSON_START)

    def read(self, data: bytes, filename: str, options: ReadOptions) -> list[SourceLayer]:
        text, codec = enc.decode(data, options.encoding)
        frame = read_frame(text.encode("utf-8"))
        name = PurePath(filename).stem
        return [make_layer(name, frame, options, declared=crs_code(frame.crs), encoding=codec)]
