"""A GeoPackage store's ``<layer>_current`` view as a pygeoapi feature provider, read with pyogrio.

Written because neither of pygeoapi's own GeoPackage routes is installable with the project's
dependencies: its OGR provider needs GDAL's Python bindings (``osgeo``), its SQLite provider the
SpatiaLite extension. pyogrio is GDAL too, so the view is read by the same GPKG driver. Only the
published fields and rows (config/api.toml) are ever selected, so nothing else is reachable.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyogrio
import shapely
from pygeoapi.provider.base import BaseProvider, ProviderInvalidQueryError, ProviderItemNotFoundError

from .query import bbox_xy, date_window, geojson_geometries, output_transform

JSON_TYPES = {"int64": "integer", "int32": "integer", "float64": "number", "float32": "number"}
GEOMETRY = "geom"
ID_FIELD = "feature_id"


def _literal(value: object) -> str:
    """An SQL literal (pyogrio's SQL takes no parameters): text quoted, numbers as they are."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _column(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _plain(value: object) -> object:
    """A JSON value: NumPy scalars as Python ones, NaN (SQL NULL) as None."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _values(column: pd.Series) -> list:
    """A column's values as JSON takes them: dates (read as timestamps when GDAL knows the column's
    type) as days, NumPy scalars as Python ones, missing values (NaN, NaT) as None."""
    if pd.api.types.is_datetime64_any_dtype(column):
        return [None if pd.isna(v) else v.date().isoformat() for v in column]
    return [_plain(v) for v in column.tolist()]


class GeoPackageViewProvider(BaseProvider):
    """``data``: the GeoPackage path; ``table``: the view; ``properties``: the published fields;
    ``options.published_rows``: {field: value} every published row has; ``options.field_info``:
    titles and descriptions of the fields."""

    def __init__(self, provider_def: dict) -> None:
        super().__init__(provider_def)
        self.table = provider_def["table"]
        self.id_field = ID_FIELD
        self.storage_crs = provider_def["storage_crs"]
        self.rows = dict((self.options or {}).get("published_rows", {}))
        self._fields = self.get_fields()

    def get_fields(self) -> dict:
        info = pyogrio.read_info(self.data, layer=self.table)
        types = dict(zip(info["fields"], (str(d) for d in info["dtypes"]), strict=True))
        described = (self.options or {}).get("field_info", {})
        fields = {}
        for name in self.properties:
            dtype = types[name]
            fields[name] = {"type": JSON_TYPES.get(dtype, "string"), **described.get(name, {})}
            if dtype.startswith("datetime64"):
                fields[name]["format"] = "date"
        return fields

    # -- SQL over the view -------------------------------------------------------------------
    def _where(self, properties: list[tuple[str, str]], datetime_: str | None) -> str:
        terms = [f"{_column(f)} = {_literal(v)}" for f, v in self.rows.items()]
        for name, value in properties:
            if name not in self.fields:
                raise ProviderInvalidQueryError(user_msg=f"unknown property {name!r}")
            terms.append(f"{_column(name)} = {_literal(value)}")
        window = date_window(datetime_)
        if window is not None:
            if self.time_field is None:
                raise ProviderInvalidQueryError(user_msg="this collection has no datetime")
            column = _column(self.time_field)
            if window.first:
                terms.append(f"{column} >= {_literal(window.first.isoformat())}")
            if window.last:
                terms.append(f"{column} <= {_literal(window.last.isoformat())}")
        return " AND ".join(terms) or "1"

    def _order(self, sortby: list[dict]) -> str:
        keys = []
        for s in sortby:
            if s["property"] not in self.fields:
                raise ProviderInvalidQueryError(user_msg=f"unknown property {s['property']!r}")
            keys.append(f"{_column(s['property'])} {'ASC' if s['order'] == '+' else 'DESC'}")
        return ", ".join([*keys, _column(ID_FIELD)])

    def _read(self, where: str, order: str = "", page: tuple[int, int] | None = None, *, columns=None,
              geometry: bool = True):  # fmt: skip
        names = [ID_FIELD, *(self.properties if columns is None else columns)]
        select = ", ".join([*(_column(n) for n in dict.fromkeys(names)), *([GEOMETRY] if geometry else [])])
        sql = f"SELECT {select} FROM {_column(self.table)} WHERE {where}"
        if order:
            sql += f" ORDER BY {order}"
        if page:
            sql += f" LIMIT {int(page[1])} OFFSET {int(page[0])}"
        return pyogrio.read_dataframe(self.data, sql=sql, read_geometry=geometry)

    def _count(self, where: str) -> int:
        frame = pyogrio.read_dataframe(
            self.data, sql=f"SELECT COUNT(*) AS n FROM {_column(self.table)} WHERE {where}"
        )
        return int(frame["n"].iloc[0])

    def _bbox_ids(self, where: str, order: str, bbox: list[float]) -> list[str]:
        """Ids of the rows whose geometry meets ``bbox``, in ``order``: the GeoPackage's envelope
        columns narrow the rows, shapely decides (a view has no spatial index to ask)."""
        minx, miny, maxx, maxy = bbox_xy(bbox, self.storage_crs)
        envelope = (
            f"ST_MaxX({GEOMETRY}) >= {minx!r} AND ST_MinX({GEOMETRY}) <= {maxx!r}"
            f" AND ST_MaxY({GEOMETRY}) >= {miny!r} AND ST_MinY({GEOMETRY}) <= {maxy!r}"
        )
        frame = self._read(f"({where}) AND {envelope}", order, columns=[])
        hit = shapely.intersects(frame.geometry.values, shapely.box(minx, miny, maxx, maxy))
        return list(frame[ID_FIELD][np.asarray(hit)])

    # -- pygeoapi's interface --------------------------------------------------------------------
    def query(self, offset=0, limit=10, resulttype="results", bbox=None, datetime_=None, properties=None,
              sortby=None, select_properties=None, skip_geometry=False, crs_transform_spec=None,
              **kwargs) -> dict:  # fmt: skip
        """A page of the published rows, in id order unless ``sortby`` says otherwise."""
        where = self._where(properties or [], datetime_)
        order = self._order(sortby or [])
        page: tuple[int, int] | None = (offset, limit)
        if bbox:  # the page is cut from the matching ids, so the SQL names at most `limit` of them
            ids = self._bbox_ids(where, order, bbox)
            matched, page = len(ids), None
            listed = ", ".join(_literal(i) for i in ids[offset : offset + limit]) or "NULL"
            where = f"{_column(ID_FIELD)} IN ({listed})"
        else:
            matched = self._count(where)
        out = {"type": "FeatureCollection", "features": [], "numberMatched": matched, "numberReturned": 0}
        if resulttype == "hits" or matched == 0:
            return out
        columns = [c for c in self.properties if not select_properties or c in select_properties]
        frame = self._read(where, order, page, columns=columns, geometry=not skip_geometry)
        out["features"] = self._features(frame, columns, crs_transform_spec)
        out["numberReturned"] = len(out["features"])
        return out

    def get(self, identifier, crs_transform_spec=None, **kwargs) -> dict:
        where = f"({self._where([], None)}) AND {_column(ID_FIELD)} = {_literal(identifier)}"
        frame = self._read(where)
        if frame.empty:
            raise ProviderItemNotFoundError(user_msg=f"no such item: {identifier}")
        return self._features(frame, self.properties, crs_transform_spec)[0]

    def _features(self, frame, columns: list[str], crs_transform_spec) -> list[dict]:
        ids = frame[ID_FIELD].tolist()
        if "geometry" in frame:
            moved = output_transform(crs_transform_spec, self.storage_crs)(frame.geometry.to_numpy())
            geometries = geojson_geometries(moved)
        else:
            geometries = [None] * len(ids)
        rows = zip(*(_values(frame[c]) for c in columns), strict=True) if columns else ((),) * len(ids)
        return [
            {"type": "Feature", "id": i, "geometry": g, "properties": dict(zip(columns, row, strict=True))}
            for i, g, row in zip(ids, geometries, rows, strict=True)
        ]

    def __repr__(self) -> str:
        return f"<GeoPackageViewProvider> {self.table}"
