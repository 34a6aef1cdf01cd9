"""Synthetic, seeded subsidence zones and restoration parcels at benchmark scale.

The shapes are built to exercise what makes the rate engine's geometry hard, not to look like
Xuzhou: zones cluster in mining fields so many overlap, some sit on district borders, some have
holes; parcels mostly lie in or across a zone, some overlap each other, some reach outside every
zone. All polygons are star-shaped around their centre, so they are valid by construction and
are generated in one vectorised pass (100k shapes take seconds).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from xzsdg_geo.sample import load_districts
from xzsdg_geo.services.setup import BASELINE, SYSTEM_USER, frame_to_features
from xzsdg_geo.store import Store, create_store

SEED = 20_261_231
M_PER_DEG_LAT = 111_000.0
ZONES_PER_FIELD = 60  # zones per mining field: sets how densely zones overlap
FIELD_SPREAD_DEG = 0.03  # ~3 km spread of zone centres around their field's centre
ZONE_HA = (8.0, 1.2, 4.0, 400.0)  # lognormal median, sigma, then clipped to [low, high]
SHARE_ON_BORDER = 0.06  # zones centred on a shared district border
SHARE_WITH_HOLE = 0.08
PARCEL_SHARE_OF_ZONE = (0.03, 0.35)  # a parcel's area as a share of its zone's
SHARE_PARCEL_ON_EDGE = 0.10  # parcels centred on their zone's edge: half outside
SHARE_PARCEL_LOOSE = 0.05  # parcels placed near a field, not on any particular zone
STATUS_P = {"completed": 0.65, "in_progress": 0.20, "planned": 0.15}
MEASURE_P = {"farmland": 0.4, "wetland": 0.25, "forest": 0.2, "solar": 0.1, "construction": 0.05}
FIRST_DAY, LAST_DAY = dt.date(2012, 1, 1), dt.date(2026, 10, 31)
ZONES_RECORDED = dt.date(2010, 1, 1)
PARCELS_RECORDED = dt.date(2025, 1, 1)  # for parcels without a completion date


@dataclass(frozen=True)
class SynthData:
    districts: gpd.GeoDataFrame
    zones: gpd.GeoDataFrame
    parcels: gpd.GeoDataFrame


@dataclass(frozen=True)
class _Stars:
    """Centres (lon/lat), mean radii (m), axis ratios and rotations of star-shaped polygons."""

    x: np.ndarray
    y: np.ndarray
    radius: np.ndarray
    stretch: np.ndarray
    turn: np.ndarray

    @classmethod
    def random(cls, rng: np.random.Generator, x: np.ndarray, y: np.ndarray, radius: np.ndarray) -> _Stars:
        n = len(x)
        return cls(x, y, radius, rng.uniform(0.5, 1.0, n), rng.uniform(0, np.pi, n))

    def take(self, idx: np.ndarray, scale: float = 1.0) -> _Stars:
        """The stars at ``idx``, their radii times ``scale``."""
        return _Stars(self.x[idx], self.y[idx], self.radius[idx] * scale, self.stretch[idx], self.turn[idx])


def _polygons(rng: np.random.Generator, s: _Stars, vertices: np.ndarray, jitter: float) -> np.ndarray:
    """Star-shaped polygons: angles strictly increase around the centre, so rings never cross."""
    owner = np.repeat(np.arange(len(s.x)), vertices)
    k = np.arange(len(owner)) - np.repeat(np.cumsum(vertices) - vertices, vertices)
    angle = 2 * np.pi * (k + rng.uniform(-0.35, 0.35, len(owner))) / vertices[owner]
    r = s.radius[owner] * rng.uniform(1 - jitter, 1 + jitter, len(owner))
    u, v = r * np.cos(angle) * s.stretch[owner], r * np.sin(angle)
    cos, sin = np.cos(s.turn[owner]), np.sin(s.turn[owner])
    dx, dy = u * cos - v * sin, u * sin + v * cos
    lon = s.x[owner] + dx / (M_PER_DEG_LAT * np.cos(np.radians(s.y[owner])))
    lat = s.y[owner] + dy / M_PER_DEG_LAT
    return shapely.polygons(shapely.linearrings(np.column_stack([lon, lat]), indices=owner))


def _radius_m(hectares: np.ndarray, stretch_mean: float = 0.75) -> np.ndarray:
    return np.sqrt(hectares * 10_000 / (np.pi * stretch_mean))


def _points_in(rng: np.random.Generator, area: shapely.Geometry, n: int) -> np.ndarray:
    """``n`` uniform random points inside ``area``, as an (n, 2) array."""
    shapely.prepare(area)
    minx, miny, maxx, maxy = area.bounds
    out = np.empty((0, 2))
    while len(out) < n:
        xy = rng.uniform((minx, miny), (maxx, maxy), (2 * n, 2))
        out = np.vstack([out, xy[shapely.contains_xy(area, xy[:, 0], xy[:, 1])]])
    return out[:n]


def _points_on(rng: np.random.Generator, lines: shapely.Geometry, n: int) -> np.ndarray:
    points = shapely.line_interpolate_point(lines, rng.uniform(0, 1, n), normalized=True)
    return shapely.get_coordinates(points)


def _inner_borders(districts: gpd.GeoDataFrame) -> shapely.Geometry:
    """The borders two districts share (the city's outline left out)."""
    city = shapely.union_all(districts.geometry.to_numpy())
    borders = shapely.union_all(districts.boundary.to_numpy())
    return shapely.line_merge(shapely.difference(borders, city.boundary.buffer(1e-5)))


def _zone_centres(rng: np.random.Generator, districts: gpd.GeoDataFrame, n: int) -> np.ndarray:
    city = shapely.union_all(districts.geometry.to_numpy())
    fields = _points_in(rng, city, max(1, n // ZONES_PER_FIELD))
    centres = fields[rng.integers(0, len(fields), n)] + rng.normal(0, FIELD_SPREAD_DEG, (n, 2))
    on_border = rng.random(n) < SHARE_ON_BORDER
    centres[on_border] = _points_on(rng, _inner_borders(districts), int(on_border.sum()))
    return centres


def _zones(rng: np.random.Generator, districts: gpd.GeoDataFrame, n: int) -> tuple[gpd.GeoDataFrame, _Stars]:
    """Zones and the stars they were drawn from (parcels are placed on those)."""
    median, sigma, low, high = ZONE_HA
    xy = _zone_centres(rng, districts, n)
    hectares = np.clip(rng.lognormal(np.log(median), sigma, n), low, high)
    stars = _Stars.random(rng, xy[:, 0], xy[:, 1], _radius_m(hectares))
    geoms = _polygons(rng, stars, rng.integers(12, 49, n), jitter=0.25)
    holed = np.flatnonzero(rng.random(n) < SHARE_WITH_HOLE)
    holes = _polygons(rng, stars.take(holed, scale=0.3), np.full(len(holed), 10), jitter=0.1)
    geoms[holed] = shapely.difference(geoms[holed], holes)
    ids = [f"SZ-{i + 1:06d}" for i in range(n)]
    return gpd.GeoDataFrame(
        {
            "zone_id": ids,
            "name": [f"合成沉陷区{i}" for i in ids],
            "severity": rng.choice(["light", "moderate", "severe"], n, p=[0.4, 0.35, 0.25]),
            "mine": [f"合成矿井{k % 97 + 1}" for k in range(n)],
        },
        geometry=geoms,
        crs="EPSG:4490",
    ), stars


def _parcel_stars(rng: np.random.Generator, zones: _Stars, n: int) -> _Stars:
    """Parcels on random zones: mostly within, some on the edge, some loose around the fields."""
    zone = rng.integers(0, len(zones.x), n)
    share = rng.uniform(*PARCEL_SHARE_OF_ZONE, n)
    radius = zones.radius[zone] * np.sqrt(share)
    kind = rng.random(n)
    reach = np.where(kind < SHARE_PARCEL_ON_EDGE, 1.0, rng.uniform(0, 0.55, n)) * zones.radius[zone]
    reach[kind > 1 - SHARE_PARCEL_LOOSE] *= 8  # loose: well away from their zone
    bearing = rng.uniform(0, 2 * np.pi, n)
    lat = zones.y[zone] + reach * np.sin(bearing) / M_PER_DEG_LAT
    lon = zones.x[zone] + reach * np.cos(bearing) / (M_PER_DEG_LAT * np.cos(np.radians(lat)))
    return _Stars.random(rng, lon, lat, radius)


def _days(rng: np.random.Generator, n: int) -> list[dt.date]:
    offsets = rng.integers(0, (LAST_DAY - FIRST_DAY).days + 1, n)
    return [FIRST_DAY + dt.timedelta(days=int(d)) for d in offsets]


def _parcels(rng: np.random.Generator, zones: _Stars, n: int) -> gpd.GeoDataFrame:
    geoms = _polygons(rng, _parcel_stars(rng, zones, n), rng.integers(5, 13, n), jitter=0.15)
    status = rng.choice(list(STATUS_P), n, p=list(STATUS_P.values()))
    days = _days(rng, n)
    ids = [f"SP-{i + 1:06d}" for i in range(n)]
    return gpd.GeoDataFrame(
        {
            "parcel_id": ids,
            "name": [f"合成修复地块{i}" for i in ids],
            "status": status,
            "completed_on": [d if s == "completed" else None for s, d in zip(status, days, strict=True)],
            "measure": rng.choice(list(MEASURE_P), n, p=list(MEASURE_P.values())),
            "investment_wan": np.round(rng.uniform(50, 900, n), 1),
        },
        geometry=geoms,
        crs="EPSG:4490",
    )


def build(n_zones: int, n_parcels: int, seed: int = SEED) -> SynthData:
    """The bundled districts with ``n_zones`` zones and ``n_parcels`` parcels; same seed, same data."""
    rng = np.random.default_rng(seed)
    districts = load_districts()
    zones, stars = _zones(rng, districts, n_zones)
    return SynthData(districts, zones, _parcels(rng, stars, n_parcels))


def write_store(path: str | Path, data: SynthData) -> Store:
    """A new GeoPackage store holding ``data``, with history backdated as ``init --sample`` does."""
    store = create_store(str(path))
    layers = [
        ("districts", data.districts, "adcode", BASELINE),
        ("subsidence_zones", data.zones, "zone_id", ZONES_RECORDED),
        ("restoration_parcels", data.parcels, "parcel_id", PARCELS_RECORDED),
    ]
    with store.transaction():
        for layer, frame, id_field, recorded in layers:
            parcels = layer == "restoration_parcels"  # a parcel enters the books when completed
            features = frame_to_features(frame, id_field, recorded, at_completion=parcels)
            store.write_features(layer, features, by=SYSTEM_USER, source="bench:synth")
    return store
