"""GeoPackage: one layer, or every layer of the store in one file (QGIS and ArcGIS Pro open both).

Each layer table carries its QGIS default style (``layer_styles``, as in the store), so the file
opens coloured like the web map.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

import pyogrio

from ..layers import LayerSpec
from ..store import Store
from ..store.layer_styles import OWNER, STYLE_NAME, Columns, qml, sld
from .base import scratch
from .frames import headers, layer_frame, ogr_geometry_type
from .options import FieldNames, LayerOptions

# GeoPackage 1.3: its R-tree triggers are the ones every GDAL validator in use checks for (1.4
# renamed two, which Debian 12's GDAL 3.6 validator does not know yet).
GPKG_VERSION = "1.3"
_LAYER_STYLES = """CREATE TABLE layer_styles (
  id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256), f_table_schema TEXT(256),
  f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT,
  useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),
  update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"""


def _add_styles(path: Path, specs: list[LayerSpec], options: LayerOptions) -> None:
    """QGIS's ``layer_styles``, registered as an attributes table; the QML names the columns the
    file has (Chinese or codes)."""
    with sqlite3.connect(path) as conn:
        conn.execute(_LAYER_STYLES)
        conn.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description)"
            " VALUES ('layer_styles', 'attributes', 'layer_styles', 'QGIS layer styles')"
        )
        conn.executemany(
            "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column,"
            " styleName, styleQML, styleSLD, useAsDefault, owner) VALUES ('', '', ?, 'geom', ?, ?, ?, 1, ?)",
            [_style_row(spec, options) for spec in specs],
        )
    conn.close()


def _columns(spec: LayerSpec, options: LayerOptions) -> Columns:
    return Columns(headers(spec, options.names), values_named=options.names == FieldNames.ZH)


def _style_row(spec: LayerSpec, options: LayerOptions) -> tuple[str, str, str, str, str]:
    columns = _columns(spec, options)
    return spec.name, STYLE_NAME, qml(spec, columns=columns), sld(spec, columns=columns), OWNER


def geopackage(store: Store, specs: Iterable[LayerSpec], options: LayerOptions | None = None) -> bytes:
    """The features of each layer as a table of its own name, titled in Chinese."""
    options = options or LayerOptions()
    specs = list(specs)
    with scratch() as tmp:
        path = tmp / "export.gpkg"
        for spec in specs:
            pyogrio.write_dataframe(
                layer_frame(store, spec, options).rename(columns=headers(spec, options.names)),
                path,
                layer=spec.name,
                driver="GPKG",
                geometry_type=ogr_geometry_type(spec),
                append=path.exists(),
                use_arrow=True,
                layer_options={"IDENTIFIER": spec.title_zh, "DESCRIPTION": spec.title_en},
                dataset_options={"VERSION": GPKG_VERSION},
            )
        _add_styles(path, specs, options)
        return path.read_bytes()
