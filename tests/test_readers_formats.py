"""GeoPackage, GeoJSON, FlatGeobuf, KML/KMZ (and Ovital's), DXF: each read from bytes as uploaded."""

from __future__ import annotations

import corpus as c
import numpy as np
import pytest
import shapely

from xzsdg_geo.errors import UserError
from xzsdg_geo.readers import ReadOptions, find_reader, read_file

NAMES = ["潘安湖1号地块", "潘安湖2号地块", "潘安湖3号地块"]


def _one(data: bytes, filename: str, **options):
    [layer] = read_file(data, filename, ReadOptions(**options))
    return layer


@pytest.mark.parametrize(
    ("build", "filename", "reader"),
    [
        (lambda f: c.shapefile_zip(f), "x.zip", "shapefile_zip"),
        (lambda f: c.geopackage({"a": f}), "x.gpkg", "geopackage"),
        (lambda f: c.flatgeobuf(f), "x.fgb", "flatgeobuf"),
        (lambda f: c.geojson(f), "x.geojson", "geojson"),
        (lambda f: c.parcels_kml(f), "x.kml", "kml"),
        (lambda f: c.zip_bytes({"doc.kml": c.parcels_kml(f)}), "x.kmz", "kml"),
        (lambda f: c.dxf([c.dxf_polyline(c.gk_ring(g)) for g in f.geometry]), "x.dxf", "dxf"),
        (lambda f: c.survey_txt([c.survey_parcel(f.geometry[0], "P-1", "一号")]), "x.txt", "survey_txt"),
    ],
)
def test_each_format_is_recognised_by_its_bytes_not_its_name(build, filename, reader):
    data = build(c.parcels())
    assert find_reader(data, filename).name == reader
    assert find_reader(data, "upload.bin").name == reader


def test_geopackage_offers_its_feature_layers_not_its_plain_tables():
    data = c.geopackage({"parcels": c.parcels(), "zones": c.parcels(n=1)})
    layers = read_file(data, "x.gpkg")
    assert [(x.name, len(x.frame), x.crs) for x in layers] == [
        ("parcels", 3, "EPSG:4490"),
        ("zones", 1, "EPSG:4490"),
    ]
    assert list(layers[0].frame["名称"]) == NAMES


def test_flatgeobuf_keeps_its_crs_and_text():
    layer = _one(c.flatgeobuf(c.parcels().to_crs(c.ZONE39)), "x.fgb")
    assert layer.crs == c.ZONE39 and sorted(layer.frame["名称"]) == NAMES  # stored in its index's order


def test_geojson_in_gbk_arrives_intact():
    layer = _one(c.parcels().to_json(ensure_ascii=False).encode("gbk"), "x.geojson")
    assert list(layer.frame["名称"]) == NAMES and layer.encoding == "gbk"


def test_geojson_with_projected_coordinates_and_no_crs_member_is_not_taken_for_lonlat():
    frame = c.parcels().to_crs(c.ZONE39)
    data = frame.to_json().replace('"crs"', '"ignored"').encode()
    layer = _one(data, "x.geojson")
    assert layer.crs == c.ZONE39 and layer.crs_inferred and layer.crs_reason == "gk_zone"


def test_kml_names_extended_data_folders_and_holes():
    hole = c.square(117.4505, 34.4505, 50)
    polygon = shapely.Polygon(c.square(*c.PANAN).exterior.coords, [hole.exterior.coords])
    data = c.kml(
        [
            c.kml_placemark("潘安湖北岸", c.kml_polygon(polygon), {"编号": "P-9", "状态": "已治理"}),
            "<Placemark><name>两块</name><MultiGeometry>"
            + c.kml_polygon(c.square(117.46, 34.46))
            + c.kml_polygon(c.square(117.47, 34.46))
            + "</MultiGeometry></Placemark>",
        ],
        folder="贾汪区",
    )
    frame = _one(data, "x.kml").frame
    assert list(frame["name"]) == ["潘安湖北岸", "两块"]
    assert frame["编号"][0] == "P-9" and frame["状态"][0] == "已治理" and frame["folder"][0] == "贾汪区"
    assert len(frame.geometry[0].interiors) == 1
    assert frame.geometry[1].geom_type == "MultiPolygon"


def test_kml_declared_as_gbk_is_decoded():
    frame = _one(c.parcels_kml(c.parcels(), encoding="GBK"), "x.kml").frame
    assert list(frame["name"]) == NAMES


def test_kml_entities_are_never_expanded():
    bomb = '<!DOCTYPE kml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    data = c.kml([c.kml_placemark("&b;", c.kml_polygon(c.square(*c.PANAN)))], prolog=bomb)
    with pytest.raises(UserError) as err:
        read_file(data, "x.kml")
    assert err.value.key == "kml.unsafe"


def test_external_entities_are_refused_too():
    prolog = '<!DOCTYPE kml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    data = c.kml([c.kml_placemark("&x;", c.kml_polygon(c.square(*c.PANAN)))], prolog=prolog)
    with pytest.raises(UserError) as err:
        read_file(data, "x.kml")
    assert err.value.key == "kml.unsafe"


@pytest.mark.parametrize(
    ("data", "key"),
    [
        (b"<kml><Document><Placemark>", "kml.broken"),
        (
            c.kml(
                [
                    "<Placemark><name>x</name><Polygon><outerBoundaryIs><LinearRing><coordinates>1,2 3"
                    "</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>"
                ]
            ),
            "kml.bad_geometry",
        ),
        (c.zip_bytes({"readme.txt": b"no kml here", "a.kml.bak": b""}), None),
    ],
)
def test_broken_kml_is_refused_with_a_reason(data, key):
    with pytest.raises(UserError) as err:
        read_file(data, "x.kmz")
    if key:
        assert err.value.key == key


def test_kmz_prefers_doc_kml_and_undeclared_ovital_files_are_taken_as_gcj02():
    other = c.kml([c.kml_placemark("其他", c.kml_polygon(c.square(117.3, 34.3)))])
    data = c.zip_bytes({"files/other.kml": other, "doc.kml": c.parcels_kml(c.parcels())})
    layer = _one(data, "x.kmz")
    assert list(layer.frame["name"]) == NAMES and not layer.gcj02 and not layer.notes
    for name, raw in (("x.ovkmz", data), ("轨迹.ovkml", c.parcels_kml(c.parcels()))):
        assert [n.code for n in _one(raw, name).notes] == ["ovital_assumed_gcj02"]
    assert _one(c.parcels_kml(c.parcels()), "x.kml", gcj02=True).gcj02


def _drawing(encoding: str = "gbk", codepage: str | None = "ANSI_936", labels: bool = True) -> bytes:
    squares = c.row_of_squares(3)
    entities = [c.dxf_polyline(c.gk_ring(g)) for g in squares]
    if labels:
        entities += [
            c.dxf_text(*np.mean(c.gk_ring(g), axis=0), name) for g, name in zip(squares, NAMES, strict=True)
        ]
    east, north = zip(*c.gk_ring(c.square(117.5, 34.5)), strict=True)
    entities.append(c.dxf_polyline(list(zip(east, north, strict=True))[:2], closed=False, layer="DLX"))
    return c.dxf(entities, codepage=codepage, encoding=encoding)


@pytest.mark.parametrize(("encoding", "codepage"), [("gbk", "ANSI_936"), ("gbk", None), ("utf-8", None)])
def test_dxf_closed_polylines_are_polygons_named_by_their_label(encoding, codepage):
    polygons, lines = read_file(_drawing(encoding, codepage), "宗地图.dxf")
    assert polygons.name == "宗地图:polygons" and lines.name == "宗地图:lines"
    assert list(polygons.frame.geometry.geom_type) == ["Polygon"] * 3
    assert list(polygons.frame["name"]) == NAMES
    assert list(polygons.frame["layer"]) == ["JZX"] * 3
    assert [(n.code, n.params) for n in polygons.notes] == [("dxf_ignored", {"n": 3})]
    assert polygons.frame.geometry[0].area == pytest.approx(40_000, rel=1e-2)


def test_dxf_crs_is_the_uploaders_else_inferred_else_zone_39():
    polygons, _ = read_file(_drawing(), "x.dxf")
    assert polygons.crs == c.ZONE39 and polygons.crs_inferred
    polygons, _ = read_file(_drawing(), "x.dxf", ReadOptions(crs="EPSG:4528"))
    assert polygons.crs == "EPSG:4528" and not polygons.crs_inferred
    local = c.dxf([c.dxf_polyline([(0, 0), (100, 0), (100, 100), (0, 100)])])
    [layer] = read_file(local, "x.dxf")
    assert layer.crs == c.ZONE39 and layer.crs_reason == "dxf_default" and layer.crs_inferred
    no_prefix = c.dxf([c.dxf_polyline([(x - 39_000_000, y) for x, y in c.gk_ring(c.square(*c.PANAN))])])
    [layer] = read_file(no_prefix, "x.dxf")
    assert layer.crs == c.CM117 and layer.crs_reason == "dxf_default"


def test_unknown_bytes_are_refused_as_an_unknown_format():
    with pytest.raises(UserError) as err:
        read_file(b"\x00\x01 nothing we know", "x.bin")
    assert err.value.key == "read.unknown_format"
