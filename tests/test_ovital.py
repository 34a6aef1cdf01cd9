"""Ovital (奥维) exports: each placemark's declared coordinate type decides whether it is moved."""

from __future__ import annotations

import corpus as c
import numpy as np
import pytest
import shapely
from field_shapes import ovital_file, ovital_placemark

from xzsdg_geo.errors import UserError
from xzsdg_geo.gcj02 import wgs84_to_gcj02
from xzsdg_geo.geo import GEOD
from xzsdg_geo.readers import ReadOptions, read_file
from xzsdg_geo.validation import validate_upload

LAYER = "restoration_parcels"


def _gcj(geom: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(geom, lambda xy: np.column_stack(wgs84_to_gcj02(xy[:, 0], xy[:, 1])))


def _metres(a: shapely.Geometry, b: shapely.Geometry) -> float:
    pa, pb = a.centroid, b.centroid
    return GEOD.inv(pa.x, pa.y, pb.x, pb.y)[2]


@pytest.mark.parametrize("coord_type", ["CGCS2000", "WGS84", "WGS-84"])
def test_a_cgcs2000_or_wgs84_export_lands_where_its_coordinates_say(coord_type):
    truth = c.parcels()
    marks = [ovital_placemark(f"地块{i}", g, coord_type) for i, g in enumerate(truth.geometry)]
    report = validate_upload(ovital_file(marks), "地块.ovkml", LAYER, ReadOptions(defaults=_defaults()))
    assert report.ok, [f.message() for f in report.errors]
    codes = [f.code for f in report.warnings]
    assert "gcj02_converted" not in codes and "ovital_assumed_gcj02" not in codes
    assert "ovital_coord_types" in codes
    for f, expected in zip(report.features, truth.geometry, strict=True):
        assert shapely.hausdorff_distance(f.geometry, expected) < 1e-7  # ~1 cm: the file has 8 decimals


def test_a_gcj02_export_is_moved_back_to_the_ground():
    truth = c.parcels()
    marks = [ovital_placemark(f"地块{i}", _gcj(g), "GCJ-02") for i, g in enumerate(truth.geometry)]
    [layer] = read_file(ovital_file(marks), "x.ovkml")
    assert not layer.gcj02  # already moved, placemark by placemark
    for got, expected in zip(layer.frame.geometry, truth.geometry, strict=True):
        assert shapely.hausdorff_distance(got, expected) < 1e-7


def test_a_mixed_file_moves_only_its_gcj02_placemarks():
    truth = c.parcels(n=3)
    g = list(truth.geometry)
    marks = [
        ovital_placemark("甲", g[0], "CGCS2000"),
        ovital_placemark("乙", _gcj(g[1]), "GCJ02"),
        ovital_placemark("丙", g[2], "WGS84"),
    ]
    [layer] = read_file(ovital_file(marks), "混合.ovkml")
    for got, expected in zip(layer.frame.geometry, g, strict=True):
        assert shapely.hausdorff_distance(got, expected) < 1e-7
    [note] = layer.notes
    assert note.code == "ovital_coord_types"
    assert note.params == {"cgcs2000": 1, "wgs84": 1, "gcj02": 1}


def test_a_folder_declaration_covers_its_placemarks_and_a_placemark_overrides_it():
    g = list(c.parcels(n=2).geometry)
    marks = [ovital_placemark("甲", _gcj(g[0]), None), ovital_placemark("乙", g[1], "CGCS2000")]
    [layer] = read_file(ovital_file(marks, folder_type="GCJ-02"), "x.ovkml")
    for got, expected in zip(layer.frame.geometry, g, strict=True):
        assert shapely.hausdorff_distance(got, expected) < 1e-7


def test_the_old_bug_a_cgcs2000_export_taken_as_gcj02_would_be_hundreds_of_metres_off():
    truth = c.parcels().geometry[0]
    data = ovital_file([ovital_placemark("甲", truth, "CGCS2000")])
    forced = read_file(data, "x.kml", ReadOptions(gcj02=True))[0]
    assert forced.gcj02  # the uploader's choice applies to the whole file
    [right] = read_file(data, "x.ovkml")
    assert _metres(right.frame.geometry[0], truth) < 0.01


def test_an_undeclared_ovital_file_keeps_the_assumption_and_says_so():
    truth = c.parcels()
    marks = [ovital_placemark(f"地块{i}", _gcj(g), None) for i, g in enumerate(truth.geometry)]
    report = validate_upload(ovital_file(marks), "x.ovkml", LAYER, ReadOptions(defaults=_defaults()))
    assert report.ok
    [note] = [f for f in report.warnings if f.code == "ovital_assumed_gcj02"]
    assert "未声明坐标类型" in note.message("zh") and "3" in note.message("zh")
    for f, expected in zip(report.features, truth.geometry, strict=True):
        assert shapely.hausdorff_distance(f.geometry, expected) < 1e-7


def test_a_plain_kml_without_declaration_is_taken_as_it_is():
    truth = c.parcels().geometry[0]
    [layer] = read_file(c.kml([c.kml_placemark("甲", c.kml_polygon(truth))]), "x.kml")
    assert layer.notes == [] and shapely.equals_exact(layer.frame.geometry[0], truth, 1e-7)


def test_an_unsupported_coordinate_type_is_refused_by_name():
    data = ovital_file([ovital_placemark("甲", c.parcels().geometry[0], "BD09")])
    with pytest.raises(UserError) as err:
        read_file(data, "x.ovkml")
    assert err.value.key == "kml.ov_coord_unknown" and "BD09" in err.value.message("zh")


def _defaults() -> tuple[tuple[str, str], ...]:
    return (("状态", "已完成"), ("治理方式", "湿地"))
