"""From a basin raster to zone polygons, and what they do to the restoration rate.

Cells at or above each severity's lower bound (``config/prediction.toml``) are traced into polygons
(rasterio's ``shapes``, in the grid CRS, then moved to lon/lat). The lightest bound is where a
predicted zone starts: ground predicted to sink that much and not in any surveyed zone is new
subsidence, added to the denominator of its district's rate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
import shapely
from rasterio.features import shapes
from rasterio.transform import Affine

from ..clipping import zone_cover
from ..geo import STORE_CRS, area_ha, reproject
from .basin import Grid


def transform(grid: Grid) -> Affine:
    return Affine(grid.cell, 0.0, grid.west, 0.0, -grid.cell, grid.north)


def write_basin(path: Path, grid: Grid, basin_m: np.ndarray, crs: str, on: dt.date | None) -> None:
    """A basin (metres) as a GeoTIFF of float32 millimetres in ``crs``, tiled, DEFLATE-compressed;
    tagged with its unit and date ("final" for the final basin)."""
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=grid.width,
        height=grid.height,
        count=1,
        dtype="float32",
        crs=crs,
        transform=transform(grid),
        compress="deflate",
        tiled=True,
    ) as out:
        out.write((basin_m * 1000.0).astype(np.float32), 1)
        out.update_tags(units="mm", date=on.isoformat() if on else "final")


def contour_polygons(grid: Grid, basin_m: np.ndarray, threshold_m: float, grid_crs: str) -> shapely.Geometry:
    """The area (lon/lat) where the basin reaches ``threshold_m``: one (multi)polygon, maybe empty."""
    mask = basin_m >= threshold_m
    rows, cols = np.nonzero(mask.any(axis=1))[0], np.nonzero(mask.any(axis=0))[0]
    if not rows.size:
        return shapely.MultiPolygon()
    # trace only the box that holds the area: the rest of a city-wide grid is empty
    i0, i1, j0, j1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    crop = mask[i0:i1, j0:j1]
    shifted = transform(grid) @ Affine.translation(j0, i0)
    parts = [
        shapely.geometry.shape(g)
        for g, v in shapes(crop.astype(np.uint8), mask=crop, transform=shifted)
        if v == 1
    ]
    merged = shapely.union_all(parts)
    return reproject(np.array([merged], dtype=object), grid_crs, STORE_CRS)[0]


@dataclass(frozen=True)
class SeverityZone:
    severity: str  # the subsidence_zones severity code
    geometry: shapely.Geometry  # lon/lat: ground predicted to sink at least this class's bound
    area_ha: float


def severity_zones(
    grid: Grid, basin_m: np.ndarray, bounds_m: dict[str, float], grid_crs: str
) -> list[SeverityZone]:
    """One polygon per severity, each only the ground in that class (nested bands, lightest first)."""
    ordered = sorted(bounds_m.items(), key=lambda kv: kv[1])
    outer = [contour_polygons(grid, basin_m, bound, grid_crs) for _, bound in ordered]
    zones = []
    for k, (code, _) in enumerate(ordered):
        band = outer[k] if k + 1 == len(outer) else outer[k].difference(outer[k + 1])
        zones.append(SeverityZone(code, band, float(area_ha(np.array([band], dtype=object))[0])))
    return zones


@dataclass(frozen=True)
class Comparison:
    predicted_ha: float
    surveyed_ha: float  # of the surveyed zones near the prediction (inside its grid)
    overlap_ha: float
    new_ha: float  # predicted, outside every surveyed zone


def compare(predicted: shapely.Geometry, surveyed: np.ndarray, extent: shapely.Geometry) -> Comparison:
    """The predicted zone against the surveyed zones within the prediction's extent (lon/lat)."""
    surveyed_union = (
        shapely.intersection(shapely.union_all(surveyed), extent)
        if len(surveyed)
        else (shapely.MultiPolygon())
    )
    geoms = np.array(
        [
            predicted,
            surveyed_union,
            predicted.intersection(surveyed_union),
            predicted.difference(surveyed_union),
        ],
        dtype=object,
    )
    p, s, o, n = area_ha(geoms)
    return Comparison(float(p), float(s), float(o), float(n))


def new_ha_by_district(
    predicted: shapely.Geometry, surveyed: np.ndarray, districts: np.ndarray
) -> np.ndarray:
    """Hectares of predicted subsidence outside the surveyed zones, per district."""
    new = predicted.difference(shapely.union_all(surveyed)) if len(surveyed) else predicted
    return zone_cover(districts, np.array([new], dtype=object)).zone_ha
