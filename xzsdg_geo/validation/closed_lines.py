"""Closed lines as polygons, for layers that take polygons only.

People draw a boundary (a 红线) as a path in Google Earth or Ovital, or record it as a GNSS track
that ends where it started; the DXF reader already takes closed polylines as polygons. A line
whose ends lie within :data:`CLOSE_TOLERANCE_M` of each other becomes a polygon (the
``closed_line`` check says so); an open line stays a line and is refused as ``线未闭合``. Layers
that take lines (river segments) keep their lines.
"""

from __future__ import annotations

import numpy as np
import shapely

from ..geo import GEOD
from ..layers import LayerSpec

CLOSE_TOLERANCE_M = 1.0  # a track or hand-drawn path "closed" by ending on its start point


def _gap_m(line: shapely.LineString) -> float:
    (x0, y0), (x1, y1) = line.coords[0], line.coords[-1]
    return float(GEOD.inv(x0, y0, x1, y1)[2])


def _ring_of(line: shapely.LineString) -> shapely.Polygon | None:
    coords = list(line.coords)
    if len(set(coords)) < 3 or _gap_m(line) > CLOSE_TOLERANCE_M:
        return None
    return shapely.Polygon(coords)


def as_polygon(geom: shapely.Geometry | None) -> shapely.Geometry | None:
    """A closed (multi)line as a (multi)polygon; anything else as it is."""
    if geom is None or geom.is_empty or geom.geom_type not in ("LineString", "MultiLineString"):
        return geom
    parts = [_ring_of(part) for part in shapely.get_parts(geom)]
    if any(p is None for p in parts):
        return geom
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def close_lines(geoms: np.ndarray, spec: LayerSpec) -> np.ndarray:
    """Lon/lat geometries with closed lines made polygons when the layer takes polygons only."""
    if not spec.is_polygon or spec.is_line:
        return geoms
    lines = np.flatnonzero(np.isin(shapely.get_type_id(geoms), (1, 5)))
    if not len(lines):
        return geoms
    out = geoms.copy()
    out[lines] = np.array([as_polygon(g) for g in geoms[lines]], dtype=object)
    return out


def was_closed(source: shapely.Geometry | None, placed: shapely.Geometry | None) -> bool:
    """The feature came as a line and is stored as a polygon."""
    return (
        source is not None
        and placed is not None
        and source.geom_type in ("LineString", "MultiLineString")
        and shapely.get_dimensions(placed) == 2
    )
