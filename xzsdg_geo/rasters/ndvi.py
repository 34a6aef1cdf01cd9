"""NDVI, (NIR − red) / (NIR + red), from NDVI rasters or from red and near-infrared bands of one date.

Bands delivered as separate files (Landsat, Sentinel-2) are paired by acquisition date; the NIR band
is read on the red band's grid (warped on the fly when the grids differ), window by window.
"""

from __future__ import annotations

import numpy as np
import shapely
from rasterio.windows import Window

from ..store.base import RasterEntry
from .reading import Dataset, WindowSource, read_values


def ndvi(red: np.ma.MaskedArray, nir: np.ma.MaskedArray) -> np.ma.MaskedArray:
    """Per pixel; masked where either band is, or where both are 0 (no signal to divide)."""
    red, nir = red.astype(np.float64), nir.astype(np.float64)
    total = nir + red
    mask = np.ma.getmaskarray(red) | np.ma.getmaskarray(nir) | (total.filled(0) == 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.clip((nir.filled(0) - red.filled(0)) / np.where(mask, 1, total.filled(1)), -1, 1)
    return np.ma.masked_array(values, mask)


class NdviSource(WindowSource):
    """NDVI of a red band and a NIR band already on the red band's grid (see ``reading.on_grid``)."""

    def __init__(self, red: Dataset, nir: Dataset) -> None:
        super().__init__(red)
        self.nir = nir

    def values(self, window: Window) -> np.ma.MaskedArray:
        return ndvi(read_values(self.ds, window), read_values(self.nir, window))


def _footprint(entry: RasterEntry) -> shapely.Geometry:
    return shapely.box(entry.west, entry.south, entry.east, entry.north)


def band_pairs(reds: list[RasterEntry], nirs: list[RasterEntry]) -> list[tuple[RasterEntry, RasterEntry]]:
    """Each red band with the NIR band of the same date that overlaps it most; a band without a
    partner is left out (it makes no NDVI)."""
    pairs = []
    for red in reds:
        same_day = [n for n in nirs if n.acquired_on == red.acquired_on]
        overlap = [_footprint(red).intersection(_footprint(n)).area for n in same_day]
        if overlap and max(overlap) > 0:
            pairs.append((red, same_day[int(np.argmax(overlap))]))
    return pairs
