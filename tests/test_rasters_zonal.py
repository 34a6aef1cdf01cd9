"""Zonal means against pixels counted by hand (partial pixels weighed by the part inside), rasters in
other CRSs measured through reprojection, "no data" where a raster does not reach, NDVI from bands."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import Transformer
from rasterio.transform import from_origin
from test_rasters_support import LEFT, TOP, UTM, geotiff, pixel_box

from xzsdg_geo.geo import STORE_CRS
from xzsdg_geo.rasters.ndvi import NdviSource, ndvi
from xzsdg_geo.rasters.reading import WindowSource, on_grid, open_data
from xzsdg_geo.rasters.zonal import IndicatorSource, zonal_means

GRID = np.arange(1, 17, dtype=np.float32).reshape(4, 4)  # 1 2 3 4 / 5 6 7 8 / ...


def means(data: bytes, *geoms: shapely.Geometry, source=WindowSource):
    with open_data(data) as ds:
        return zonal_means(source(ds), np.array(geoms, dtype=object))


def test_partial_pixels_weigh_by_the_part_inside():
    # Columns 0 (its right third) and 1 (whole); rows 0 and 1 (the bottom half of one, the top half of
    # the other): weights 1/6, 1/2, 1/6, 1/2 on the values 1, 2, 5, 6.
    z = means(geotiff(GRID), pixel_box(2 / 3, 0.5, 4 / 3, 1))
    assert z.mean[0] == pytest.approx((1 / 6 * 1 + 1 / 2 * 2 + 1 / 6 * 5 + 1 / 2 * 6) / (4 / 3), rel=1e-6)
    assert z.mean[0] == pytest.approx(3.75, rel=1e-6)
    assert z.valid_share[0] == pytest.approx(1.0, rel=1e-6)
    assert z.pixels[0] == pytest.approx(4 / 3, rel=1e-6)


def test_a_whole_pixel_polygon_is_that_pixel():
    z = means(geotiff(GRID), pixel_box(2, 3, 1, 1), pixel_box(0, 0, 4, 4))
    assert z.mean[0] == pytest.approx(15.0, rel=1e-6)
    assert z.mean[1] == pytest.approx(GRID.mean(), rel=1e-6)


def test_nodata_pixels_are_left_out_and_lower_the_valid_share():
    values = GRID.copy()
    values[1, 1] = -9999  # the value 6, weight 1/2
    z = means(geotiff(values, nodata=-9999), pixel_box(2 / 3, 0.5, 4 / 3, 1))
    assert z.mean[0] == pytest.approx((1 / 6 * 1 + 1 / 2 * 2 + 1 / 6 * 5) / (5 / 6), rel=1e-6)
    assert z.valid_share[0] == pytest.approx((5 / 6) / (4 / 3), rel=1e-6)


def test_a_polygon_the_raster_does_not_reach_has_no_data_not_zero():
    outside = pixel_box(10, 10, 2, 2)
    half_out = pixel_box(3, 0, 2, 1)  # one pixel inside, one beyond the right edge
    z = means(geotiff(GRID), outside, half_out)
    assert np.isnan(z.mean[0]) and z.valid_share[0] == 0
    assert z.mean[1] == pytest.approx(4.0, rel=1e-6)
    assert z.valid_share[1] == pytest.approx(0.5, rel=1e-6)
    assert np.isnan(z.measured(0.6)[1]) and z.measured(0.5)[1] == pytest.approx(4.0, rel=1e-6)


def test_an_all_nodata_window_has_no_data():
    values = np.full((4, 4), -1.0, dtype=np.float32)
    z = means(geotiff(values, nodata=-1.0), pixel_box(1, 1, 2, 2))
    assert np.isnan(z.mean[0]) and z.valid_share[0] == 0


def test_scaled_integers_read_in_physical_units():
    coded = np.full((4, 4), 6500, dtype=np.int16)  # NDVI 0.65 stored ×10000
    z = means(geotiff(coded, scale=0.0001, nodata=-32768), pixel_box(0.5, 0.5, 2, 2))
    assert z.mean[0] == pytest.approx(0.65, rel=1e-6)


def test_indicator_share_counts_partial_pixels():
    water = np.zeros((4, 4), dtype=np.uint8)
    water[:, 0] = 1  # the first column is water
    z = means(
        geotiff(water), pixel_box(0.5, 0, 2, 2), source=lambda ds: IndicatorSource(ds, lambda v: v == 1)
    )
    assert z.mean[0] == pytest.approx(0.25, rel=1e-6)  # half a pixel of water in each row of two


def _linear_raster(crs: str, left: float, top: float, size: float, n: int = 200) -> bytes:
    """Values 10,000 × longitude + 10,000 × latitude at the pixel centres of an ``n`` × ``n`` grid."""
    cols, rows = np.meshgrid(np.arange(n) + 0.5, np.arange(n) + 0.5)
    to_lonlat = Transformer.from_crs(crs, STORE_CRS, always_xy=True)
    lon, lat = to_lonlat.transform(left + cols * size, top - rows * size)
    return geotiff(
        (10_000 * (lon + lat)).astype(np.float64), crs=crs, transform=from_origin(left, top, size, size)
    )


@pytest.mark.parametrize(
    ("crs", "left", "top", "size"),
    [
        (UTM, LEFT - 1000, TOP + 1000, 30.0),  # UTM zone 50N
        ("EPSG:4527", 39_501_000.0, 3_770_500.0, 30.0),  # CGCS2000 3° Gauss-Krüger, zone 39
        (STORE_CRS, 117.015, 34.06, 0.0003),  # lon/lat
    ],
)
def test_rasters_in_any_crs_are_measured_where_the_parcel_is(crs, left, top, size):
    """A linear field's mean over a parcel is its value at the parcel's centroid, whatever the CRS of
    the raster holding it: the parcel is taken to the raster's CRS, not the other way round."""
    parcel = pixel_box(10, 10, 20, 15)  # 600 m × 450 m, given in lon/lat
    z = means(_linear_raster(crs, left, top, size), parcel)
    centroid = parcel.centroid
    assert z.valid_share[0] == pytest.approx(1.0, abs=1e-6)
    assert z.mean[0] == pytest.approx(10_000 * (centroid.x + centroid.y), abs=0.05)  # 0.05 ≈ 0.5 m


def test_ndvi_from_bands_on_different_grids():
    """Red in UTM, NIR in Gauss-Krüger with another pixel size: NIR is warped onto red's grid on the fly;
    where NIR has no pixels the NDVI is no data."""
    red = geotiff(np.full((40, 40), 0.1, dtype=np.float32))
    to_gk = Transformer.from_crs(UTM, "EPSG:4527", always_xy=True)
    gk_left, gk_top = to_gk.transform(LEFT, TOP)
    nir = geotiff(
        np.full((30, 20), 0.5, dtype=np.float32),
        crs="EPSG:4527",
        transform=from_origin(gk_left, gk_top, 25.0, 25.0),
    )  # 500 m wide: red's first 16 columns
    inside, beyond = pixel_box(2, 2, 10, 10), pixel_box(25, 2, 10, 10)  # fmt: skip
    with open_data(red) as r, open_data(nir) as n, on_grid(n, r) as nir_on_red:
        z = zonal_means(NdviSource(r, nir_on_red), np.array([inside, beyond], dtype=object))
    assert z.mean[0] == pytest.approx((0.5 - 0.1) / (0.5 + 0.1), rel=1e-5)
    assert np.isnan(z.mean[1]) and z.valid_share[1] == 0


def test_ndvi_masks_what_it_cannot_divide():
    red = np.ma.masked_array([0.1, 0.0, 0.2], [False, False, True])
    nir = np.ma.masked_array([0.3, 0.0, 0.4], [False, False, False])
    out = ndvi(red, nir)
    assert out[0] == pytest.approx(0.5)
    assert out.mask.tolist() == [False, True, True]
