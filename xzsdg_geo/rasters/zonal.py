"""Zonal means with exact partial-pixel weights (exactextract), polygons taken to the raster's CRS.

The polygons are reprojected, not the raster: a pixel keeps its value and its footprint, and a
polygon edge through a pixel weighs it by the share of the pixel inside (exactextract's coverage
fraction). A polygon the raster does not cover, or covers only with nodata, has no mean (NaN), never
0; ``valid_share`` says how much of each polygon the valid pixels cover.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import rasterio
import shapely
from exactextract import exact_extract
from rasterio.windows import Window

from ..geo import STORE_CRS, densify, reproject
from .reading import Dataset, WindowSource, read_values
from .settings import raster_rules

# exactextract keeps at most this many pixels of one polygon in memory at a time.
MAX_CELLS_IN_MEMORY = 4_000_000


@dataclass(frozen=True)
class Zonal:
    mean: np.ndarray  # NaN: no valid pixel under the polygon
    valid_share: np.ndarray  # share of each polygon's area under valid pixels, 0 to 1
    pixels: np.ndarray  # each polygon's area in pixels of the raster

    def measured(self, min_valid_share: float) -> np.ndarray:
        """The means of polygons covered well enough, NaN for the others ("no data")."""
        return np.where(self.valid_share >= min_valid_share, self.mean, np.nan)


class IndicatorSource(WindowSource):
    """1 where a pixel's value passes ``test`` (a land-cover class, water), 0 elsewhere: its zonal
    mean is the share of the polygon that passes."""

    def __init__(self, ds: Dataset, test: Callable[[np.ndarray], np.ndarray]) -> None:
        super().__init__(ds)
        self.test = test

    def values(self, window: Window) -> np.ma.MaskedArray:
        raw = read_values(self.ds, window)
        return np.ma.masked_array(self.test(raw.data).astype(np.float32), np.ma.getmaskarray(raw))


def zonal_means(source: WindowSource, geoms: np.ndarray, cache_bytes: int | None = None) -> Zonal:
    """Mean value and valid share under each lon/lat polygon of ``geoms``; GDAL's block cache is held
    to ``cache_bytes`` meanwhile (default: ``config/rasters.toml`` [reading])."""
    geoms = np.asarray(geoms, dtype=object)
    crs = source.ds.crs
    local = reproject(densify(geoms), STORE_CRS, crs.to_string())
    mean, count = np.full(len(geoms), np.nan), np.zeros(len(geoms))
    left, bottom, right, top = source.extent()
    touching = np.flatnonzero(shapely.intersects(local, shapely.box(left, bottom, right, top)))
    if len(touching):
        frame = gpd.GeoDataFrame({"i": touching}, geometry=local[touching], crs=crs.to_wkt())
        cache = raster_rules().cache_bytes if cache_bytes is None else cache_bytes
        with rasterio.Env(GDAL_CACHEMAX=cache), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a polygon without valid pixels has no mean
            out = exact_extract(source, frame, ["mean", "count"], include_cols=["i"], output="pandas",
                                max_cells_in_memory=MAX_CELLS_IN_MEMORY)  # fmt: skip
        mean[out["i"]] = out["mean"].to_numpy(dtype=float)
        count[out["i"]] = out["count"].to_numpy(dtype=float)
    res_x, res_y = source.res()
    pixels = shapely.area(local) / (res_x * res_y)
    share = np.divide(count, pixels, out=np.zeros(len(geoms)), where=pixels > 0)
    mean[count == 0] = np.nan
    return Zonal(mean, np.minimum(share, 1.0), pixels)
