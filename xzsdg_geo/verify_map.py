"""The 遥感核查 map: completed parcels coloured by their remote-sensing verdict
(:mod:`xzsdg_geo.rasters.verify`), and the latest NDVI image under them as a picture.

The verdict layer is drawn by the overview's machinery (:func:`xzsdg_geo.mapping.layer_data`) from a
layer description made here: verdicts are a report, not a store layer, so they have no layer file.
The image is sent inside the page as a PNG data URL (nothing is fetched from elsewhere).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import matplotlib
import matplotlib.image
import numpy as np
from matplotlib.colors import Normalize

from .i18n import t
from .layers import EnumValue, FieldSpec, LayerSpec
from .mapping import MapLayer, layer_data
from .rasters.verify import VERDICTS, ParcelCheck
from .store import Store

# Paul Tol's colours, as the layer files use: verified green, unverified sand, contradicted red,
# excluded grey (no image can confirm solar panels or buildings).
VERDICT_COLORS = {
    "verified": "#117733",
    "unverified": "#DDCC77",
    "contradicted": "#CC3311",
    "excluded": "#BBBBBB",
}
NDVI_RANGE = (-0.1, 0.9)
NDVI_CMAP = "YlGn"  # sequential, colour-blind safe
MAX_IMAGE_PX = 900  # the picture's longer side: enough for a city map, small in the page


@dataclass(frozen=True)
class ImageOverlay:
    """A picture of a raster over lon/lat ``bounds`` (west, south, east, north) and what it shows."""

    data_url: str
    bounds: tuple[float, float, float, float]
    acquired_on: str


def verdict_spec(lang: str = "zh") -> LayerSpec:
    """The verdict layer as the map draws it: ID, name, verdict (named in the catalog)."""
    values = tuple(
        EnumValue(v, t(f"verify.verdict.{v}", "zh"), t(f"verify.verdict.{v}", "en")) for v in VERDICTS
    )

    def labels(key: str) -> tuple[str, str]:
        return t(key, "zh"), t(key, "en")

    fields = (
        FieldSpec("parcel_id", "str", True, *labels("verify.col.parcel")),
        FieldSpec("name", "str", True, *labels("verify.col.name")),
        FieldSpec("verdict", "enum", True, *labels("maptools.verify_verdict"), values=values),
    )
    style = {"field": "verdict", "colors": VERDICT_COLORS, "weight": 1, "fill_opacity": 0.75}
    return LayerSpec(
        name="verify_verdicts",
        title_zh=t("maptools.verify_layer", "zh"),
        title_en=t("maptools.verify_layer", "en"),
        geometry=("Polygon", "MultiPolygon"),
        id_field="parcel_id",
        fields=fields,
        style=style,
    )


def verdict_layer(
    parcels: gpd.GeoDataFrame, checks: Sequence[ParcelCheck], lang: str = "zh"
) -> MapLayer | None:
    """The checked parcels (``parcels``: the store's, with ``feature_id``) coloured by verdict."""
    verdicts = {c.feature_id: c.verdict for c in checks}
    frame = parcels[parcels["feature_id"].isin(verdicts)].copy()
    frame["verdict"] = frame["feature_id"].map(verdicts)
    return layer_data(verdict_spec(lang), frame, lang)


def _png(values: np.ma.MaskedArray) -> bytes:
    rgba = matplotlib.colormaps[NDVI_CMAP](Normalize(*NDVI_RANGE, clip=True)(values.filled(np.nan)))
    rgba[..., 3] = np.where(np.ma.getmaskarray(values), 0.0, 0.8)
    out = io.BytesIO()
    matplotlib.image.imsave(out, rgba, format="png")
    return out.getvalue()


def ndvi_overlay(store: Store) -> ImageOverlay | None:
    """The latest NDVI image over its own extent, as a lon/lat picture; ``None`` without one."""
    from .rasters.reading import read_view  # rasterio loads only for this page

    entries = sorted(store.rasters("ndvi"), key=lambda e: e.acquired_on)
    if not entries:
        return None
    entry = entries[-1]
    bounds = (entry.west, entry.south, entry.east, entry.north)
    aspect = (
        (entry.east - entry.west)
        * np.cos(np.radians((entry.south + entry.north) / 2))
        / (entry.north - entry.south)
    )
    width = MAX_IMAGE_PX if aspect >= 1 else max(1, round(MAX_IMAGE_PX * aspect))
    height = max(1, round(width / aspect)) if aspect >= 1 else MAX_IMAGE_PX
    values = read_view(store, entry, bounds, "EPSG:4326", (height, width))
    url = "data:image/png;base64," + base64.b64encode(_png(values)).decode("ascii")
    return ImageOverlay(url, bounds, entry.acquired_on)
