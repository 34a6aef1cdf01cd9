"""Duplicates within one file: repeated IDs and geometries refused, near duplicates told."""

from __future__ import annotations

import corpus as c
import shapely

from xzsdg_geo.readers import ReadOptions
from xzsdg_geo.validation import validate_upload


def _issues(frame, layer: str = "restoration_parcels") -> dict[int, list[str]]:
    report = validate_upload(c.geojson(frame), "x.geojson", layer, ReadOptions())
    return {f.index: f.issues for f in report.features}


def test_the_same_geometry_twice_is_refused_whatever_the_vertex_order():
    a, b = c.row_of_squares(2)
    reordered = shapely.Polygon(list(a.exterior.coords)[::-1])
    frame = c.parcels([a, b, reordered])
    assert _issues(frame) == {0: [], 1: [], 2: ["duplicate_geometry"]}


def test_the_same_id_twice_is_refused():
    frame = c.parcels(**{"编号": ["P-1", "P-2", "P-1"]})
    assert _issues(frame) == {0: [], 1: [], 2: ["duplicate_id"]}


def test_near_duplicates_are_told_not_refused():
    a, b = c.row_of_squares(2)
    shifted = shapely.affinity.translate(a, xoff=0.00003)  # ~3 m on a 200 m square: IoU ~ 0.97
    report = validate_upload(
        c.geojson(c.parcels([a, b, shifted])), "x.geojson", "restoration_parcels", ReadOptions()
    )
    assert report.ok and [(w.code, w.feature, w.detail["other"]) for w in report.warnings] == [
        ("near_duplicate", 2, 0)
    ]
    assert "第 1 个要素" in report.warnings[0].message("zh")


def test_neighbours_that_only_touch_or_overlap_a_little_are_not_duplicates():
    a = c.square(*c.PANAN)
    touching = shapely.affinity.translate(a, xoff=a.bounds[2] - a.bounds[0])
    overlapping = shapely.affinity.translate(a, yoff=(a.bounds[3] - a.bounds[1]) * 0.5)
    assert _issues(c.parcels([a, touching, overlapping])) == {0: [], 1: [], 2: []}


def test_near_duplicate_lines_are_found_by_distance():
    line = shapely.LineString([(117.17, 34.27), (117.18, 34.27)])
    frame = c.parcels(
        [line, shapely.affinity.translate(line, yoff=0.00001), shapely.affinity.translate(line, yoff=0.001)],
        **{"河湖名称": ["奎河"] * 3, "河段名称": ["一", "二", "三"], "建设状态": ["建设中"] * 3},
    )
    assert _issues(frame, "river_segments") == {0: [], 1: ["near_duplicate"], 2: []}
