"""Verdicts on synthetic parcels: each drawn on the pixels of two NDVI images and two water masks whose
values the test sets, so every verdict and reason has one cause."""

from __future__ import annotations

import dataclasses
import datetime as dt

import geopandas as gpd
import numpy as np
import pytest
from test_progress_support import put, with_districts
from test_rasters_support import add, pixel_box

from xzsdg_geo.errors import UserError
from xzsdg_geo.geo import STORE_CRS
from xzsdg_geo.rasters.settings import Rule, raster_rules
from xzsdg_geo.rasters.verify import check_parcels, judge, verify_parcels

BEFORE, AFTER = dt.date(2011, 8, 20), dt.date(2026, 8, 20)
DONE = "2020-06-01"
SIZE = 120  # the images: 120 × 120 pixels of 30 m (3.6 km)
# Parcels: (id, measure, completed on, status, pixel box (col, row, cols, rows), NDVI after, water after).
PARCELS = [
    ("P-GREEN", "forest", DONE, "completed", (2, 2, 10, 10), 0.70, 0.0),
    ("P-GREY", "farmland", DONE, "completed", (20, 2, 10, 10), 0.16, 0.0),
    ("P-WEAK", "farmland", DONE, "completed", (40, 2, 10, 10), 0.21, 0.0),
    ("P-WET", "wetland", DONE, "completed", (60, 2, 10, 10), 0.05, 1.0),
    ("P-DRY", "wetland", DONE, "completed", (80, 2, 10, 10), 0.30, 0.0),
    ("P-SOLAR", "solar", DONE, "completed", (100, 2, 10, 10), 0.15, 0.0),
    ("P-LATE", "forest", "2026-06-01", "completed", (2, 30, 10, 10), 0.70, 0.0),
    ("P-CLOUD", "forest", DONE, "completed", (20, 30, 10, 10), None, 0.0),
    ("P-TINY", "forest", DONE, "completed", (40.3, 30.3, 1.5, 1.5), 0.70, 0.0),
    (
        "P-EDGE",
        "forest",
        DONE,
        "completed",
        (117, 60, 10, 10),
        0.70,
        0.0,
    ),  # 7 of 10 columns beyond the images
    ("P-UNDATED", "forest", None, "completed", (60, 30, 10, 10), 0.70, 0.0),
    ("P-PLANNED", "forest", None, "planned", (80, 30, 10, 10), 0.15, 0.0),
    ("P-AWAY", "forest", DONE, "completed", (400, 2, 10, 10), 0.70, 0.0),  # far east of the images
]
NODATA = -1.0


def _paint(values: np.ndarray, box: tuple, value: float) -> None:
    col, row, cols, rows = (int(v) for v in box)
    values[row : row + rows, col : col + cols] = value


def _images(store) -> None:
    ndvi_before = np.full((SIZE, SIZE), 0.15, dtype=np.float32)
    ndvi_after, water_after = ndvi_before.copy(), np.zeros((SIZE, SIZE), dtype=np.uint8)
    for _, _, _, _, box, ndvi, water in PARCELS:
        _paint(ndvi_after, box, NODATA if ndvi is None else ndvi)
        _paint(water_after, box, water)
    add(store, ndvi_before, "ndvi", BEFORE, nodata=NODATA)
    add(store, ndvi_after, "ndvi", AFTER, nodata=NODATA)
    add(store, np.zeros((SIZE, SIZE), dtype=np.uint8), "water", BEFORE)
    add(store, water_after, "water", AFTER)


@pytest.fixture
def store(empty_store):
    with_districts(empty_store)
    rows = [
        (fid, pixel_box(*box), {"parcel_id": fid, "name": fid, "status": status, "completed_on": done,
                                "measure": measure})
        for fid, measure, done, status, box, _, _ in PARCELS
    ]  # fmt: skip
    put(empty_store, "restoration_parcels", rows, dt.date(2026, 10, 1))
    _images(empty_store)
    return empty_store


def test_each_parcel_gets_the_verdict_its_pixels_give(store):
    report = verify_parcels(store)
    got = {i.feature_id: (i.verdict, i.reason) for i in report.items}
    assert got == {
        "P-GREEN": ("verified", None),
        "P-GREY": ("contradicted", None),
        "P-WEAK": ("unverified", "inconclusive"),
        "P-WET": ("verified", None),
        "P-DRY": ("contradicted", None),
        "P-SOLAR": ("excluded", "measure_excluded"),
        "P-LATE": ("unverified", "no_image_after"),  # the image is less than 180 days after
        "P-CLOUD": ("unverified", "no_data_after"),
        "P-TINY": ("unverified", "too_small"),
        "P-EDGE": ("unverified", "no_data_after"),
        "P-UNDATED": ("unverified", "no_completion_date"),
        "P-AWAY": ("unverified", "no_image_after"),
    }  # planned parcels are not judged


def test_values_images_and_coverage_are_reported(store):
    items = {i.feature_id: i for i in verify_parcels(store).items}
    green = items["P-GREEN"]
    assert (green.signal, green.before.on, green.after.on) == ("ndvi", BEFORE, AFTER)
    assert green.before.value == pytest.approx(0.15, abs=1e-6) and green.after.value == pytest.approx(
        0.70, abs=1e-6
    )
    assert green.change == pytest.approx(0.55, abs=1e-6)
    assert green.before.rasters == (1,) and green.after.rasters == (2,)
    assert green.after.valid_share == pytest.approx(1.0, abs=1e-6) and green.after.pixels == pytest.approx(
        100, rel=1e-4
    )
    wet = items["P-WET"]
    assert wet.signal == "water" and (wet.before.value, wet.after.value) == pytest.approx(
        (0.0, 1.0), abs=1e-9
    )
    edge = items["P-EDGE"]
    assert edge.after.value is None and edge.change is None  # no data, not zero
    assert edge.after.valid_share == pytest.approx(0.3, abs=1e-3)  # 3 of its 10 columns lie on the images
    assert items["P-CLOUD"].after.value is None and items["P-CLOUD"].after.valid_share == pytest.approx(
        0, abs=1e-6
    )
    assert items["P-AWAY"].after.rasters == () and items["P-AWAY"].after.value is None


def test_district_totals_and_the_verified_share(store):
    report = verify_parcels(store)
    city = report.city
    assert city.parcels == 12 and city.counts == {
        "verified": 2,
        "unverified": 7,
        "contradicted": 2,
        "excluded": 1,
    }
    ha = {i.feature_id: i.area_ha for i in report.items}
    assert city.excluded_ha == pytest.approx(ha["P-SOLAR"])
    assert city.verified_ha == pytest.approx(ha["P-GREEN"] + ha["P-WET"])
    assert city.verified_pct == pytest.approx(100 * city.verified_ha / (city.restored_ha - ha["P-SOLAR"]))
    core, east = report.districts
    assert core.totals.parcels == 11 and east.totals.parcels == 1  # P-AWAY lies in 铜山区
    as_json = {i["feature_id"]: i for i in report.to_dict()["items"]}
    assert as_json["P-GREEN"]["before"]["on"] == "2011-08-20" and as_json["P-GREEN"]["verdict"] == "verified"


def test_one_district_only(store):
    report = verify_parcels(store, "320312")
    assert [i.feature_id for i in report.items] == ["P-AWAY"]
    assert [d.adcode for d in report.districts] == ["320312"]
    with pytest.raises(UserError) as err:
        verify_parcels(store, "999999")
    assert err.value.key == "verify.unknown_district" and "320302" in err.value.message("zh")


def test_thresholds_come_from_the_rules(store):
    rules = raster_rules()
    lenient = dataclasses.replace(rules, rules={**rules.rules, "farmland": Rule("ndvi", "rise", 0.05, 0.0)})
    items = {i.feature_id: i.verdict for i in verify_parcels(store, rules=lenient).items}
    assert (items["P-WEAK"], items["P-GREY"]) == ("verified", "unverified")  # rises of 0.06 and 0.01


def test_a_store_without_images_leaves_every_parcel_unverified(empty_store):
    with_districts(empty_store)
    props = {"parcel_id": "P", "name": "P", "status": "completed", "completed_on": DONE, "measure": "forest"}
    put(empty_store, "restoration_parcels", [("P", pixel_box(2, 2, 10, 10), props)], dt.date(2026, 10, 1))
    (item,) = verify_parcels(empty_store).items
    assert (item.verdict, item.reason) == ("unverified", "no_image_after")


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (0.15, 0.30, ("verified", None)),
        (0.15, 0.25, ("verified", None)),  # a rise of exactly verified_at
        (0.15, 0.17, ("contradicted", None)),
        (0.30, 0.20, ("contradicted", None)),  # browner
        (0.15, 0.20, ("unverified", "inconclusive")),
        (None, 0.70, ("unverified", "no_data_before")),
        (0.15, None, ("unverified", "no_data_after")),
    ],
)
def test_judging_a_rise(before, after, expected):
    assert judge(Rule("ndvi", "rise", 0.10, 0.02), before, after) == expected


def test_judging_the_value_after_alone():
    rule = Rule("water", "after", 0.5, 0.15)
    assert judge(rule, None, 0.8) == ("verified", None)  # no image before is needed
    assert judge(rule, 0.9, 0.1) == ("contradicted", None)
    assert judge(rule, 0.0, 0.3) == ("unverified", "inconclusive")


def test_a_winter_ndvi_image_is_not_set_against_a_summer_one(store):
    add(store, np.full((SIZE, SIZE), 0.05, dtype=np.float32), "ndvi", dt.date(2026, 11, 1))  # bare fields
    green = next(i for i in verify_parcels(store).items if i.feature_id == "P-GREEN")
    assert (green.verdict, green.after.on) == ("verified", AFTER)


def test_parcels_not_yet_in_the_store_are_checked_too(store):
    """What a reviewer sees for a submission before approving it."""
    submitted = gpd.GeoDataFrame(
        {"feature_id": ["NEW-1"], "name": ["新地块"], "status": ["completed"], "completed_on": [DONE],
         "measure": ["forest"]},
        geometry=[pixel_box(3, 3, 8, 8)], crs=STORE_CRS,
    )  # fmt: skip
    (check,) = check_parcels(store, submitted)
    assert (check.feature_id, check.adcode, check.verdict) == ("NEW-1", "320302", "verified")
