"""Coordinate handling shared by the store, the engine and the checks.

Everything is stored in lon/lat on CGCS2000 (EPSG:4490, which equals WGS84 to well under a metre
here). Areas are measured in one equal-area projection (``config/settings.toml``) rather than in
degrees or Gauss-Krüger metres, whose scale error would bias every hectare.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import shapely
from pyproj import CRS, Geod, Transformer

from .config import settings

STORE_CRS = "EPSG:4490"
GEOD = Geod(ellps="GRS80")
M2_PER_HA = 10_000.0
MAX_SEGMENT_DEG = 0.005


@cache
def _transformer(src: str, dst: str) -> Transformer:
    return Transformer.from_crs(CRS.from_user_input(src), CRS.from_user_input(dst), always_xy=True)


def reproject(geoms: np.ndarray, src: str, dst: str) -> np.ndarray:
    """Geometries moved from ``src`` to ``dst``, vertex by vertex, vectorised."""
    if CRS.from_user_input(src) == CRS.from_user_input(dst):
        return geoms
    tr = _transformer(src, dst)
    return shapely.transform(geoms, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))


def to_equal_area(geoms: np.ndarray) -> np.ndarray:
    """Lon/lat geometries in the configured equal-area projection (metres)."""
    return reproject(geoms, STORE_CRS, settings().area_proj)


def densify(geoms: np.ndarray) -> np.ndarray:
    """Extra vertices every ~500 m, so an edge keeps its lon/lat course once projected.

    A long edge means a straight line in lon/lat; projected as a chord it would bow by metres
    and two pieces cut from one polygon would no longer add up to it.
    """
    return shapely.segmentize(geoms, MAX_SEGMENT_DEG)


def area_ha(geoms: np.ndarray) -> np.ndarray:
    """Equal-area hectares of lon/lat geometries."""
    return shapely.area(to_equal_area(densify(np.asarray(geoms, dtype=object)))) / M2_PER_HA


def geodesic_area_ha(geom: shapely.Geometry) -> float:
    """Area on the GRS80 ellipsoid, the reference the equal-area sums are checked against.

    Oriented first: pyproj adds each ring's signed area, so holes only subtract when they run
    against their shell, and the parts of a multipolygon only add when they all run one way.
    """
    return GEOD.geometry_area_perimeter(shapely.orient_polygons(densify(geom)))[0] / M2_PER_HA


def geodesic_length_m(geom: shapely.Geometry) -> float:
    return GEOD.geometry_length(geom)
