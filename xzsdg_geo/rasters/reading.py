"""Opening stored rasters and reading them by windows, warped onto another grid on the fly.

Nothing here reads a whole raster: zonal statistics ask for the window under each polygon, a map asks
for the window under its view, and a raster on another grid is seen through a ``WarpedVRT``, which
resamples only the blocks a read touches. Values come back as masked float arrays with the band's
scale and offset applied (an NDVI stored as int16 × 0.0001 reads as NDVI), nodata masked.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import rasterio
from exactextract.raster import RasterSource
from rasterio.enums import ColorInterp, Resampling
from rasterio.io import DatasetReader, MemoryFile
from rasterio.transform import from_bounds
from rasterio.vrt import WarpedVRT
from rasterio.windows import Window

from ..store import Store
from ..store.base import RasterEntry

Dataset = DatasetReader | WarpedVRT


@contextmanager
def open_data(data: bytes | Path) -> Iterator[DatasetReader]:
    """A raster from kept bytes (held in memory, as small as the store allows) or from a file."""
    if isinstance(data, Path):
        with rasterio.open(data) as ds:
            yield ds
        return
    with MemoryFile(data) as mem, mem.open() as ds:
        yield ds


@contextmanager
def open_raster(store: Store, entry: RasterEntry) -> Iterator[DatasetReader]:
    with open_data(store.raster_data(entry)) as ds:
        yield ds


def _same_grid(ds: Dataset, like: Dataset) -> bool:
    return ds.crs == like.crs and ds.transform == like.transform and ds.shape == like.shape


@contextmanager
def on_grid(ds: Dataset, like: Dataset, resampling: Resampling = Resampling.bilinear) -> Iterator[Dataset]:
    """``ds`` seen on ``like``'s grid: itself when the grids match, else warped on the fly."""
    if _same_grid(ds, like):
        yield ds
        return
    with _warped(ds, like.crs, like.transform, like.width, like.height, resampling) as vrt:
        yield vrt


def _warped(ds: Dataset, crs, transform, width: int, height: int, resampling: Resampling) -> WarpedVRT:
    """A warped view; without a nodata value an alpha band marks where the source has no pixels."""
    return WarpedVRT(ds, crs=crs, transform=transform, width=width, height=height, resampling=resampling,
                     add_alpha=ds.nodata is None)  # fmt: skip


def read_values(ds: Dataset, window: Window | None = None) -> np.ma.MaskedArray:
    """Band 1 in physical units (scale and offset applied), nodata and no-coverage masked."""
    raw = ds.read(1, window=window, masked=True)
    if ds.count == 2 and ds.colorinterp[1] == ColorInterp.alpha:  # a warped view's coverage band
        raw = np.ma.masked_where(ds.read(2, window=window) == 0, raw)
    scale, offset = ds.scales[0], ds.offsets[0]
    if scale == 1.0 and offset == 0.0:
        return raw
    return raw.astype(np.float64) * scale + offset


def read_view(
    store: Store,
    entry: RasterEntry,
    bounds: tuple[float, float, float, float],
    crs: str,
    shape: tuple[int, int],
    resampling: Resampling = Resampling.bilinear,
) -> np.ma.MaskedArray:
    """The raster over ``bounds`` (west, south, east, north in ``crs``) on a ``shape`` (rows, columns)
    grid, for a map or a preview; only the source blocks under the view are read."""
    height, width = shape
    with open_raster(store, entry) as ds:
        transform = from_bounds(*bounds, width=width, height=height)
        with _warped(ds, crs, transform, width, height, resampling) as vrt:
            return read_values(vrt)


class WindowSource(RasterSource):
    """A dataset as exactextract's raster source: it asks for the window under each polygon.

    Subclasses change what a window's values are (NDVI from two bands, a class indicator) by
    overriding :meth:`values`.
    """

    def __init__(self, ds: Dataset) -> None:
        super().__init__()
        if ds.transform.b != 0 or ds.transform.d != 0:
            raise ValueError("rotated rasters are refused when they are registered")
        self.ds = ds

    def res(self) -> tuple[float, float]:
        return abs(self.ds.transform.a), abs(self.ds.transform.e)

    def extent(self) -> tuple[float, float, float, float]:
        b = self.ds.bounds
        return (b.left, b.bottom, b.right, b.top)

    def srs_wkt(self) -> str:
        return self.ds.crs.to_wkt()

    def nodata_value(self) -> None:
        return None  # masks carry nodata

    def values(self, window: Window) -> np.ma.MaskedArray:
        return read_values(self.ds, window)

    def read_window(self, x0: int, y0: int, nx: int, ny: int) -> np.ma.MaskedArray:
        values = self.values(Window(x0, y0, nx, ny))
        return np.ma.masked_array(values.data, np.ma.getmaskarray(values))
