"""GeoJSON (RFC 7946): lon/lat on WGS 84, UTF-8; for web maps and scripts."""

from __future__ import annotations

import pyogrio

from ..layers import LayerSpec
from ..store import Store
from .base import scratch
from .frames import headers, layer_frame
from .options import LayerOptions

WGS84 = "EPSG:4326"  # CGCS2000 and WGS 84 agree to well under a metre here


def geojson(store: Store, spec: LayerSpec, options: LayerOptions | None = None) -> bytes:
    options = options or LayerOptions()
    with scratch() as tmp:
        path = tmp / f"{spec.name}.geojson"
        pyogrio.write_dataframe(
            layer_frame(store, spec, options).rename(columns=headers(spec, options.names)).to_crs(WGS84),
            path,
            driver="GeoJSON",
            use_arrow=True,
            layer_options={"RFC7946": "YES", "WRITE_NAME": "NO"},
        )
        return path.read_bytes()
