"""Survey TXT as different programs write it, and land-use codes and pinyin field codes as aliases."""

from __future__ import annotations

import corpus as c
import pandas as pd
import pytest
import shapely

from xzsdg_geo.attributes import map_upload
from xzsdg_geo.errors import UserError
from xzsdg_geo.layers import get_layer
from xzsdg_geo.readers import ReadOptions, read_file
from xzsdg_geo.validation import validate_upload

PARCELS = get_layer("restoration_parcels")
SQUARE = c.square(*c.PANAN)
GIVEN = (("状态", "已完成"),)


def _points(geom: shapely.Polygon, easting_first: bool = False, prefix: bool = True) -> list[str]:
    block = c.survey_parcel(geom, "x", "x", prefix=prefix)[1:]
    if not easting_first:
        return block
    return [",".join([p, r, e, n]) for p, r, n, e in (line.split(",") for line in block)]


def _txt(header: str, points: list[str], **attributes: str) -> bytes:
    attrs = {**c.SURVEY_ATTRIBUTES, **attributes}
    attrs = {k: v for k, v in attrs.items() if v is not None and v != "-"}
    return c.survey_txt([[header, *points]], attrs)


def _validate(data: bytes):
    return validate_upload(data, "界址点.txt", "restoration_parcels", ReadOptions(defaults=GIVEN))


def test_the_standard_header_fills_id_name_and_measure_from_the_land_class():
    report = _validate(_txt("5,4.0000,JZ-007,潘安湖西片,面,I50G012034,生态修复,1104,@", _points(SQUARE)))
    assert report.ok, [e.message() for e in report.errors]
    props = report.features[0].properties
    assert (props["parcel_id"], props["name"], props["measure"]) == ("JZ-007", "潘安湖西片", "wetland")
    assert shapely.hausdorff_distance(report.features[0].geometry, SQUARE) < 1e-7


def test_the_ministry_reporting_header_does_not_take_the_township_for_the_parcel():
    header = "5,4.0000,320305102,潘安湖街道,JZ-008,马庄复垦区,面,I50G012034,复垦,0103,@"
    [layer] = read_file(_txt(header, _points(SQUARE)), "报部.txt")
    row = layer.frame.iloc[0]
    assert (row["地块编号"], row["地块名称"], row["乡镇代码"], row["乡镇名称"]) == (
        "JZ-008", "马庄复垦区", "320305102", "潘安湖街道"
    )  # fmt: skip
    report = _validate(_txt(header, _points(SQUARE)))
    assert report.ok and report.features[0].properties["measure"] == "farmland"
    assert report.features[0].name == "马庄复垦区"


def test_the_ministry_header_without_a_shape_kind_is_known_by_its_township():
    header = "5,4.0000,320305102,潘安湖街道,JZ-009,东片,,,,0301,@"
    [layer] = read_file(_txt(header, _points(SQUARE)), "x.txt")
    assert layer.frame.iloc[0]["地块编号"] == "JZ-009"


def test_the_land_consolidation_header_with_thirteen_values():
    header = "5,4.0000,TZ-1,土地整治一区,面,I50G012034,耕地,0103,新增耕地,旱地,9,8,无,@"
    [layer] = read_file(_txt(header, _points(SQUARE)), "x.txt")
    row = layer.frame.iloc[0]
    assert (row["地块编号"], row["地类编码"], row["改造后质量等别"], row["备注"]) == (
        "TZ-1",
        "0103",
        "8",
        "无",
    )


def test_an_unknown_header_layout_is_refused_naming_the_line():
    with pytest.raises(UserError) as err:
        read_file(_txt("5,4.0,a,b,c,d,面,e,f,g,h,@", _points(SQUARE)), "x.txt")
    assert err.value.key == "txt.header_layout" and "第 13 行" in err.value.message("zh")


@pytest.mark.parametrize("width", ["3度带", "3°", "3度"])
def test_zone_width_spelled_as_3_degree_zone(width):
    attrs = {"几度分带": None, "分带": width}
    [layer] = read_file(_txt("5,,P,n,面,,,,@", _points(SQUARE), **attrs), "x.txt")
    assert layer.crs == c.ZONE39


def test_an_easting_first_file_with_a_zone_is_told_x_y_swapped_not_a_zone_mismatch():
    with pytest.raises(UserError) as err:
        read_file(_txt("5,,P,n,面,,,,@", _points(SQUARE, easting_first=True)), "x.txt")
    assert err.value.key == "txt.xy_swapped" and "X/Y 颠倒" in err.value.message("zh")
    assert "不一致" not in err.value.message("zh")


def test_an_easting_first_file_without_zone_prefix_is_told_the_same():
    data = _txt("5,,P,n,面,,,,@", _points(SQUARE, easting_first=True, prefix=False), 带号="-")
    report = _validate(data)
    assert [e.code for e in report.errors] == ["parse_failed"] and "X/Y 颠倒" in report.errors[0].message(
        "zh"
    )


def test_without_zone_number_but_with_prefixed_eastings_the_file_is_read_right():
    report = _validate(_txt("5,,P-1,东片,面,,,0301,@", _points(SQUARE), 带号="-"))
    assert report.ok and shapely.hausdorff_distance(report.features[0].geometry, SQUARE) < 1e-7


def test_without_zone_number_or_prefix_the_file_is_refused_saying_the_zone_is_missing():
    report = _validate(_txt("5,,P-1,东片,面,,,0301,@", _points(SQUARE, prefix=False), 带号="-"))
    [error] = report.errors
    assert error.code == "crs_unknown" and "带号" in error.message("zh") and report.features == []


@pytest.mark.parametrize(
    ("code", "measure"),
    [("0101", "farmland"), ("013", "farmland"), ("0301", "forest"), ("0404", "forest"), ("1104", "wetland"),
     ("1104 坑塘水面", "wetland"), ("0602", "construction"), ("坑塘水面", "wetland"), ("旱地", "farmland")],
)  # fmt: skip
def test_land_use_codes_and_classes_decide_the_measure(code, measure):
    records, problems = map_upload(PARCELS, pd.DataFrame({"DLBM": [code]}))
    assert records[0]["measure"] == measure
    assert "measure" not in {p.field for p in problems}


def test_an_unmapped_land_use_code_or_a_bare_number_is_not_guessed():
    records, problems = map_upload(PARCELS, pd.DataFrame({"DLBM": ["1202", 101]}))
    assert [r["measure"] for r in records] == [None, None]
    assert [(p.kind, p.feature) for p in problems if p.field == "measure"] == [
        ("bad_enum", 0),
        ("bad_enum", 1),
    ]


def test_a_measure_column_wins_over_the_land_class():
    records, _ = map_upload(PARCELS, pd.DataFrame({"DLBM": ["0101"], "治理方式": ["光伏"]}))
    assert records[0]["measure"] == "solar"


def test_pinyin_field_codes_map():
    frame = pd.DataFrame({"DKBH": ["D1"], "DKMC": ["甲"], "DLBM": ["0301"], "ZT": ["x"]})
    records, _ = map_upload(PARCELS, frame)
    assert (records[0]["parcel_id"], records[0]["name"], records[0]["measure"]) == ("D1", "甲", "forest")
    districts = get_layer("districts")
    records, problems = map_upload(districts, pd.DataFrame({"XZQDM": ["320305"], "XZQMC": ["贾汪区"]}))
    assert records[0] == {"adcode": "320305", "name": "贾汪区"} and not problems
