"""Deterministic sample rasters (示例影像), drawn from the sample layers in the store. Not imagery.

Written at ``init --sample`` time and kept inside the store (2.6 MB in all, DEFLATE-compressed):

- NDVI on 2011-08-20 and 2026-08-20 (int16 × 0.0001, as MODIS stores NDVI) and water masks of the same
  days (uint8: 1 water, 0 land, 255 nodata), 30 m in UTM zone 50N (EPSG:32650, as Landsat delivers
  Xuzhou), over the coal-field areas only: the box around the restoration parcels, 1.5 km wider;
- land cover on 2026-08-20 (uint8, ESA WorldCover codes, 0 nodata), 0.0003° (about 30 m) in lon/lat
  (EPSG:4490, as WorldCover is geographic), over the whole city, for forest cover per district.

What the images show. Crops are green in August (NDVI 0.45-0.75); subsidence zones are waterlogged,
abandoned ground (NDVI 0.08-0.22, a quarter of it ponded). A parcel completed by the 2026 image shows
its measure: forest 0.72, farmland 0.64, wetland mostly water, solar and construction bare. Lakes are
water throughout. A cloud (``CLOUD``) hides part of 贾汪区's coal field on 2026-08-20: nodata there.

Deliberately "claimed but not green" (:func:`planted_faults`, deterministic): among parcels completed
by 2025-12-31, of at least ``FAULT_MIN_HA`` and clear of the cloud, taken in ``parcel_id`` order,

- every ``FAULT_EVERY``-th forest or farmland parcel (from the first) kept its subsided NDVI: the
  checks find it contradicted;
- every ``FAULT_EVERY``-th one from the ``FAULT_EVERY // 2``-th greened by only ``WEAK_RISE``: unverified;
- every ``DRY_EVERY``-th wetland parcel (from the first) holds almost no water: contradicted.

Forest outside the parcels is drawn so each district's forest cover lies near ``FOREST_PCT``
(invented values: hill districts above the plan's 31.25 %, plain counties below).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from affine import Affine
from rasterio.features import rasterize
from rasterio.io import MemoryFile
from rasterio.transform import from_origin
from rasterio.warp import transform_bounds

from ..errors import UserError
from ..geo import STORE_CRS, area_ha, reproject
from ..sample import LAKES_FILE
from ..store import Store
from ..store.base import RasterEntry
from .catalog import register

SEED = 20_260_820
BEFORE, AFTER = dt.date(2011, 8, 20), dt.date(2026, 8, 20)
FAULTS_BY = dt.date(2025, 12, 31)  # faults are planted among parcels completed by then
UTM, PIXEL_M, MARGIN_M = "EPSG:32650", 30.0, 1500.0
LANDCOVER_DEG = 0.0003
CLOUD = (117.45, 34.45, 1200.0)  # lon, lat, radius in metres
FAULT_EVERY, DRY_EVERY, WEAK_RISE, FAULT_MIN_HA = 50, 40, 0.06, 5.0
NDVI_SCALE, NDVI_NODATA, WATER_NODATA = 0.0001, -32768, 255
NDVI_STEP = 0.005  # values are rounded to this, which halves the files
BACKGROUND_NDVI, SUBSIDED_NDVI, LAKE_NDVI = (0.45, 0.75), (0.08, 0.22), -0.15
RESTORED_NDVI = {"forest": 0.72, "farmland": 0.64, "wetland": 0.05, "solar": 0.2, "construction": 0.15}
PONDED, WETLAND_WATER, DRY_WATER = 0.3, 0.85, 0.03  # thresholds on the fine field: shares of water
# ESA WorldCover classes.
TREE, CROP, BUILT, BARE, WATER, MARSH = 10, 40, 50, 60, 80, 90
RESTORED_CLASS = {"forest": TREE, "farmland": CROP, "wetland": WATER, "solar": BUILT, "construction": BUILT}
CORE = ("320302", "320303", "320311")  # built-up central districts
BUILT_CORE, BUILT_ELSEWHERE = 0.45, 0.10  # built-up shares of ground
FOREST_PCT = {"320302": 22, "320303": 36, "320305": 38, "320311": 35, "320312": 34, "320321": 27,
              "320322": 26, "320324": 30, "320381": 33, "320382": 30}  # fmt: skip


@dataclass(frozen=True)
class SampleRaster:
    filename: str
    kind: str
    acquired_on: dt.date
    data: bytes


@dataclass(frozen=True)
class Grid:
    crs: str
    transform: Affine
    shape: tuple[int, int]  # rows, columns

    def burn(self, geoms: np.ndarray, values: np.ndarray | int = 1, dtype: str = "uint8") -> np.ndarray:
        """Lon/lat polygons burnt in (at pixel centres), 0 elsewhere."""
        local = reproject(np.asarray(geoms, dtype=object), STORE_CRS, self.crs)
        values = np.broadcast_to(values, len(local))
        shapes = [(g, int(v)) for g, v in zip(local, values, strict=True) if g is not None and not g.is_empty]
        if not shapes:
            return np.zeros(self.shape, dtype=dtype)
        return rasterize(shapes, out_shape=self.shape, transform=self.transform, dtype=dtype)

    def smooth(self, rng: np.random.Generator, cell: float) -> np.ndarray:
        """A smooth random field in [0, 1]: uniform noise on a grid ``cell`` wide (CRS units), bilinearly
        interpolated onto this one (axis by axis: two gathers, no warping)."""
        step = max(1.0, cell / abs(self.transform.a))
        rows, cols = self.shape
        coarse = rng.random((int(rows / step) + 2, int(cols / step) + 2)).astype(np.float32)
        low, t = _lerp_weights(cols, step)  # along the coarse rows first: few of them
        wide = coarse[:, low] * (1 - t) + coarse[:, low + 1] * t
        low, t = _lerp_weights(rows, step)  # then whole rows at a time
        return wide[low] * (1 - t[:, None]) + wide[low + 1] * t[:, None]


def _lerp_weights(n: int, step: float) -> tuple[np.ndarray, np.ndarray]:
    """For ``n`` points ``step`` apart on the coarse grid's scale: the coarse index below and the weight
    of the one above."""
    at = np.arange(n, dtype=np.float32) / np.float32(step)
    low = at.astype(np.int64)
    return low, at - low


def _utm_grid(parcels: gpd.GeoDataFrame) -> Grid:
    west, south, east, north = transform_bounds(STORE_CRS, UTM, *parcels.total_bounds)
    left = np.floor((west - MARGIN_M) / PIXEL_M) * PIXEL_M
    top = np.ceil((north + MARGIN_M) / PIXEL_M) * PIXEL_M
    cols = int(np.ceil((east + MARGIN_M - left) / PIXEL_M))
    rows = int(np.ceil((top - south + MARGIN_M) / PIXEL_M))
    return Grid(UTM, from_origin(left, top, PIXEL_M, PIXEL_M), (rows, cols))


def _lonlat_grid(districts: gpd.GeoDataFrame) -> Grid:
    west, south, east, north = districts.total_bounds
    left, top = np.floor(west / LANDCOVER_DEG) * LANDCOVER_DEG, np.ceil(north / LANDCOVER_DEG) * LANDCOVER_DEG
    cols = int(np.ceil((east - left) / LANDCOVER_DEG))
    rows = int(np.ceil((top - south) / LANDCOVER_DEG))
    return Grid(STORE_CRS, from_origin(left, top, LANDCOVER_DEG, LANDCOVER_DEG), (rows, cols))


def _lakes() -> np.ndarray:
    return gpd.read_file(LAKES_FILE).to_crs(STORE_CRS).geometry.to_numpy()


def _cloud() -> shapely.Geometry:
    lon, lat, radius = CLOUD
    centre = reproject(np.array([shapely.Point(lon, lat)], dtype=object), STORE_CRS, UTM)[0]
    return reproject(np.array([centre.buffer(radius)], dtype=object), UTM, STORE_CRS)[0]


def planted_faults(parcels: gpd.GeoDataFrame) -> dict[str, str]:
    """Parcel id → "not_green", "weak" or "dry": the sample's deliberately doubtful parcels."""
    done = parcels[_restored_on(parcels, FAULTS_BY)]
    geoms = done.geometry.to_numpy()
    done = done[~shapely.intersects(geoms, _cloud()) & (area_ha(geoms) >= FAULT_MIN_HA)]
    done = done.sort_values("feature_id")
    green = done[done["measure"].isin(["forest", "farmland"])]["feature_id"].tolist()
    wet = done[done["measure"] == "wetland"]["feature_id"].tolist()
    faults = {fid: "not_green" for fid in green[::FAULT_EVERY]}
    faults |= {fid: "weak" for fid in green[FAULT_EVERY // 2 :: FAULT_EVERY]}
    return faults | {fid: "dry" for fid in wet[::DRY_EVERY]}


def _tiff(values: np.ndarray, grid: Grid, nodata: float, scale: float = 1.0) -> bytes:
    """A tiled, DEFLATE-compressed GeoTIFF; the same bytes for the same values."""
    profile = dict(driver="GTiff", width=grid.shape[1], height=grid.shape[0], count=1, dtype=values.dtype,
                   crs=grid.crs, transform=grid.transform, nodata=nodata, tiled=True, blockxsize=256,
                   blockysize=256, compress="deflate", predictor=2)  # fmt: skip
    with MemoryFile() as mem:
        with mem.open(**profile) as ds:
            ds.write(values, 1)
            if scale != 1.0:
                ds.scales = (scale,)
        return mem.read()


@dataclass(frozen=True)
class _Scene:
    """The sample parcels burnt onto the UTM grid, and the fields the images are drawn from."""

    grid: Grid
    parcel: np.ndarray  # 1-based row of ``parcels`` under each pixel, 0 for none
    parcels: gpd.GeoDataFrame
    faults: dict[str, str]  # planted_faults(parcels)
    subsided: np.ndarray
    lakes: np.ndarray
    cloud: np.ndarray
    coarse: np.ndarray  # smooth field, ~1.5 km features
    fine: np.ndarray  # smooth field, ~150 m features

    def per_parcel(self, table: np.ndarray) -> np.ndarray:
        """A value per parcel (``table[0]`` for no parcel) spread onto the pixels."""
        return table[self.parcel]


def _scene(store: Store, rng: np.random.Generator) -> _Scene:
    parcels = store.features("restoration_parcels").reset_index(drop=True)
    if parcels.empty:
        raise UserError("raster.sample_needs_parcels")
    grid = _utm_grid(parcels)
    return _Scene(
        grid=grid,
        parcel=grid.burn(parcels.geometry.to_numpy(), np.arange(1, len(parcels) + 1), "int32"),
        parcels=parcels,
        faults=planted_faults(parcels),
        subsided=grid.burn(store.features("subsidence_zones").geometry.to_numpy()).astype(bool),
        lakes=grid.burn(_lakes()).astype(bool),
        cloud=grid.burn(np.array([_cloud()], dtype=object)).astype(bool),
        coarse=grid.smooth(rng, 1500.0),
        fine=grid.smooth(rng, 150.0),
    )


def _restored_on(parcels: gpd.GeoDataFrame, day: dt.date) -> np.ndarray:
    """Per parcel (0-based), whether the image of ``day`` shows it restored."""
    return (
        (parcels["status"] == "completed") & (parcels["completed_on"].fillna("9999") <= str(day))
    ).to_numpy()


def _fault_table(scene: _Scene, kind: str) -> np.ndarray:
    return np.r_[False, scene.parcels["feature_id"].map(lambda f: scene.faults.get(f) == kind).to_numpy(bool)]


def _ndvi(scene: _Scene, day: dt.date) -> np.ndarray:
    low, high = BACKGROUND_NDVI
    values = np.where(scene.lakes, LAKE_NDVI, low + (high - low) * scene.coarse)
    low, high = SUBSIDED_NDVI
    values = np.where(scene.subsided, low + (high - low) * scene.fine, values)
    if day == AFTER:
        measures = scene.parcels["measure"].map(RESTORED_NDVI).to_numpy(float)
        level = np.r_[np.nan, np.where(_restored_on(scene.parcels, day), measures, np.nan)]
        weak = _fault_table(scene, "weak")
        level[_fault_table(scene, "not_green") | weak] = np.nan
        restored = scene.per_parcel(level)
        values = np.where(np.isnan(restored), values, restored + 0.08 * (scene.coarse - 0.5))
        values = values + np.where(scene.per_parcel(weak), WEAK_RISE, 0.0)
    coded = (np.round(values / NDVI_STEP) * round(NDVI_STEP / NDVI_SCALE)).astype(np.int16)
    return np.where(scene.cloud & (day == AFTER), NDVI_NODATA, coded).astype(np.int16)


def _water(scene: _Scene, day: dt.date) -> np.ndarray:
    water = np.where(scene.subsided, scene.fine < PONDED, scene.lakes)
    if day == AFTER:
        restored = scene.per_parcel(np.r_[False, _restored_on(scene.parcels, day)])
        measure = scene.per_parcel(np.concatenate([[""], scene.parcels["measure"].to_numpy(str)]))
        dry = scene.per_parcel(_fault_table(scene, "dry"))
        share = np.where(dry, DRY_WATER, np.where(measure == "wetland", WETLAND_WATER, 0.0))
        drained = restored & np.isin(measure, ["forest", "farmland"])
        water = np.where(restored & (measure == "wetland"), scene.fine < share, water & ~drained)
    return np.where(scene.cloud & (day == AFTER), WATER_NODATA, water).astype(np.uint8)


def _landcover(store: Store, rng: np.random.Generator, scene: _Scene) -> tuple[np.ndarray, Grid]:
    districts = store.features("districts").reset_index(drop=True)
    grid = _lonlat_grid(districts)
    district = grid.burn(districts.geometry.to_numpy(), np.arange(1, len(districts) + 1))
    # One smooth field: forest where it is low, built-up where it is high. Per district, the levels that
    # give FOREST_PCT and BUILT_CORE or BUILT_ELSEWHERE of its ground (found on every 7th pixel).
    field = grid.smooth(rng, 0.006)
    probe_district, probe_field = district[::7, ::7], field[::7, ::7]
    forest_level = np.zeros(len(districts) + 1, dtype=np.float32)
    built_level = np.ones(len(districts) + 1, dtype=np.float32)
    for k, adcode in enumerate(districts["adcode"], start=1):
        probe = probe_field[probe_district == k]
        forest_level[k] = np.quantile(probe, FOREST_PCT.get(adcode, 30) / 100)
        built_level[k] = np.quantile(probe, 1 - (BUILT_CORE if adcode in CORE else BUILT_ELSEWHERE))
    out = np.where(field < forest_level[district], TREE, CROP).astype(np.uint8)
    out[field > built_level[district]] = BUILT
    out[grid.burn(_lakes()).astype(bool)] = WATER
    out[grid.burn(store.features("subsidence_zones").geometry.to_numpy()).astype(bool)] = MARSH
    parcels = scene.parcels[_restored_on(scene.parcels, AFTER)]
    classes = [
        BARE if fid in scene.faults else RESTORED_CLASS[m]
        for fid, m in zip(parcels["feature_id"], parcels["measure"], strict=True)
    ]
    burnt = grid.burn(parcels.geometry.to_numpy(), np.array(classes, dtype=np.uint8))
    out = np.where(burnt > 0, burnt, out)
    out[district == 0] = 0
    return out, grid


def build(store: Store) -> list[SampleRaster]:
    """The sample rasters for the store's sample layers; the same bytes every time."""
    rng = np.random.default_rng(SEED)
    scene = _scene(store, rng)
    out = []
    for day in (BEFORE, AFTER):
        out.append(SampleRaster(f"sample_ndvi_{day:%Y%m%d}.tif", "ndvi", day,
                                _tiff(_ndvi(scene, day), scene.grid, NDVI_NODATA, NDVI_SCALE)))  # fmt: skip
        out.append(SampleRaster(f"sample_water_{day:%Y%m%d}.tif", "water", day,
                                _tiff(_water(scene, day), scene.grid, WATER_NODATA)))  # fmt: skip
    landcover, grid = _landcover(store, rng, scene)
    out.append(
        SampleRaster(f"sample_landcover_{AFTER:%Y%m%d}.tif", "landcover", AFTER, _tiff(landcover, grid, 0))
    )
    return out


def add_sample_rasters(store: Store, by: str = "system") -> list[RasterEntry]:
    """Generate and register the sample rasters (kept inside the store). Rasters already registered
    (the same bytes) are left as they are, so a second call adds nothing."""
    added = []
    with store.transaction():
        for raster in build(store):
            if store.find_raster(hashlib.sha256(raster.data).hexdigest()) is None:
                added.append(
                    register(store, raster.data, raster.filename, raster.kind, raster.acquired_on, by=by)
                )
    return added
