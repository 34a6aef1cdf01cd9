"""Builders shared by the progress tests (no tests here): small worlds written into a real store.

Distances and lengths are set out with pyproj's own geodesic solver, independently of the code under
test, so a test compares the metrics against what the ellipsoid says.
"""

from __future__ import annotations

import datetime as dt

import shapely
from pyproj import Geod
from shapely.geometry import box

from xzsdg_geo.dates import start_of_day_utc
from xzsdg_geo.store import NewFeature, Store

GEOD = Geod(ellps="GRS80")
BASE = dt.date(2000, 1, 1)
LAT = 34.05
# Two districts side by side: 鼓楼区, the built-up area by the configuration, and 铜山区 east of it.
CORE = ("320302", "鼓楼区", box(117.0, 34.0, 117.1, 34.1))
EAST = ("320312", "铜山区", box(117.1, 34.0, 117.5, 34.1))


def put(store: Store, layer: str, rows: list[tuple[str, shapely.Geometry, dict]], on: dt.date) -> None:
    """Features as the store holds them from the start of ``on``."""
    features = [NewFeature(fid, geom, props, start_of_day_utc(on)) for fid, geom, props in rows]
    store.write_features(layer, features, by="test", source="test")


def with_districts(store: Store, *districts: tuple[str, str, shapely.Geometry]) -> Store:
    put(store, "districts", [(a, g, {"adcode": a, "name": n}) for a, n, g in districts or (CORE, EAST)], BASE)
    return store


def east_of(lon: float, lat: float, metres: float) -> tuple[float, float]:
    """The point ``metres`` along the geodesic leaving (lon, lat) due east."""
    x, y, _ = GEOD.fwd(lon, lat, 90.0, metres)
    return float(x), float(y)


def pit_east_of_core(metres: float, size_m: float = 200.0) -> shapely.Polygon:
    """A triangle whose western tip lies ``metres`` (geodesic) east of the core's east edge."""
    tip = east_of(117.1, LAT, metres)
    far = east_of(*tip, size_m)
    north = GEOD.fwd(*far, 0.0, size_m / 2)[:2]
    south = GEOD.fwd(*far, 180.0, size_m / 2)[:2]
    return shapely.Polygon([tip, north, south])


def geodesic_ha(geom: shapely.Geometry) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 10_000.0
