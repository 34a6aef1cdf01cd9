"""Xuzhou as the checks see it: the district boundaries grown by a buffer, and where a point lies.

The boundaries are the store's current districts when a store is given and holds some (so loading
official boundaries sharpens the check), else the bundled approximate ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np
import shapely

from ..config import settings
from ..geo import GEOD, STORE_CRS, reproject, to_equal_area
from ..sample import load_districts
from ..store import Store
from .findings import Localized

_DIRECTIONS = (
    ("北", "north"),
    ("东北", "north-east"),
    ("东", "east"),
    ("东南", "south-east"),
    ("南", "south"),
    ("西南", "south-west"),
    ("西", "west"),
    ("西北", "north-west"),
)


@dataclass(frozen=True)
class Region:
    names: tuple[str, ...]
    districts_m: np.ndarray  # equal-area metres
    area_m: shapely.Geometry  # their union grown by the buffer, prepared

    def share_inside(self, geoms_m: np.ndarray) -> np.ndarray:
        """Per geometry, the share of its area (lines: length; points: 0 or 1) inside the region."""
        share = np.zeros(len(geoms_m))
        present = ~shapely.is_missing(geoms_m) & ~shapely.is_empty(geoms_m)
        inside = present & shapely.contains_properly(self.area_m, geoms_m)
        share[inside] = 1.0
        edge = np.flatnonzero(present & ~inside & shapely.intersects(self.area_m, geoms_m))
        if len(edge):
            part = shapely.intersection(geoms_m[edge], self.area_m)
            share[edge] = _measure(part) / np.maximum(_measure(geoms_m[edge]), 1e-12)
        return np.clip(np.nan_to_num(share), 0.0, 1.0)

    def contains_points(self, xy_m: np.ndarray) -> np.ndarray:
        return shapely.contains_xy(self.area_m, xy_m[:, 0], xy_m[:, 1])

    def describe(self, point_m: shapely.Point) -> dict[str, object]:
        """Message parameters saying where a point is: lon/lat, and how far which way of which district."""
        lonlat = lonlat_of(point_m)
        distances = shapely.distance(self.districts_m, point_m)
        nearest = int(np.nanargmin(distances)) if np.isfinite(distances).any() else 0
        anchor = lonlat_of(shapely.point_on_surface(self.districts_m[nearest]))
        azimuth = GEOD.inv(anchor.x, anchor.y, lonlat.x, lonlat.y)[0]
        zh, en = _DIRECTIONS[round((azimuth % 360) / 45) % 8] if math.isfinite(azimuth) else ("—", "—")
        return {
            "lon": f"{lonlat.x:.4f}",
            "lat": f"{lonlat.y:.4f}",
            "km": f"{distances[nearest] / 1000:.1f}",
            "direction": Localized(zh, en),
            "district": self.names[nearest],
        }


def _measure(geoms: np.ndarray) -> np.ndarray:
    dims = shapely.get_dimensions(geoms)
    return np.where(dims == 2, shapely.area(geoms), np.where(dims == 1, shapely.length(geoms), 1.0))


def lonlat_of(point_m: shapely.Geometry) -> shapely.Geometry:
    """A geometry in equal-area metres back in lon/lat."""
    return reproject(np.array([point_m]), settings().area_proj, STORE_CRS)[0]


def _build(names: tuple[str, ...], districts_lonlat: np.ndarray, buffer_m: float) -> Region:
    districts_m = to_equal_area(districts_lonlat)
    area = shapely.buffer(shapely.union_all(districts_m), buffer_m)
    shapely.prepare(area)
    return Region(names, districts_m, area)


@cache
def _bundled(buffer_m: float) -> Region:
    districts = load_districts()
    return _build(tuple(districts["name"]), districts.geometry.to_numpy(), buffer_m)


# Xuzhou's official extent (116°22′–118°40′E, 33°43′–34°58′N): what a new boundary set is checked
# against, since checking it against the boundaries it replaces would be circular.
XUZHOU_EXTENT = (116 + 22 / 60, 33 + 43 / 60, 118 + 40 / 60, 34 + 58 / 60)


@cache
def extent_region(buffer_m: float) -> Region:
    return _build(("徐州市",), np.array([shapely.box(*XUZHOU_EXTENT)]), buffer_m)


def region_for(store: Store | None, buffer_m: float) -> Region:
    if store is not None:
        districts = store.features("districts")
        if len(districts):
            return _build(tuple(districts["name"].astype(str)), districts.geometry.to_numpy(), buffer_m)
    return _bundled(buffer_m)
