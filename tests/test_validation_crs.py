"""Known CRS, inferred CRS, legacy datums, GCJ-02 and swapped axes, as validate_upload reports them."""

from __future__ import annotations

import dataclasses

import corpus as c
import numpy as np
import pytest
import shapely

from xzsdg_geo.gcj02 import wgs84_to_gcj02
from xzsdg_geo.geo import GEOD
from xzsdg_geo.readers import ReadOptions
from xzsdg_geo.readers.settings import legacy_parameters
from xzsdg_geo.validation import validate_upload, validation_settings

LAYER = "restoration_parcels"


def _validate(data: bytes, filename: str = "x.zip", settings=None, **options):
    return validate_upload(data, filename, LAYER, ReadOptions(**options), settings=settings)


def _codes(findings) -> list[str]:
    return [f.code for f in findings]


def test_an_inferred_crs_is_accepted_and_said():
    report = _validate(c.shapefile_zip(c.parcels().to_crs(c.ZONE39), prj=False))
    assert report.ok and report.source_crs == c.ZONE39 and report.crs_inferred
    [note] = report.warnings
    assert note.code == "crs_inferred" and "EPSG:4527" in note.message("zh") and "带号" in note.message("zh")


def test_zone_40_is_inferred_for_xinyi_east_of_118_5():
    frame = c.parcels(c.row_of_squares(3, (118.51, 34.30)))
    report = _validate(c.shapefile_zip(frame.to_crs("EPSG:4528"), prj=False))
    assert report.ok and report.source_crs == "EPSG:4528" and report.crs_inferred
    assert shapely.hausdorff_distance(report.features[0].geometry, frame.geometry[0]) < 1e-7


def test_no_crs_is_refused_with_advice_and_nothing_placed():
    report = _validate(c.shapefile_zip(c.parcels().to_crs(c.CM117), prj=False))
    assert _codes(report.errors) == ["crs_unknown"] and report.features == []
    assert "EPSG:4548" in report.errors[0].message("zh") and "带号" in report.errors[0].message("zh")
    assert report.source_crs is None


def test_an_unreadable_crs_is_refused():
    report = _validate(c.shapefile_zip(c.parcels(), prj=False), crs="EPSG:999999")
    assert _codes(report.errors) == ["crs_invalid"]


@pytest.mark.parametrize(("system", "datum"), [("EPSG:2363", "西安80"), ("EPSG:2415", "北京54")])
def test_legacy_datums_are_refused_saying_why(system, datum):
    report = _validate(c.shapefile_zip(c.parcels().to_crs(system)))
    assert _codes(report.errors) == ["crs_legacy"] and report.source_crs == system
    message = report.errors[0].message("zh")
    assert datum in message and "100 米" in message and "转换参数" in message
    assert "100 m" in report.errors[0].message("en")


def test_legacy_datums_are_accepted_with_configured_parameters():
    settings = validation_settings()
    configured = dataclasses.replace(settings.upload, legacy_towgs84={"xian1980": (0.0, 0.0, 0.0)})
    report = _validate(
        c.shapefile_zip(c.parcels().to_crs("EPSG:2363")),
        settings=dataclasses.replace(settings, upload=configured),
    )
    assert report.ok and "legacy_transformed" in _codes(report.warnings)
    assert report.features[0].geometry.distance(c.parcels().geometry[0]) < 1e-6


def test_malformed_legacy_parameters_stop_the_program_not_an_upload():
    with pytest.raises(ValueError, match="3 or 7"):
        legacy_parameters({"xian1980": [1.0, 2.0]})
    assert legacy_parameters({"beijing1954": [1, 2, 3]}) == {"beijing1954": (1.0, 2.0, 3.0)}


def test_the_survey_txt_header_naming_xian80_is_refused_too():
    data = c.survey_txt(
        [c.survey_parcel(c.square(*c.PANAN), "P-1", "一号", crs="EPSG:2363")],
        attributes={**c.SURVEY_ATTRIBUTES, "坐标系": "1980西安坐标系"},
    )
    assert "crs_legacy" in _codes(_validate(data, "x.txt").errors)


def _gcj(frame):
    def shift(xy):
        return np.column_stack(wgs84_to_gcj02(xy[:, 0], xy[:, 1]))

    return frame.set_geometry(shapely.transform(frame.geometry.to_numpy(), shift))


@pytest.mark.parametrize(
    ("filename", "options", "note"),
    [("x.ovkml", {}, "ovital_assumed_gcj02"), ("x.kml", {"gcj02": True}, "gcj02_converted")],
)
def test_gcj02_files_land_where_they_are(filename, options, note):
    truth = c.parcels()
    report = _validate(c.parcels_kml(_gcj(truth)), filename, **options)
    assert report.ok and note in _codes(report.warnings)
    for f, expected in zip(report.features, truth.geometry, strict=True):
        assert shapely.hausdorff_distance(f.geometry, expected) < 1e-7  # ~1 cm


def test_an_unflagged_gcj02_file_is_hundreds_of_metres_off():
    truth = c.parcels().geometry[0]
    placed = _validate(c.parcels_kml(_gcj(c.parcels())), "x.kml").features[0].geometry
    a, b = truth.centroid, placed.centroid
    assert 200 < GEOD.inv(a.x, a.y, b.x, b.y)[2] < 800


def test_gcj02_cannot_apply_to_projected_coordinates():
    report = _validate(c.shapefile_zip(c.parcels().to_crs(c.ZONE39)), gcj02=True)
    assert _codes(report.errors) == ["gcj02_projected"]


def test_swapped_lat_lon_is_named_as_such():
    frame = c.parcels().set_geometry(
        shapely.transform(c.parcels().geometry.to_numpy(), lambda xy: xy[:, ::-1])
    )
    report = _validate(c.geojson(frame), "x.geojson")
    assert _codes(report.errors) == ["swapped_axes"] and report.features == []
    assert "经纬度颠倒" in report.errors[0].message("zh")


def test_swapped_northing_and_easting_are_named_as_such():
    projected = c.parcels().to_crs(c.ZONE39)
    swapped = projected.set_geometry(shapely.transform(projected.geometry.to_numpy(), lambda xy: xy[:, ::-1]))
    for data in (c.shapefile_zip(swapped), c.shapefile_zip(swapped, prj=False)):
        report = _validate(data)
        assert _codes(report.errors) == ["swapped_axes"]
        assert "X、Y 坐标颠倒" in report.errors[0].message("zh")
