"""FlatGeobuf: one layer, its CRS in the header."""

from __future__ import annotations

from pathlib import PurePath

from . import budgets
from .base import ReadOptions, SourceLayer, make_layer
from .ogr import crs_code, declared_features, read_frame

MAGIC = b"fgb\x03"


class FlatGeobufReader:
    name = "flatgeobuf"

    def sniff(self, data: bytes, filename: str) -> bool:
        return data.startswith(MAGIC)

    def read(self, data: bytes, filename: str, options: ReadOptions) -> list[SourceLayer]:
        budgets.check_features(declared_features(data))  # the header's count, before loading
        frame = read_frame(data)
        name = PurePath(filename).stem
        return [make_layer(name, frame, options, declared=crs_code(frame.crs), encoding="utf-8")]
