"""DXF from surveying CAD (南方CASS and the like): closed polylines are the parcels.

GDAL reads the drawing; closed POLYLINE/LWPOLYLINE become polygons, open ones lines, and each
kind is offered as its own layer, so a parcel drawing's roads and grid lines do not get in the
way. A text label inside exactly one parcel becomes its name. Hatches (fills that repeat a
boundary) and points/labels are left out and counted. DXF carries no CRS: the uploader's choice,
else what the coordinates can only mean, else CGCS2000 3° GK zone 39 (EPSG:4527, or its
central-meridian twin EPSG:4548 for eastings without the zone prefix) — said to be assumed.
"""

from __future__ import annotations

import re
from pathlib import PurePath

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..crs import Guess, infer_crs
from . import encoding as enc
from .base import Note, ReadOptions, SourceLayer, make_layer
from .dxf_blocks import check_expansion
from .ogr import read_frame

_TEXT_START = re.compile(rb"^\s*0\s*\r?\n\s*SECTION\s*\r?\n")
_HAS_HEADER = re.compile(rb"^\s*0\s*\r?\n\s*SECTION\s*\r?\n\s*2\s*\r?\n\s*HEADER\s*\r?\n")
_BINARY_START = b"AutoCAD Binary DXF"
_EMPTY_HEADER = b"0\nSECTION\n2\nHEADER\n0\nENDSEC\n"  # GDAL applies ENCODING only with a header
_GDAL_ENCODING = {"utf-8": "UTF-8", "gbk": "CP936", "gb18030": "GB18030"}
KINDS = {"polygons": ("Polygon", "MultiPolygon"), "lines": ("LineString", "MultiLineString")}


class DxfReader:
    name = "dxf"

    def sniff(self, data: bytes, filename: str) -> bool:
        return (
            filename.lower().endswith(".dxf")
            or data.startswith(_BINARY_START)
            or bool(_TEXT_START.match(data[:64]))
        )

    def read(self, data: bytes, filename: str, options: ReadOptions) -> list[SourceLayer]:
        if not data.startswith(_BINARY_START):
            check_expansion(data)  # before GDAL inlines the blocks
        codec = _codec(data, options.encoding)
        open_options = {"CLOSED_LINE_AS_POLYGON": "YES"}
        if codec:
            open_options["ENCODING"] = _GDAL_ENCODING.get(codec, codec.upper())
        if not data.startswith(_BINARY_START) and not _HAS_HEADER.match(data[:128]):
            data = _EMPTY_HEADER + data
        frame = read_frame(data, **open_options)
        return _layers(frame, PurePath(filename).stem, options, codec)


def _codec(data: bytes, chosen: str | None) -> str | None:
    if chosen:
        return enc.chosen_codec(chosen)
    return None if data.startswith(_BINARY_START) else enc.detect(data.splitlines())


def _layers(frame: gpd.GeoDataFrame, stem: str, options: ReadOptions, codec: str | None) -> list[SourceLayer]:
    types = frame.geometry.geom_type.fillna("")
    hatch = _column(frame, "SubClasses").fillna("").astype(str).str.contains("AcDbHatch")
    masks = {kind: (types.isin(allowed) & ~hatch).to_numpy() for kind, allowed in KINDS.items()}
    ignored = int(len(frame) - sum(m.sum() for m in masks.values()))
    notes = [Note("dxf_ignored", {"n": ignored})] if ignored else []
    labels = frame[(types.eq("Point") & _column(frame, "Text").notna()).to_numpy()]
    default = _default_crs(frame)
    layers = []
    for kind, mask in masks.items():
        if not mask.any():
            continue
        part = _clean(frame[mask], labels if kind == "polygons" else None)
        layers.append(
            make_layer(
                f"{stem}:{kind}",
                part,
                options,
                declared=None,
                encoding=codec or "ascii",
                default=default,
                notes=notes,
            )
        )
    return layers


def _column(frame: gpd.GeoDataFrame, name: str) -> pd.Series:
    return frame[name] if name in frame.columns else pd.Series(None, index=frame.index, dtype=object)


def _default_crs(frame: gpd.GeoDataFrame) -> Guess:
    guess = infer_crs(tuple(frame.geometry.total_bounds)) if len(frame) else Guess(None, "unknown")
    return Guess("EPSG:4548" if guess.reason == "gk_no_zone" else "EPSG:4527", "dxf_default")


def _clean(features: gpd.GeoDataFrame, labels: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    """CAD layer and entity handle kept; a parcel named by the one label inside it."""
    out = gpd.GeoDataFrame(
        {
            "layer": _column(features, "Layer").to_numpy(),
            "handle": _column(features, "EntityHandle").to_numpy(),
        },
        geometry=shapely.force_2d(features.geometry.to_numpy()),
    ).reset_index(drop=True)
    if labels is not None and len(labels):
        out["name"] = _label_names(out.geometry.to_numpy(), labels)
    return out


def _label_names(polygons: np.ndarray, labels: gpd.GeoDataFrame) -> list[str | None]:
    points = labels.geometry.to_numpy()
    texts = labels["Text"].astype(str).to_numpy()
    poly_idx, point_idx = shapely.STRtree(points).query(polygons, predicate="contains_properly")
    names: list[str | None] = [None] * len(polygons)
    counts = np.bincount(poly_idx, minlength=len(polygons))
    for p, q in zip(poly_idx, point_idx, strict=True):
        if counts[p] == 1:
            names[p] = texts[q].strip() or None
    return names
