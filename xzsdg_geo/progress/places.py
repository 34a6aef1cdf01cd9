"""Where a feature is: its district, and how far it lies from the built-up area.

A feature belongs to the district holding most of it (area for polygons, length for lines), so a
river segment on a district border is counted once. Distances are shortest distances: found in the
equal-area projection and, by default, measured on the ellipsoid between the two nearest points.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from ..config import settings
from ..errors import UserError
from ..geo import GEOD, STORE_CRS, densify, reproject, to_equal_area
from .settings import BuiltUpRules


def _extent(pieces: np.ndarray) -> np.ndarray:
    """Area for surfaces, length for lines, 1 for points: what "most of it" weighs."""
    projected = to_equal_area(densify(pieces))
    dims = shapely.get_dimensions(pieces)
    return np.where(dims == 2, shapely.area(projected), np.where(dims == 1, shapely.length(projected), 1.0))


def owner_district(districts: np.ndarray, geoms: np.ndarray) -> np.ndarray:
    """Index of the district holding most of each geometry; -1 for one in no district."""
    owner = np.full(len(geoms), -1)
    if len(geoms) == 0 or len(districts) == 0:
        return owner
    geom_idx, district_idx = shapely.STRtree(districts).query(geoms, predicate="intersects")
    pieces = shapely.intersection(geoms[geom_idx], districts[district_idx])
    # Measure what lies inside in the geometry's own dimension: a polygon merely touching a
    # district along an edge has a piece of area zero there, however long that edge is.
    same_dim = shapely.get_dimensions(pieces) == shapely.get_dimensions(geoms[geom_idx])
    weight = np.where(same_dim, _extent(pieces), 0.0)
    order = np.lexsort((-weight, geom_idx))  # per geometry, the heaviest piece first
    first = np.r_[True, geom_idx[order][1:] != geom_idx[order][:-1]]
    best = order[first]
    owner[geom_idx[best]] = np.where(weight[best] > 0, district_idx[best], -1)
    return owner


def built_up_area(districts: gpd.GeoDataFrame, rules: BuiltUpRules) -> shapely.Geometry:
    """The union of the configured districts (lon/lat); refused when the store holds none of them."""
    chosen = districts[districts["adcode"].isin(rules.adcodes)]
    if chosen.empty:
        raise UserError("progress.no_built_up", adcodes="、".join(rules.adcodes))
    return shapely.union_all(shapely.make_valid(chosen.geometry.to_numpy()))


def _geodesic(lines: np.ndarray) -> np.ndarray:
    """Ellipsoidal length of projected two-point lines, measured between their lon/lat ends."""
    ends = shapely.get_coordinates(reproject(lines, settings().area_proj, STORE_CRS)).reshape(-1, 4)
    return GEOD.inv(ends[:, 0], ends[:, 1], ends[:, 2], ends[:, 3])[2]


def distance_m(geoms: np.ndarray, area: shapely.Geometry, rules: BuiltUpRules) -> np.ndarray:
    """Metres from each geometry to ``area`` grown by ``rules.buffer_m``; 0 inside or touching it.

    Growing a shape by r lowers every outside distance by exactly r, so the buffer is subtracted
    rather than drawn.
    """
    geoms = np.asarray(geoms, dtype=object)
    if len(geoms) == 0:
        return np.zeros(0)
    projected = to_equal_area(densify(geoms))
    target = to_equal_area(densify(np.array([area], dtype=object)))[0]
    shapely.prepare(target)
    if rules.distance == "equal_area":
        raw = shapely.distance(projected, target)
    else:
        raw = _geodesic(shapely.shortest_line(projected, target))
    return np.maximum(0.0, np.asarray(raw, dtype=float) - rules.buffer_m)
