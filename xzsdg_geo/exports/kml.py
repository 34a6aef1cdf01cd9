"""KML for Google Earth and 奥维 (Ovital): lon/lat on WGS 84; each placemark named after its feature."""

from __future__ import annotations

import pyogrio

from ..layers import LayerSpec
from ..store import Store
from .base import scratch
from .frames import layer_frame
from .geojson import WGS84


def name_field(spec: LayerSpec) -> str:
    return "name" if "name" in spec.field_names else spec.id_field


def kml(store: Store, spec: LayerSpec) -> bytes:
    with scratch() as tmp:
        path = tmp / f"{spec.name}.kml"
        pyogrio.write_dataframe(
            layer_frame(store, spec).to_crs(WGS84),
            path,
            layer=spec.title_zh,
            driver="KML",
            use_arrow=True,
            dataset_options={"NameField": name_field(spec)},
        )
        return path.read_bytes()
