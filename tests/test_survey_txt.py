"""The land-survey boundary-point format (界址点坐标交换格式), parsed by hand, and fuzzed."""

from __future__ import annotations

import contextlib

import corpus as c
import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xzsdg_geo.errors import UserError
from xzsdg_geo.readers import ReadOptions, read_file
from xzsdg_geo.readers.survey_txt import parse_survey_txt, survey_crs, to_frame


def _read(data: bytes, **options):
    [layer] = read_file(data, "界址点.txt", ReadOptions(**options))
    return layer


def test_header_attributes_and_parcels_are_read():
    squares = c.row_of_squares(2)
    data = c.survey_txt([c.survey_parcel(g, f"P-{k}", f"潘安湖{k}号", 4.0) for k, g in enumerate(squares)])
    layer = _read(data)
    assert layer.crs == c.ZONE39 and not layer.crs_inferred and layer.encoding == "gbk"
    frame = layer.frame
    assert list(frame["地块编号"]) == ["P-0", "P-1"] and list(frame["地块名称"]) == ["潘安湖0号", "潘安湖1号"]
    assert list(frame["面积(公顷)"]) == ["4.0000", "4.0000"] and list(frame["点数"]) == ["5", "5"]
    assert layer.declared_area_column == "面积(公顷)" and not layer.notes


def test_x_is_the_northing_and_y_the_easting():
    square = c.square(*c.PANAN)
    layer = _read(c.survey_txt([c.survey_parcel(square, "P-1", "一号")]))
    easting, northing = c.lonlat_to(c.ZONE39, *square.exterior.coords[0])
    assert easting > 39_000_000 and northing < 4_000_000
    assert layer.frame.geometry[0].exterior.coords[0] == pytest.approx((easting, northing), abs=0.001)


def test_ring_one_is_the_shell_and_higher_rings_are_holes():
    hole = c.square(117.4505, 34.4505, 50)
    polygon = shapely.Polygon(c.square(*c.PANAN).exterior.coords, [hole.exterior.coords])
    geom = _read(c.survey_txt([c.survey_parcel(polygon, "P-1", "带洞")])).frame.geometry[0]
    assert len(geom.interiors) == 1 and geom.is_valid
    x, y = c.lonlat_to(c.ZONE39, *np.array(polygon.exterior.coords).T)
    assert geom.exterior.equals_exact(shapely.LinearRing(np.column_stack([x, y])), tolerance=0.001)


def test_utf8_files_and_files_without_closing_points():
    text = "\n".join(
        [
            "[属性描述]",
            "坐标系=2000国家大地坐标系",
            "带号=39",
            "[地块坐标]",
            "3,,P-1,三角,面,,,,@",
            "J1,1,3812000,39512000",
            "J2,1,3812100,39512000",
            "J3,1,3812000,39512100",
        ]
    )
    layer = _read(text.encode("utf-8"))
    assert layer.encoding == "utf-8" and layer.frame["地块名称"][0] == "三角"
    assert layer.frame.geometry[0].area == pytest.approx(5000)


@pytest.mark.parametrize(
    ("attributes", "prefix", "expected"),
    [
        ({"坐标系": "2000国家大地坐标系", "带号": "39"}, True, "EPSG:4527"),
        ({"坐标系": "2000国家大地坐标系"}, True, "EPSG:4527"),  # zone from the prefix
        ({"坐标系": "2000国家大地坐标系", "带号": "39", "几度分带": "3"}, False, "EPSG:4548"),  # CM 117°E
        ({"坐标系": "80国家大地坐标系", "带号": "39"}, True, "EPSG:2363"),  # Xi'an 1980: refused later
        ({"坐标系": "54北京坐标系", "带号": "20", "几度分带": "6"}, True, "EPSG:21420"),
        ({"带号": "39"}, True, None),  # datum unknown
    ],
)
def test_the_crs_comes_from_the_header(attributes, prefix, expected):
    easting = 39_512_000.0 if prefix else 512_000.0
    if expected == "EPSG:21420":
        easting = 20_512_000.0
    assert survey_crs(attributes, [easting]) == expected


def test_without_a_named_datum_the_coordinates_decide_and_say_so():
    layer = _read(c.survey_txt([c.survey_parcel(c.square(*c.PANAN), "P-1", "一号")], attributes={}))
    assert layer.crs == c.ZONE39 and layer.crs_inferred and layer.crs_reason == "gk_zone"


@pytest.mark.parametrize(
    ("attributes", "key"),
    [
        ({"坐标系": "2000国家大地坐标系", "带号": "40"}, "txt.zone_mismatch"),
        ({"计量单位": "英尺"}, "txt.units"),
    ],
)
def test_contradictory_headers_are_refused(attributes, key):
    with pytest.raises(UserError) as err:
        _read(c.survey_txt([c.survey_parcel(c.square(*c.PANAN), "P-1", "一号")], attributes=attributes))
    assert err.value.key == key


@pytest.mark.parametrize(
    ("body", "key", "line"),
    [
        (["J1,1,3812000,39512000"], "txt.point_before_header", 2),
        (["3,,P,x,面,,,,@", "J1,1,abc,39512000"], "txt.bad_line", 3),
        (["3,,P,x,面,,,,@", "J1,one,3812000,39512000"], "txt.bad_line", 3),
        (["3,,P,x,面,,,,@", "J1,1,nan,39512000"], "txt.bad_line", 3),
        (["2,,P,x,面,,,,@", "J1,1,3812000,39512000", "J2,1,3812100,39512000"], "txt.short_ring", 2),
        ([], "txt.no_parcels", None),
    ],
)
def test_malformed_files_are_refused_naming_the_line(body, key, line):
    with pytest.raises(UserError) as err:
        _read("\n".join(["[地块坐标]", *body]).encode())
    assert err.value.key == key and err.value.params.get("line") == line


def test_a_wrong_point_count_is_told_not_refused():
    block = c.survey_parcel(c.square(*c.PANAN), "P-1", "一号")
    block[0] = "9" + block[0][1:]
    layer = _read(c.survey_txt([block]))
    assert [(n.code, n.params) for n in layer.notes] == [
        ("txt_point_count", {"parcel": "一号", "declared": "9", "found": 5})
    ]


_LINE = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["[属性描述]", "[地块坐标]", "坐标系=2000国家大地坐标系", "带号=39", "计量单位=米", "@"]),
    st.builds(
        lambda n, r, x, y: f"J{n},{r},{x},{y}",
        st.integers(0, 99),
        st.one_of(st.integers(-2, 5), st.text(max_size=3)),
        st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=6)),
        st.floats(-1e9, 1e9),
    ),
    st.builds(lambda n, a: f"{n},{a},P-1,地块,面,,,,@", st.integers(-1, 9), st.floats(allow_nan=True)),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_LINE, max_size=30))
def test_fuzzed_text_parses_or_is_refused_never_crashes(lines):
    with contextlib.suppress(UserError):
        to_frame(parse_survey_txt("\n".join(lines)))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_fuzzed_bytes_behind_a_valid_header_never_crash_the_reader(tail):
    with contextlib.suppress(UserError):
        read_file("[属性描述]\n带号=39\n[地块坐标]\n".encode("gbk") + tail, "x.txt")
