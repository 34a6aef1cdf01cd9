"""Zipped Shapefile for older ArcGIS: GBK attribute text, declared twice so every reader agrees.

The ``.dbf`` carries Language Driver ID 0x4D (code page 936, GBK) in its header, which ArcGIS reads
first, and a ``.cpg`` saying ``936``, which GDAL/QGIS read. Field names may be at most 10 bytes, so
each field is named by the first of its Chinese label and aliases that fits (5 Chinese characters in
GBK): names the importer recognises, so a returned file maps back onto the layer. A shapefile holds
one kind of geometry, so a layer of polygons and points becomes one file of each.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

from ..layers import LayerSpec
from ..store import Store
from .base import scratch
from .frames import headers, layer_frame
from .options import FieldNames, LayerOptions

ENCODING = "CP936"
CODE_PAGE = "936"
LDID_GBK = 0x4D
LDID_OFFSET = 29
MAX_NAME_BYTES = 10
OGR_TYPES = {"polygon": "MultiPolygon", "line": "MultiLineString", "point": "Point"}  # by geometry family
_FAMILY_OF = {shapely.GeometryType.POLYGON: "polygon", shapely.GeometryType.MULTIPOLYGON: "polygon",
              shapely.GeometryType.LINESTRING: "line", shapely.GeometryType.MULTILINESTRING: "line",
              shapely.GeometryType.POINT: "point"}  # fmt: skip


def _fits(name: str) -> bool:
    return len(name.encode("gbk", errors="replace")) <= MAX_NAME_BYTES


def dbf_names(spec: LayerSpec, names_in: FieldNames = FieldNames.ZH) -> dict[str, str]:
    """Column → field name in the ``.dbf``, unique and at most 10 GBK bytes each: the name every
    other format uses when it fits, else the first alias that does."""
    names: dict[str, str] = {}
    aliases = {f.name: f.aliases for f in spec.fields}
    candidates = [
        (code, (header, *aliases.get(code, ()), code)) for code, header in headers(spec, names_in).items()
    ]
    for column, spellings in candidates:
        taken = set(names.values())
        fitting = [s for s in spellings if _fits(s) and s not in taken]
        names[column] = fitting[0] if fitting else column[:MAX_NAME_BYTES]
    return names


def _family(geometry_type: str) -> str:
    return _FAMILY_OF[shapely.GeometryType[geometry_type.upper()]]


def _families(frame: gpd.GeoDataFrame) -> dict[str, gpd.GeoDataFrame]:
    """The features split by geometry family, as present."""
    kinds = np.array([_FAMILY_OF[k] for k in shapely.get_type_id(frame.geometry.to_numpy())], dtype=object)
    return {k: frame[kinds == k] for k in sorted(set(kinds))}


def _mark_gbk(dbf: Path) -> None:
    """Set the Language Driver ID that GDAL leaves at 0, and say the code page in the ``.cpg``."""
    with dbf.open("r+b") as fh:
        fh.seek(LDID_OFFSET)
        fh.write(bytes([LDID_GBK]))
    dbf.with_suffix(".cpg").write_text(CODE_PAGE, encoding="ascii")


def shapefile_zip(store: Store, spec: LayerSpec, options: LayerOptions | None = None) -> bytes:
    """A layer of one geometry family is one ``<layer>.shp``; a mixed one (polygons and points) is
    ``<layer>_polygon.shp`` and ``<layer>_point.shp``, for the families it holds."""
    options = options or LayerOptions()
    frame = layer_frame(store, spec, options).rename(columns=dbf_names(spec, options.names))
    declared = {_family(g) for g in spec.geometry}
    groups = _families(frame) if len(frame) else {_family(spec.geometry[0]): frame}
    buffer = io.BytesIO()
    with scratch() as tmp, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for family, part in groups.items():
            stem = spec.name if len(declared) == 1 else f"{spec.name}_{family}"
            path = tmp / f"{stem}.shp"
            pyogrio.write_dataframe(part, path, geometry_type=OGR_TYPES[family], encoding=ENCODING,
                                    use_arrow=True)  # fmt: skip
            _mark_gbk(path.with_suffix(".dbf"))
            for file in sorted(tmp.glob(f"{stem}.*")):
                archive.write(file, file.name)
    return buffer.getvalue()
