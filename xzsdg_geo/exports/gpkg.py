"""GeoPackage: one layer, or every layer of the store in one file (QGIS and ArcGIS Pro open both)."""

from __future__ import annotations

from collections.abc import Iterable

import pyogrio

from ..layers import LayerSpec
from ..store import Store
from .base import scratch
from .frames import layer_frame, ogr_geometry_type


def geopackage(store: Store, specs: Iterable[LayerSpec]) -> bytes:
    """The current features of each layer as a table of its own name, titled in Chinese."""
    with scratch() as tmp:
        path = tmp / "export.gpkg"
        for spec in specs:
            pyogrio.write_dataframe(
                layer_frame(store, spec),
                path,
                layer=spec.name,
                driver="GPKG",
                geometry_type=ogr_geometry_type(spec),
                append=path.exists(),
                use_arrow=True,
                layer_options={"IDENTIFIER": spec.title_zh, "DESCRIPTION": spec.title_en},
            )
        return path.read_bytes()
