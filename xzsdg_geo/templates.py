"""Upload templates: an empty file per layer with its Chinese columns, value lists and CRS.

A field team that fills a template in hands back a file every column of which maps onto the
layer without aliases or ``--map``. Three kinds, for the three ways teams work:

- ``shp``: a zipped Shapefile (GBK, the column names the shapefile export uses) with a ``.prj``;
- ``gpkg``: a GeoPackage layer named after the layer, Chinese columns, typed;
- ``xlsx``: a boundary-point workbook (sheet 界址点: 编号, 点号, X, Y, 圈号) and an attribute sheet
  (地块属性) with a drop-down list on each enum column, and a sheet saying the CRS and the
  X/Y convention; :mod:`readers.coordinate_table` reads it back, attributes joined by 编号.

The CRS is CGCS2000 lon/lat by default or the uploader's GK zone (e.g. EPSG:4527).
"""

from __future__ import annotations

import io
import zipfile

import geopandas as gpd
import pandas as pd
import pyogrio
from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from . import crs as crs_mod
from .errors import UserError
from .exports.base import Export, make_export, scratch
from .exports.frames import _typed, ogr_geometry_type
from .exports.options import FieldNames
from .exports.shp import ENCODING, _mark_gbk, dbf_names
from .i18n import current_lang, t
from .layers import FieldSpec, LayerSpec

TEMPLATE_FORMATS = ("shp", "gpkg", "xlsx")
DEFAULT_CRS = "EPSG:4490"
POINTS_SHEET, ATTRIBUTES_SHEET, ABOUT_SHEET = "界址点", "地块属性", "说明"
POINT_COLUMNS = ("点号", "X", "Y", "圈号")
VALIDATION_ROWS = 1000  # rows of the attribute sheet the drop-down lists cover


def _empty(spec: LayerSpec, names: dict[str, str], crs: str) -> gpd.GeoDataFrame:
    """No rows, each column typed as the layer export types it (dates as dates, not text)."""
    columns = {names[f.name]: _typed(f, pd.Series([], dtype=object), FieldNames.ZH) for f in spec.fields}
    return gpd.GeoDataFrame(pd.DataFrame(columns), geometry=gpd.GeoSeries([], crs=crs), crs=crs)


def _shapefile(spec: LayerSpec, crs: str) -> bytes:
    frame = _empty(spec, dbf_names(spec), crs)
    buffer = io.BytesIO()
    with scratch() as tmp, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        path = tmp / f"{spec.title_zh}.shp"
        pyogrio.write_dataframe(
            frame, path, geometry_type=ogr_geometry_type(spec), encoding=ENCODING, use_arrow=True
        )
        _mark_gbk(path.with_suffix(".dbf"))
        for file in sorted(tmp.glob(f"{spec.title_zh}.*")):
            archive.write(file, file.name)
    return buffer.getvalue()


def _geopackage(spec: LayerSpec, crs: str) -> bytes:
    frame = _empty(spec, {f.name: f.label_zh for f in spec.fields}, crs)
    with scratch() as tmp:
        path = tmp / "template.gpkg"
        pyogrio.write_dataframe(
            frame, path, layer=spec.title_zh, geometry_type=ogr_geometry_type(spec), use_arrow=True
        )
        return path.read_bytes()


def _value_list(f: FieldSpec) -> DataValidation:
    listed = ",".join(v.zh for v in f.values)
    check = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True)
    check.error, check.errorTitle = t("template.pick", "zh", values=listed), f.label_zh
    return check


def _workbook(spec: LayerSpec, crs: str, lang: str) -> bytes:
    if not spec.is_polygon:
        raise UserError("template.xlsx_polygons", layer=spec.title(lang))
    book = Workbook()
    points = book.active
    points.title = POINTS_SHEET
    key = spec.field(spec.id_field).label_zh
    points.append([key, *POINT_COLUMNS])
    attributes = book.create_sheet(ATTRIBUTES_SHEET)
    fields = [spec.field(spec.id_field), *(f for f in spec.fields if f.name != spec.id_field)]
    attributes.append([f.label_zh for f in fields])
    for col, f in enumerate(fields, start=1):
        if f.type == "enum":
            check = _value_list(f)
            attributes.add_data_validation(check)
            letter = attributes.cell(row=1, column=col).column_letter
            check.add(f"{letter}2:{letter}{VALIDATION_ROWS + 1}")
    about = book.create_sheet(ABOUT_SHEET)
    text = t("template.about", lang, crs=crs_mod.label(crs), layer=spec.title(lang), id_column=key)
    for line in text.split("\n"):
        about.append([line])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def template(spec: LayerSpec, fmt: str, crs: str | None = None, lang: str | None = None) -> Export:
    """The empty upload file of ``spec`` in ``fmt``; a :class:`UserError` for a format or CRS
    that cannot be."""
    lang = lang or current_lang()
    if fmt not in TEMPLATE_FORMATS:
        raise UserError("template.bad_format", format=fmt, allowed="、".join(TEMPLATE_FORMATS))
    chosen = crs_mod.normalize(crs) if crs else DEFAULT_CRS
    if crs_mod.parse(chosen) is None:
        raise UserError("template.bad_crs", crs=crs)
    writers = {"shp": _shapefile, "gpkg": _geopackage}
    data = _workbook(spec, chosen, lang) if fmt == "xlsx" else writers[fmt](spec, chosen)
    return make_export(data, f"{spec.title_zh}_上传模板", fmt)
