"""Overlap with approved features in the store: told in % and ha; counted ground claimed twice refused."""

from __future__ import annotations

import corpus as c
import shapely

from xzsdg_geo.readers import ReadOptions
from xzsdg_geo.validation import validate_upload

LAYER = "restoration_parcels"


def _approved(store, status: str):
    parcels = store.features(LAYER)
    return parcels[parcels["status"] == status].iloc[0]


def _upload(store, geom, status: str = "已完成", fid: str = "NEW-1"):
    frame = c.parcels([geom], **{"编号": [fid], "名称": ["新地块"], "状态": [status]})
    return validate_upload(c.geojson(frame), "x.geojson", LAYER, ReadOptions(), store)


def test_overlapping_an_approved_parcel_is_told_with_share_and_hectares(sample_store):
    planned = _approved(sample_store, "planned")
    half = shapely.affinity.translate(
        planned.geometry, xoff=(planned.geometry.bounds[2] - planned.geometry.bounds[0]) / 2
    )
    report = _upload(sample_store, half, status="计划")
    assert report.ok
    [warning] = [w for w in report.warnings if w.code == "overlap"]
    assert planned.feature_id in warning.message("zh") and "公顷" in warning.message("zh")
    assert 0.2 < warning.detail["share"] < 0.8 and warning.detail["ha"] > 0


def test_claiming_ground_already_counted_as_restored_is_refused(sample_store):
    completed = _approved(sample_store, "completed")
    report = _upload(sample_store, completed.geometry, status="已完成")
    assert [e.code for e in report.errors] == ["overlap_counted"]
    assert completed.feature_id in report.errors[0].message("zh") and "不能重复计入" in report.errors[
        0
    ].message("zh")
    assert report.errors[0].detail["share"] > 0.99


def test_a_planned_parcel_over_completed_ground_is_only_told(sample_store):
    completed = _approved(sample_store, "completed")
    report = _upload(sample_store, completed.geometry, status="计划")
    assert report.ok and "overlap" in [w.code for w in report.warnings]


def test_a_new_version_of_an_approved_parcel_does_not_overlap_itself(sample_store):
    completed = _approved(sample_store, "completed")
    report = _upload(sample_store, completed.geometry, status="已完成", fid=completed.feature_id)
    assert report.ok and not [w for w in report.warnings if w.code.startswith("overlap")]


def test_without_a_store_overlaps_are_not_checked():
    report = validate_upload(c.geojson(c.parcels()), "x.geojson", LAYER, ReadOptions(), None)
    assert report.ok and not report.warnings
