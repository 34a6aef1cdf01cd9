"""A layer's current features as GIS users receive them, whatever the file format.

The layer's own fields first (enum values as their Chinese names, which the importer maps back to
codes; dates as dates, numbers as numbers), then each feature's version, since when it is valid, who
recorded it and from what source. The store's internal ``feature_id`` is the layer's id field, so it
is not repeated.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import pyarrow as pa

from ..geo import STORE_CRS
from ..i18n import t
from ..layers import FieldSpec, LayerSpec
from ..store import Store
from ..store.gpkg_schema import geometry_type_name

META_COLUMNS = ("version", "valid_from", "recorded_by", "source")
_OGR_TYPES = {"MULTIPOLYGON": "MultiPolygon", "MULTILINESTRING": "MultiLineString", "GEOMETRY": "Unknown"}


def ogr_geometry_type(spec: LayerSpec) -> str:
    """The geometry type GDAL should declare: the store's own column type."""
    return _OGR_TYPES[geometry_type_name(spec)]


def _typed(spec: FieldSpec, values: pd.Series) -> pd.Series | pd.api.extensions.ExtensionArray:
    if spec.type == "enum":
        names = {v.code: v.zh for v in spec.values}
        return values.map(lambda code: names.get(code, code), na_action="ignore").astype("string")
    if spec.type == "date":
        days = [None if pd.isna(v) else dt.date.fromisoformat(str(v)[:10]) for v in values]
        return pd.array(days, dtype=pd.ArrowDtype(pa.date32()))
    if spec.type == "int":
        return pd.array(pd.to_numeric(values), dtype="Int64")
    if spec.type == "float":
        return pd.array(pd.to_numeric(values), dtype="Float64")
    return values.astype("string")


def layer_frame(store: Store, spec: LayerSpec) -> gpd.GeoDataFrame:
    """The layer's current features, one row each, in the store's CRS (EPSG:4490)."""
    frame = store.features(spec.name)
    columns = {f.name: _typed(f, frame[f.name]) for f in spec.fields}
    columns["version"] = pd.array(frame["version"], dtype="Int64")
    for name in META_COLUMNS[1:]:
        columns[name] = frame[name].astype("string")
    data = pd.DataFrame(columns, index=range(len(frame)))
    return gpd.GeoDataFrame(data, geometry=frame.geometry.to_numpy(), crs=STORE_CRS)


def meta_label(name: str) -> str:
    """The Chinese name of a metadata column (for formats whose readers expect Chinese headers)."""
    return t(f"export.meta.{name}", "zh")
