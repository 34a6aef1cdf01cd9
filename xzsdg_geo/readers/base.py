"""The reader interface: one reader per file format, each answering the same two questions.

``sniff(data, filename)``: is this file mine? ``read(data, filename, options)``: its layers, with
the CRS and text encoding they came in. Readers work from bytes, as an upload arrives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import geopandas as gpd


@dataclass(frozen=True)
class ReadOptions:
    """What the uploader may tell us about a file that the file cannot say itself."""

    crs: str | None = None  # e.g. "EPSG:4527", used when the file declares none
    encoding: str | None = None  # e.g. "gbk", for attribute text
    gcj02: bool = False  # coordinates are GCJ-02 (Chinese web-map offset)
    source_layer: str | None = None  # which layer of a multi-layer file


@dataclass
class SourceLayer:
    """One layer as read from a file, still in its own CRS."""

    name: str
    frame: gpd.GeoDataFrame
    crs: str | None  # authority code ("EPSG:4527") or WKT; None when unknown
    crs_inferred: bool = False
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)  # catalog keys worth telling the user


class Reader(Protocol):
    name: str

    def sniff(self, data: bytes, filename: str) -> bool: ...

    def read(self, data: bytes, filename: str, options: ReadOptions) -> list[SourceLayer]: ...
