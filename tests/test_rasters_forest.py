"""Forest cover per district against a hand-made land-cover raster: 0.01° pixels in lon/lat, district
edges through the middle of a pixel column, one district the raster does not reach."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest
from rasterio.transform import from_origin
from shapely.geometry import box
from test_progress_support import with_districts
from test_rasters_support import add

from xzsdg_geo.geo import area_ha
from xzsdg_geo.rasters.forest_cover import forest_cover
from xzsdg_geo.rasters.settings import raster_rules

TREE, CROP = 10, 40
WEST = ("320302", "鼓楼区", box(117.0, 34.0, 117.105, 34.1))  # columns 0-9 and half of column 10
MIDDLE = ("320303", "云龙区", box(117.105, 34.0, 117.3, 34.1))  # half of column 10, columns 11-29
FAR = ("320312", "铜山区", box(117.4, 34.0, 117.5, 34.1))  # beyond the raster


def _landcover() -> np.ndarray:
    """30 × 10 pixels over 117.0-117.3°E: trees in columns 0, 1, 10 and 20-29, crops elsewhere."""
    classes = np.full((10, 30), CROP, dtype=np.uint8)
    classes[:, [0, 1, 10, *range(20, 30)]] = TREE
    return classes


@pytest.fixture
def store(empty_store):
    with_districts(empty_store, WEST, MIDDLE, FAR)
    add(empty_store, _landcover(), "landcover", dt.date(2025, 9, 1), crs="EPSG:4490",
        transform=from_origin(117.0, 34.1, 0.01, 0.01), nodata=0)  # fmt: skip
    return empty_store


def test_forest_share_counts_partial_pixels(store):
    report = forest_cover(store)
    west, middle, _ = report.districts
    # West: 2 tree columns + half of column 10 out of 10.5 columns; middle: the other half of column 10
    # and columns 20-29, out of 19.5.
    assert west.cover.forest_pct == pytest.approx(100 * 2.5 / 10.5, rel=1e-6)
    assert middle.cover.forest_pct == pytest.approx(100 * 10.5 / 19.5, rel=1e-6)
    assert (west.cover.meets_target, middle.cover.meets_target) == (False, True)
    assert (
        west.cover.gap_pct == pytest.approx(31.25 - 100 * 2.5 / 10.5, rel=1e-6) and middle.cover.gap_pct == 0
    )
    assert west.landcover_on == dt.date(2025, 9, 1) and west.rasters == (1,)


def test_a_district_the_raster_misses_has_no_data_not_zero(store):
    far = forest_cover(store).districts[2]
    assert far.cover.forest_pct is None and far.cover.meets_target is None and far.cover.measured_ha == 0
    assert far.landcover_on is None


def test_the_city_is_forest_area_over_measured_area(store):
    report = forest_cover(store)
    west_ha, middle_ha = area_ha(np.array([WEST[2], MIDDLE[2]], dtype=object))
    forest = west_ha * 2.5 / 10.5 + middle_ha * 10.5 / 19.5
    assert report.city.forest_pct == pytest.approx(100 * forest / (west_ha + middle_ha), rel=1e-4)
    assert report.city.measured_ha == pytest.approx(west_ha + middle_ha, rel=1e-6)
    assert report.target_pct == 31.25
    assert report.to_dict()["districts"][0]["landcover_on"] == "2025-09-01"


def test_forest_classes_come_from_the_rules(store):
    rules = dataclasses.replace(raster_rules(), forest_classes=(TREE, CROP))
    assert forest_cover(store, rules).districts[0].cover.forest_pct == pytest.approx(100.0)


def test_the_latest_land_cover_is_used(store):
    add(store, np.full((10, 30), CROP, dtype=np.uint8), "landcover", dt.date(2026, 9, 1), crs="EPSG:4490",
        transform=from_origin(117.0, 34.1, 0.01, 0.01), nodata=0)  # fmt: skip
    west = forest_cover(store).districts[0]
    assert west.landcover_on == dt.date(2026, 9, 1) and west.cover.forest_pct == 0
