"""A layer's features as GIS users receive them, whatever the file format.

The layer's own fields first (enum values as their Chinese names, which the importer maps back to
codes, or the codes themselves with English field names; dates as dates, numbers as numbers), then
the feature's size (equal-area hectares for polygons, geodesic metres for lines: the figures the
rates use, whatever CRS the file is in), then each feature's version, since when it is valid, who
recorded it and from what source. The store's internal ``feature_id`` is the layer's id field, so it
is not repeated. Every format names the columns through :func:`headers`, so they agree.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa

from ..geo import STORE_CRS, area_ha, geodesic_length_m
from ..i18n import t
from ..layers import FieldSpec, LayerSpec
from ..rates import on_the_ground
from ..store import Store
from ..store.gpkg_schema import geometry_type_name
from .options import FieldNames, LayerOptions

META_COLUMNS = ("version", "valid_from", "recorded_by", "source")
AREA, LENGTH = "area_ha", "length_m"
_OGR_TYPES = {"MULTIPOLYGON": "MultiPolygon", "MULTILINESTRING": "MultiLineString", "GEOMETRY": "Unknown"}


def ogr_geometry_type(spec: LayerSpec) -> str:
    """The geometry type GDAL should declare: the store's own column type."""
    return _OGR_TYPES[geometry_type_name(spec)]


def size_column(spec: LayerSpec) -> str:
    """Polygons (and polygons mixed with points) get an area, lines a length."""
    return AREA if spec.is_polygon else LENGTH


def _size(spec: LayerSpec, geoms: np.ndarray) -> pd.api.extensions.ExtensionArray:
    if size_column(spec) == AREA:
        return pd.array(area_ha(geoms), dtype="Float64")
    return pd.array([geodesic_length_m(g) for g in geoms], dtype="Float64")


def _typed(
    spec: FieldSpec, values: pd.Series, names: FieldNames
) -> pd.Series | pd.api.extensions.ExtensionArray:
    if spec.type == "enum" and names == FieldNames.EN:
        return values.astype("string")
    if spec.type == "enum":
        names_zh = {v.code: v.zh for v in spec.values}
        return values.map(lambda code: names_zh.get(code, code), na_action="ignore").astype("string")
    if spec.type == "date":
        days = [None if pd.isna(v) else dt.date.fromisoformat(str(v)[:10]) for v in values]
        return pd.array(days, dtype=pd.ArrowDtype(pa.date32()))
    if spec.type == "int":
        return pd.array(pd.to_numeric(values), dtype="Int64")
    if spec.type == "float":
        return pd.array(pd.to_numeric(values), dtype="Float64")
    return values.astype("string")


def layer_frame(store: Store, spec: LayerSpec, options: LayerOptions | None = None) -> gpd.GeoDataFrame:
    """The layer's features (current, or on the ground at the end of ``options.as_of``), one row
    each, columns by their codes (see :func:`headers`), in ``options.crs``."""
    options = options or LayerOptions()
    frame = store.features(spec.name, known_at=options.known_at)
    if options.as_of is not None:  # on the ground that day (the two clocks)
        frame = on_the_ground({spec.name: frame}, options.as_of)[spec.name]
    geoms = frame.geometry.to_numpy()
    columns = {f.name: _typed(f, frame[f.name], options.names) for f in spec.fields}
    columns[size_column(spec)] = _size(spec, geoms)
    columns["version"] = pd.array(frame["version"], dtype="Int64")
    for name in META_COLUMNS[1:]:
        columns[name] = frame[name].astype("string")
    data = pd.DataFrame(columns, index=range(len(frame)))
    return gpd.GeoDataFrame(data, geometry=geoms, crs=STORE_CRS).to_crs(options.crs)


def meta_label(name: str) -> str:
    """The Chinese name of a metadata column (for formats whose readers expect Chinese headers)."""
    return t(f"export.meta.{name}", "zh")


def headers(spec: LayerSpec, names: FieldNames = FieldNames.ZH) -> dict[str, str]:
    """Column code → the name every format gives it: the Chinese labels, or the codes themselves."""
    codes = [*spec.field_names, size_column(spec), *META_COLUMNS]
    if names == FieldNames.EN:
        return {c: c for c in codes}
    labels = {f.name: f.label_zh for f in spec.fields}
    labels[size_column(spec)] = t(f"pkg.export.col.{size_column(spec)}", "zh")
    return {c: labels.get(c) or meta_label(c) for c in codes}
