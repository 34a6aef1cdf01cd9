"""Closed paths and GNSS tracks become polygons for polygon layers; open ones are refused; rivers
keep lines."""

from __future__ import annotations

import corpus as c
import pytest
import shapely

from xzsdg_geo.errors import UserError
from xzsdg_geo.readers import ReadOptions, read_file
from xzsdg_geo.validation import validate_upload

GIVEN = (("状态", "已完成"), ("治理方式", "湿地"), ("名称", "红线"))


def _path_kml(coords) -> bytes:
    text = " ".join(f"{x:.8f},{y:.8f},0" for x, y in coords)
    return c.kml(
        [
            c.kml_placemark(
                "红线",
                f"<LineString><tessellate>1</tessellate><coordinates>{text}</coordinates></LineString>",
            )
        ]
    )


def gpx(tracks: list[list[tuple[float, float]]]) -> bytes:
    """A Garmin-style GPX 1.1: one <trk> per walk, each one <trkseg> of <trkpt lat lon><ele/><time/>."""
    body = "".join(
        f"<trk><name>踏勘{k + 1}</name><trkseg>"
        + "".join(
            f'<trkpt lat="{y:.7f}" lon="{x:.7f}"><ele>35.2</ele>'
            f"<time>2026-03-15T02:{i % 60:02d}:00Z</time></trkpt>"
            for i, (x, y) in enumerate(track)
        )
        + "</trkseg></trk>"
        for k, track in enumerate(tracks)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="no" ?>'
        '<gpx xmlns="http://www.topografix.com/GPX/1/1" creator="eTrex 32x" version="1.1">'
        f"<metadata><time>2026-03-15T02:00:00Z</time></metadata>{body}</gpx>"
    ).encode()


def _validate(data: bytes, filename: str, layer: str = "restoration_parcels", defaults=GIVEN):
    return validate_upload(data, filename, layer, ReadOptions(defaults=defaults))


def test_a_closed_kml_path_is_a_polygon_with_a_warning():
    square = c.square(117.45, 34.45)
    report = _validate(_path_kml(square.exterior.coords), "红线.kml")
    assert report.ok, [e.message() for e in report.errors]
    assert "closed_line" in {w.code for w in report.warnings}
    assert shapely.hausdorff_distance(report.features[0].geometry, square) < 1e-7
    assert report.features[0].area_ha == pytest.approx(4.0, rel=0.01)


def test_an_open_path_is_refused_as_not_closed():
    coords = list(c.square(117.45, 34.45).exterior.coords)[:-1]
    report = _validate(_path_kml(coords), "红线.kml")
    [error] = report.errors
    assert error.code == "geometry_type" and "线未闭合" in error.message("zh")
    assert report.features[0].geometry.geom_type == "LineString"


def test_a_closed_gpx_track_is_a_polygon_and_an_open_one_refused():
    square = list(c.square(117.45, 34.45).exterior.coords)
    other = list(c.square(117.47, 34.45).exterior.coords)[:-1]
    report = _validate(gpx([square, other]), "轨迹.gpx")
    assert {(f.feature, f.code) for f in report.errors} == {(1, "geometry_type")}
    assert report.features[0].geometry.geom_type == "Polygon"
    assert [f.name for f in report.features] == ["踏勘1", "踏勘2"]


def test_a_river_keeps_its_closed_line_as_a_line():
    ring = list(c.square(117.20, 34.27).exterior.coords)
    defaults = (("名称", "故黄河"), ("幸福河湖状态", "在建"))
    report = _validate(_path_kml(ring), "河段.kml", "river_segments", defaults)
    assert report.features[0].geometry.geom_type == "LineString"
    assert "closed_line" not in {w.code for w in report.warnings}
    assert report.features[0].properties["river"] == "故黄河"  # 名称 alone names the river too


def test_gpx_waypoints_and_routes_are_read_and_broken_gpx_refused():
    data = (
        b'<gpx xmlns="http://www.topografix.com/GPX/1/1" version="1.1">'
        b'<wpt lat="34.45" lon="117.45"><name>J1</name></wpt>'
        b'<rte><name>r</name><rtept lat="34.45" lon="117.45"/><rtept lat="34.46" lon="117.46"/></rte></gpx>'
    )
    [layer] = read_file(data, "x.gpx")
    assert list(layer.frame.geometry.geom_type) == ["Point", "LineString"] and layer.crs == "EPSG:4490"
    with pytest.raises(UserError) as err:
        read_file(b'<gpx><trk><trkseg><trkpt lat="x" lon="1"/></trkseg></trk></gpx>', "x.gpx")
    assert err.value.key == "gpx.bad_point"
    with pytest.raises(UserError) as err:
        read_file(b"<gpx><trk>", "x.gpx")
    assert err.value.key == "gpx.broken"
