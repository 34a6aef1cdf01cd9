"""Images: the dated observations the checks measure on, and which one to use for a polygon.

An image is one registered raster (an NDVI raster, a water mask, a land-cover raster) or a red and a
NIR band of one date. For a polygon and a date, the image to use is the latest whose footprint
touches the polygon on the right side of the date; each image is then opened once and measured
under all the polygons that chose it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial

import numpy as np
import shapely

from ..store import Store
from ..store.base import RasterEntry
from .ndvi import NdviSource, band_pairs
from .reading import WindowSource, on_grid, open_raster
from .settings import RasterRules
from .zonal import IndicatorSource, Zonal, zonal_means

SIGNALS = ("ndvi", "water", "forest")


@dataclass(frozen=True)
class Image:
    """One dated observation of a signal; a red + NIR pair is read on the red band's grid."""

    signal: str  # one of SIGNALS
    rasters: tuple[RasterEntry, ...]

    @property
    def acquired_on(self) -> dt.date:
        return dt.date.fromisoformat(self.rasters[0].acquired_on)

    @property
    def ids(self) -> list[int]:
        return [r.id for r in self.rasters]

    def footprint(self) -> shapely.Geometry:
        """Lon/lat box of the ground every raster of the image covers."""
        boxes = [shapely.box(r.west, r.south, r.east, r.north) for r in self.rasters]
        return shapely.intersection_all(boxes)


def images(store: Store, signal: str) -> list[Image]:
    """The store's images of ``signal``, oldest first."""
    if signal == "ndvi":
        found = [Image(signal, (r,)) for r in store.rasters("ndvi")]
        found += [Image(signal, pair) for pair in band_pairs(store.rasters("red"), store.rasters("nir"))]
    else:
        kind = "water" if signal == "water" else "landcover"
        found = [Image(signal, (r,)) for r in store.rasters(kind)]
    return sorted(found, key=lambda i: (i.acquired_on, i.ids))


def _is_in(classes: tuple[int, ...], values: np.ndarray) -> np.ndarray:
    return np.isin(values, classes)


def _nonzero(values: np.ndarray) -> np.ndarray:
    return values != 0


@contextmanager
def opened(store: Store, image: Image, rules: RasterRules) -> Iterator[WindowSource]:
    """The image as a zonal source: NDVI values, or 1/0 for water (any non-zero class) or forest."""
    with ExitStack() as stack:
        first = stack.enter_context(open_raster(store, image.rasters[0]))
        if len(image.rasters) == 2:
            nir = stack.enter_context(open_raster(store, image.rasters[1]))
            yield NdviSource(first, stack.enter_context(on_grid(nir, first)))
        elif image.signal == "ndvi":
            yield WindowSource(first)
        elif image.signal == "water":
            yield IndicatorSource(first, _nonzero)
        else:
            yield IndicatorSource(first, partial(_is_in, rules.forest_classes))


def pick(
    found: Sequence[Image], geoms: np.ndarray, limits: Sequence[dt.date | None], side: str
) -> np.ndarray:
    """Per geometry, the index in ``found`` of the latest image touching it acquired on or before
    (``side`` "before") or on or after ("after") its limit date; -1 for none (or no limit)."""
    chosen = np.full(len(geoms), -1)
    if len(geoms) == 0:
        return chosen
    days = np.array([np.datetime64(d) if d else np.datetime64("NaT") for d in limits], dtype="datetime64[D]")
    for k, image in enumerate(found):  # oldest first: a later image overwrites an earlier choice
        when = np.datetime64(image.acquired_on)
        in_time = (when <= days) if side == "before" else (when >= days)
        chosen[in_time & shapely.intersects(image.footprint(), geoms)] = k
    return chosen


def measure(
    store: Store, found: Sequence[Image], choices: Sequence[np.ndarray], geoms: np.ndarray, rules: RasterRules
) -> list[Zonal]:
    """For each array of choices (an image index per geometry), every geometry measured on its
    chosen image; each image is opened once for all the geometries that chose it."""
    n = len(geoms)
    results = [Zonal(np.full(n, np.nan), np.zeros(n), np.zeros(n)) for _ in choices]
    for k, image in enumerate(found):
        wanted = np.unique(np.concatenate([np.flatnonzero(c == k) for c in choices]))
        if len(wanted) == 0:
            continue
        with opened(store, image, rules) as source:
            zonal = zonal_means(source, geoms[wanted], rules.cache_bytes)
        for chosen, result in zip(choices, results, strict=True):
            mine = chosen[wanted] == k
            result.mean[wanted[mine]] = zonal.mean[mine]
            result.valid_share[wanted[mine]] = zonal.valid_share[mine]
            result.pixels[wanted[mine]] = zonal.pixels[mine]
    return results
