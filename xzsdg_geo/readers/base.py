"""The reader interface: one reader per file format, each answering the same two questions.

``sniff(data, filename)``: is this file mine? ``read(data, filename, options)``: its layers, with
the CRS and text encoding they came in. Readers work from bytes, as an upload arrives.

What all formats share lives here: :func:`make_layer` settles a layer's CRS the same way for every
format (the file's own declaration, else the uploader's choice, else what the coordinates can
only mean, else the format's default), and records how it was settled.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Protocol

import geopandas as gpd

from .. import crs as crs_mod
from ..crs import Guess


@dataclass(frozen=True)
class ReadOptions:
    """What the uploader may tell us about a file that the file cannot say itself."""

    crs: str | None = None  # e.g. "EPSG:4527", used when the file declares none
    encoding: str | None = None  # e.g. "gbk", for attribute text
    gcj02: bool = False  # coordinates are GCJ-02 (Chinese web-map offset)
    source_layer: str | None = None  # which layer of a multi-layer file
    # Attribute values for every feature where the file has no such column (a survey TXT or a DXF
    # carries no 状态 or 治理方式): column name or alias → value, e.g. {"状态": "已完成"}.
    defaults: tuple[tuple[str, str], ...] = ()
    # Which of the file's columns holds a field (``--map 名称=DKMC``): field name or alias → column.
    columns: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Note:
    """Something a reader wants the uploader told: a finding code and its message parameters."""

    code: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass
class SourceLayer:
    """One layer as read from a file, still in its own CRS."""

    name: str
    frame: gpd.GeoDataFrame
    crs: str | None  # authority code ("EPSG:4527") or WKT; None when unknown
    crs_inferred: bool = False
    encoding: str | None = None
    notes: list[Note] = field(default_factory=list)
    # How ``crs`` was settled: declared, uploader, lonlat, gk_zone, a format default (dxf_default),
    # or, when it is None, why not (gk_no_zone, unknown).
    crs_reason: str | None = None
    gcj02: bool = False  # coordinates are GCJ-02 (said by the uploader or the file type)
    declared_area_column: str | None = None  # a column the format defines as the area in hectares
    max_name_bytes: int | None = None  # the format's limit on column names (shapefiles: 10 bytes)


class Reader(Protocol):
    name: str

    def sniff(self, data: bytes, filename: str) -> bool: ...

    def read(self, data: bytes, filename: str, options: ReadOptions) -> list[SourceLayer]: ...


def _bounds(frame: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
    if frame.empty or frame.geometry.isna().all():
        return (math.nan,) * 4
    return tuple(frame.geometry.total_bounds)


def _lonlat_range(bounds: tuple[float, float, float, float]) -> bool:
    """Coordinates that can be lon/lat, either way round (a swap is named later, not guessed away)."""
    x0, y0, x1, y1 = bounds
    fits = [
        a0 >= -180 and a1 <= 180 and b0 >= -90 and b1 <= 90
        for a0, b0, a1, b1 in ((x0, y0, x1, y1), (y0, x0, y1, x1))
    ]
    return any(fits)


def settle_crs(
    frame: gpd.GeoDataFrame, declared: str | None, options: ReadOptions, default: Guess | None = None
) -> tuple[str | None, bool, str]:
    """The layer's CRS, whether it was inferred, and how it was settled.

    A lon/lat declaration over coordinates that cannot be lon/lat (GeoJSON from tools that write
    projected coordinates under RFC 7946's implicit WGS84) is disregarded.
    """
    bounds = _bounds(frame)
    if declared and not (crs_mod.is_geographic(declared) and not _lonlat_range(bounds)):
        return declared, False, "declared"
    if options.crs:
        return crs_mod.normalize(options.crs), False, "uploader"
    guess = crs_mod.infer_crs(bounds)
    if guess.crs is None and default is not None:
        return default.crs, True, default.reason
    return guess.crs, guess.crs is not None, guess.reason


def make_layer(
    name: str,
    frame: gpd.GeoDataFrame,
    options: ReadOptions,
    *,
    declared: str | None,
    encoding: str | None,
    default: Guess | None = None,
    gcj02: bool = False,
    notes: list[Note] | None = None,
    declared_area_column: str | None = None,
    max_name_bytes: int | None = None,
) -> SourceLayer:
    """A :class:`SourceLayer` with its CRS settled by :func:`settle_crs`."""
    crs, inferred, reason = settle_crs(frame, declared, options, default)
    return SourceLayer(
        name=name,
        frame=frame,
        crs=crs,
        crs_inferred=inferred,
        encoding=encoding,
        notes=notes or [],
        crs_reason=reason,
        gcj02=gcj02 or options.gcj02,
        declared_area_column=declared_area_column,
        max_name_bytes=max_name_bytes,
    )
