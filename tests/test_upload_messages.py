"""Refusal messages keep the feature count; completed parcels outside every zone are told; the
upload preview draws districts, zones and the approved features an upload overlaps."""

from __future__ import annotations

import corpus as c
import geopandas as gpd
import shapely

from xzsdg_geo.cli.validate import render
from xzsdg_geo.preview_map import conflicting, upload_map
from xzsdg_geo.readers import ReadOptions
from xzsdg_geo.validation import validate_upload
from xzsdg_geo.validation.report import count_line

LAYER = "restoration_parcels"


def _swapped():
    frame = c.parcels()
    return frame.set_geometry(shapely.transform(frame.geometry.to_numpy(), lambda xy: xy[:, ::-1]))


def test_a_refused_file_whose_features_were_read_says_how_many():
    report = validate_upload(c.geojson(_swapped()), "x.geojson", LAYER)
    assert not report.ok and report.features == [] and report.features_read == 3
    text = render(report, "x.geojson")
    assert "已读取要素 3 个" in text and "要素 0 个" not in text
    assert report.to_dict()["features_read"] == 3


def test_an_unreadable_file_says_none_were_read():
    report = validate_upload(b"not a file at all", "x.bin", LAYER)
    assert report.features_read == 0 and count_line(report.to_dict()) is None
    assert "要素 0 个" not in render(report, "x.bin")


def test_an_accepted_file_still_gives_count_and_total():
    report = validate_upload(c.geojson(c.parcels()), "x.geojson", LAYER)
    assert count_line(report.to_dict(), "zh").startswith("要素 3 个，合计")


def _zone_and_far(store):
    zones = store.features("subsidence_zones")
    zone = zones.geometry.iloc[0]
    inside = shapely.point_on_surface(zone)
    districts = store.features("districts")
    x0, y0, x1, y1 = districts.total_bounds
    far = None
    for k in range(400):  # a spot in Xuzhou at least 1 km from every zone
        p = shapely.Point(x0 + (x1 - x0) * ((k * 37) % 100) / 100, y0 + (y1 - y0) * ((k * 61) % 100) / 100)
        if (
            districts.geometry.contains(p).any()
            and shapely.distance(zones.geometry.to_numpy(), p).min() > 0.01
        ):
            far = p
            break
    return inside, far


def test_a_completed_parcel_outside_every_zone_is_told_it_will_not_count(sample_store):
    inside, far = _zone_and_far(sample_store)
    geoms = [c.square(far.x, far.y, 100), c.square(inside.x, inside.y, 30)]
    frame = c.parcels(geoms, 编号=["OUT-1", "IN-1"], 状态=["已完成", "已完成"])
    report = validate_upload(c.geojson(frame), "x.geojson", LAYER, ReadOptions(), sample_store)
    outside = [w for w in report.warnings if w.code == "outside_zones"]
    assert [w.feature for w in outside] == [0] and "不计入治理率" in outside[0].message("zh")
    planned = c.parcels(geoms, 编号=["OUT-1", "IN-1"], 状态=["计划", "计划"])
    report = validate_upload(c.geojson(planned), "x.geojson", LAYER, ReadOptions(), sample_store)
    assert "outside_zones" not in {w.code for w in report.warnings}


def test_the_preview_draws_districts_zones_and_the_approved_feature_a_parcel_overlaps(sample_store):
    approved = sample_store.features(LAYER)
    target = approved.iloc[0]
    spot = shapely.point_on_surface(target.geometry)
    frame = c.parcels([c.square(spot.x, spot.y, 50)], n=1, 编号=["NEW-1"], 状态=["计划"])
    report = validate_upload(c.geojson(frame), "x.geojson", LAYER, ReadOptions(), sample_store)
    zones = sample_store.features("subsidence_zones")
    preview = upload_map(report, "zh", sample_store.features("districts"), zones, approved)
    names = [layer.name for layer in preview.layers]
    assert names[0] == "districts" and names[-1] == "upload" and "conflicts" in names
    [conflicts] = [layer for layer in preview.layers if layer.name == "conflicts"]
    drawn = [f["properties"]["parcel_id"] for cls in conflicts.classes for f in cls.features]
    assert target["parcel_id"] in drawn
    html = preview.build("zh").get_root().render()
    assert "与本文件重叠的已批准要素" in html


def test_conflicting_ignores_features_that_only_touch():
    a = c.square(117.45, 34.45)
    touching = shapely.affinity.translate(a, a.bounds[2] - a.bounds[0], 0)
    approved = gpd.GeoDataFrame({"feature_id": ["T"]}, geometry=[touching], crs=4490)
    assert conflicting(approved, [a]) is None
    assert list(conflicting(approved, [touching.buffer(-1e-5)])["feature_id"]) == ["T"]
