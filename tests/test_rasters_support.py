"""Builders shared by the raster tests (no tests here): GeoTIFFs from arrays, and polygons drawn on a
raster's pixel grid so a test can say exactly which pixels, and which part of each, a polygon covers.

The grid is UTM zone 50N (EPSG:32650, where Landsat delivers Xuzhou), 30 m pixels, its top-left
corner inside 鼓楼区 of ``test_progress_support``'s two districts.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import shapely
from rasterio.io import MemoryFile
from rasterio.transform import from_origin

from xzsdg_geo.geo import STORE_CRS, reproject
from xzsdg_geo.rasters.catalog import register
from xzsdg_geo.store import Store
from xzsdg_geo.store.base import RasterEntry

UTM = "EPSG:32650"
PIXEL = 30.0
LEFT, TOP = 502_000.0, 3_768_000.0  # about 117.022°E, 34.05°N


def geotiff(values: np.ndarray, crs: str = UTM, transform=None, nodata: float | None = None,
            scale: float = 1.0, path: Path | None = None) -> bytes:  # fmt: skip
    """A one-band GeoTIFF of ``values`` (default grid: ``LEFT``/``TOP``, 30 m); written to ``path`` too."""
    values = np.atleast_3d(values).transpose(2, 0, 1) if values.ndim == 2 else values
    count, height, width = values.shape
    transform = transform or from_origin(LEFT, TOP, PIXEL, PIXEL)
    with MemoryFile() as mem:
        with mem.open(driver="GTiff", width=width, height=height, count=count, dtype=values.dtype, crs=crs,
                      transform=transform, nodata=nodata) as ds:  # fmt: skip
            ds.write(values)
            if scale != 1.0:
                ds.scales = (scale,) * count
        data = mem.read()
    if path is not None:
        path.write_bytes(data)
    return data


def add(store: Store, values: np.ndarray, kind: str, on: dt.date, **options) -> RasterEntry:
    """Register an array as a raster kept in the store."""
    return register(store, geotiff(values, **options), f"{kind}_{on}.tif", kind, on, by="test")


def utm_box(x0: float, y0: float, x1: float, y1: float) -> shapely.Geometry:
    """A box given in UTM metres, as a lon/lat polygon (the store's CRS)."""
    return reproject(np.array([shapely.box(x0, y0, x1, y1)], dtype=object), UTM, STORE_CRS)[0]


def pixel_box(col: float, row: float, cols: float, rows: float) -> shapely.Geometry:
    """A lon/lat polygon over ``cols`` × ``rows`` pixels of the grid from pixel (``col``, ``row``);
    fractions cover parts of pixels."""
    x0, y1 = LEFT + col * PIXEL, TOP - row * PIXEL
    return utm_box(x0, y1 - rows * PIXEL, x0 + cols * PIXEL, y1)
