"""At least 95 % inside Xuzhou (districts + 1 km); refusals say where the file landed."""

from __future__ import annotations

import corpus as c
import shapely

from xzsdg_geo.readers import ReadOptions
from xzsdg_geo.store import NewFeature
from xzsdg_geo.validation import validate_upload

LAYER = "restoration_parcels"


def _validate(frame, store=None, **options):
    return validate_upload(c.geojson(frame), "x.geojson", LAYER, ReadOptions(**options), store)


def test_a_file_in_beijing_is_refused_saying_where_it_is():
    report = _validate(c.parcels(c.row_of_squares(3, c.BEIJING)))
    [error] = report.errors
    assert error.code == "outside_xuzhou" and error.feature is None
    zh = error.message("zh")
    assert "东经 116.39" in zh and "北纬 39.91" in zh and "公里" in zh and "北" in zh
    assert "north" in error.message("en")
    assert error.detail["share"] == 0.0


def test_a_file_with_the_wrong_central_meridian_lands_about_280_km_east():
    """CM 117°E coordinates declared as CM 120°E: the classic slip, shown by how far off it lands."""
    data = c.shapefile_zip(c.parcels().to_crs(c.CM117).set_crs("EPSG:4549", allow_override=True))
    report = validate_upload(data, "x.zip", LAYER, ReadOptions())
    [error] = report.errors
    assert error.code == "outside_xuzhou"
    assert 100 < float(error.message("en").split("about ")[1].split(" km")[0]) < 400
    assert "east" in error.message("en")


def test_one_feature_outside_is_refused_by_itself():
    geoms = [*c.row_of_squares(30), c.square(*c.BEIJING)]
    report = _validate(c.parcels(geoms))
    assert [(e.code, e.feature) for e in report.errors] == [("outside_xuzhou", 30)]
    assert "要素只有 0.0%" in report.errors[0].message("zh")


def test_the_buffer_lets_a_parcel_cross_the_city_edge_a_little():
    districts = __import__("xzsdg_geo.sample", fromlist=["load_districts"]).load_districts()
    edge = shapely.union_all(districts.geometry.to_numpy())
    west = edge.bounds[0]
    lat = 34.5
    y_line = shapely.LineString([(west - 1, lat), (west + 1, lat)])
    x_edge = min(p.x for p in shapely.get_parts(edge.boundary.intersection(y_line)))
    across = c.square(x_edge - 0.002, lat, 400)  # ~180 m outside, ~220 m inside
    report = _validate(c.parcels([across]))
    assert report.ok, [e.message() for e in report.errors]
    far = c.square(x_edge - 0.05, lat, 400)  # ~4.6 km outside
    assert not _validate(c.parcels([far])).ok


def test_the_stores_districts_are_used_when_it_has_them(empty_store):
    pan_an = c.square(117.40, 34.40, 20_000)
    empty_store.write_features(
        "districts",
        [NewFeature("320305", pan_an, {"adcode": "320305", "name": "贾汪区"})],
        by="test",
        source="test",
    )
    assert _validate(c.parcels(), empty_store).ok
    report = _validate(c.parcels(c.row_of_squares(3, (117.2, 34.2))), empty_store)
    assert [e.code for e in report.errors] == ["outside_xuzhou"] and "贾汪区" in report.errors[0].message(
        "zh"
    )


def test_coordinates_that_cannot_be_placed_are_refused_not_crashed():
    frame = c.parcels().to_crs(c.ZONE39)
    frame = frame.set_geometry(frame.geometry.translate(xoff=-39_000_000 + 1e9))
    report = validate_upload(c.shapefile_zip(frame), "x.zip", LAYER, ReadOptions())
    assert not report.ok and "outside_xuzhou" in [e.code for e in report.errors]
    assert all(f.area_ha is None or f.area_ha == f.area_ha for f in report.features)
