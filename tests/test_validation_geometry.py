"""Geometry checks: type fits the layer, repairs, spikes, vertex cap, area bounds."""

from __future__ import annotations

import dataclasses

import corpus as c
import numpy as np
import pytest
import shapely

from xzsdg_geo.readers import ReadOptions
from xzsdg_geo.validation import validate_upload, validation_settings
from xzsdg_geo.validation.checks.spikes import spike_vertices

LAYER = "restoration_parcels"


def _validate(geoms, layer: str = LAYER, settings=None, **columns):
    frame = c.parcels(list(geoms), **columns)
    return validate_upload(c.geojson(frame), "x.geojson", layer, ReadOptions(), settings=settings)


def _by_feature(report) -> dict[int, list[str]]:
    return {f.index: f.issues for f in report.features}


def test_points_and_lines_do_not_fit_a_polygon_layer():
    square = c.square(*c.PANAN)
    report = _validate([square, square.centroid, square.exterior, square.centroid.buffer(0).boundary])
    assert _by_feature(report) == {0: [], 1: ["geometry_type"], 2: ["geometry_type"], 3: ["geometry_type"]}
    assert "点" in report.errors[0].message("zh") and "Polygon" in report.errors[0].message("zh")


def test_polygons_do_not_fit_a_line_layer():
    line = shapely.LineString([(117.17, 34.27), (117.18, 34.27)])
    report = _validate(
        [line, c.square(*c.PANAN)],
        "river_segments",
        **{"河湖名称": ["奎河"] * 2, "河段名称": ["一", "二"], "建设状态": ["建设中"] * 2},
    )
    assert _by_feature(report) == {0: [], 1: ["geometry_type"]}


def test_a_feature_without_geometry_is_refused():
    report = _validate([c.square(*c.PANAN), None])
    assert _by_feature(report)[1] == ["geometry_type"]


def _in_square(points: list[tuple[float, float]]) -> shapely.Polygon:
    """A polygon drawn on a 0..100 grid, placed on the 200 m square at 潘安湖."""
    minx, miny, maxx, maxy = c.square(*c.PANAN).bounds
    return shapely.Polygon(
        [(minx + x / 100 * (maxx - minx), miny + y / 100 * (maxy - miny)) for x, y in points]
    )


def test_a_small_self_intersection_is_repaired_and_told_with_the_area_change():
    # The closing edge crosses the first one just below it, leaving a 2-unit sliver on the wrong side.
    knotted = _in_square([(0, 0), (100, 0), (100, 100), (0, 100), (2, -2)])
    assert not knotted.is_valid
    report = _validate([knotted])
    assert report.ok and [w.code for w in report.warnings] == ["repaired"]
    detail = report.warnings[0].detail
    assert 0 < detail["change"] < 0.01
    assert report.features[0].geometry.is_valid
    assert report.features[0].area_ha == pytest.approx(detail["area_after_ha"])
    assert "已自动修复" in report.warnings[0].message("zh")


def test_a_repair_that_changes_the_area_much_is_refused():
    report = _validate([_in_square([(0, 0), (100, 100), (100, 0), (0, 100)])])
    assert [e.code for e in report.errors] == ["repair_changed_area"]
    assert "修复后面积" in report.errors[0].message("zh")


def test_a_spike_is_found_and_located():
    minx, miny, maxx, maxy = c.square(*c.PANAN).bounds
    tip = (maxx + 0.02, (miny + maxy) / 2)  # ~1.8 km out of a 200 m square
    spiky = shapely.Polygon(
        [
            (minx, miny),
            (maxx, miny),
            (maxx, (miny + maxy) / 2 - 1e-5),
            tip,
            (maxx, (miny + maxy) / 2 + 1e-5),
            (maxx, maxy),
            (minx, maxy),
        ]
    )
    report = _validate([spiky, c.square(117.46, 34.45)])
    assert _by_feature(report) == {0: ["spike"], 1: []}
    assert report.warnings[0].detail["lon"] == pytest.approx(tip[0], abs=1e-6)


def test_ordinary_shapes_have_no_spikes():
    triangle = shapely.Polygon([(0, 0), (100, 0), (50, 87)])
    long_strip = shapely.box(0, 0, 2000, 20)
    l_shape = shapely.Polygon([(0, 0), (100, 0), (100, 10), (10, 10), (10, 100), (0, 100)])
    geoms = np.array(
        [triangle, long_strip, l_shape, shapely.MultiPolygon([triangle, shapely.box(200, 0, 300, 100)])]
    )
    assert spike_vertices(geoms, 0.6, 15.0) == {}


def test_spikes_are_found_in_holes_and_multipolygon_parts_too():
    spike = shapely.Polygon([(0, 0), (100, 0), (100, 49), (1000, 50), (100, 51), (100, 100), (0, 100)])
    holed = shapely.Polygon(shapely.box(-500, -500, 2000, 600).exterior.coords, [spike.exterior.coords])
    multi = shapely.MultiPolygon([shapely.box(5000, 0, 5100, 100), shapely.affinity.translate(spike, 6000)])
    found = spike_vertices(np.array([holed, multi]), 0.6, 15.0)
    assert found[0] == pytest.approx([1000, 50]) and found[1] == pytest.approx([7000, 50])


def test_too_many_vertices_are_refused():
    settings = validation_settings()
    small = dataclasses.replace(settings, checks=dataclasses.replace(settings.checks, max_vertices=50))
    dense = c.square(*c.PANAN).segmentize(0.00005)
    report = _validate([dense, c.square(117.46, 34.45)], settings=small)
    assert _by_feature(report) == {0: ["too_many_vertices"], 1: []}


def test_areas_outside_the_layers_bounds_are_refused():
    tiny = c.square(*c.PANAN, size_m=2)  # 4 m² = 0.0004 ha < 0.001 ha
    report = _validate([tiny, c.square(117.46, 34.45)])
    assert _by_feature(report) == {0: ["area_out_of_bounds"], 1: []}
    assert "0.001" in report.errors[0].message("zh")
