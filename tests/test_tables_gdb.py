"""Boundary-point tables (xlsx/CSV from RTK software) and zipped File Geodatabases."""

from __future__ import annotations

import io
import zipfile

import corpus as c
import geopandas as gpd
import pytest
import shapely
from field_shapes import file_gdb, rtk_rows, rtk_xlsx

from xzsdg_geo.errors import UserError
from xzsdg_geo.readers import ReadOptions, read_file
from xzsdg_geo.validation import validate_upload

SQUARE = c.square(*c.PANAN)
GIVEN = (("状态", "已完成"), ("治理方式", "湿地"), ("名称", "潘安湖东片"))


def test_an_rtk_xlsx_lands_where_its_coordinates_say():
    data = rtk_xlsx({"潘安湖东片": rtk_rows(SQUARE)})
    report = validate_upload(data, "界址点坐标.xlsx", "restoration_parcels", ReadOptions(defaults=GIVEN))
    assert report.ok, [e.message() for e in report.errors]
    assert report.source_crs == c.ZONE39 and report.crs_inferred
    assert shapely.hausdorff_distance(report.features[0].geometry, SQUARE) < 1e-7
    assert report.features[0].feature_id.startswith("320305-")  # no 地块号 column: assigned


def test_parcels_by_column_rings_as_holes_and_math_axes():
    hole = c.square(PANAN_E := c.PANAN[0] + 0.0005, c.PANAN[1] + 0.0005, 50)
    holed = shapely.Polygon(SQUARE.exterior.coords, [hole.exterior.coords])
    other = c.square(PANAN_E + 0.01, c.PANAN[1])
    rows = rtk_rows(holed, "DK-1") + rtk_rows(other, "DK-2")
    [layer] = read_file(rtk_xlsx({"Sheet1": rows}, ["地块号", "点号", "X", "Y", "高程", "圈号"]), "t.xlsx")
    assert list(layer.frame["地块编号"]) == ["DK-1", "DK-2"]
    assert len(layer.frame.geometry[0].interiors) == 1 and not layer.notes
    swapped = [[r[0], r[1], r[3], r[2], r[4], r[5]] for r in rows]  # X holds eastings
    [flipped] = read_file(
        rtk_xlsx({"Sheet1": swapped}, ["地块号", "点号", "X", "Y", "高程", "圈号"]), "t.xlsx"
    )
    assert [n.code for n in flipped.notes] == ["table_math_axes"]
    assert shapely.equals_exact(flipped.frame.geometry[1], layer.frame.geometry[1], 1e-6)


def test_a_gbk_csv_with_north_and_east_columns():
    lines = ["点名,北坐标,东坐标,高程"] + [f"{r[0]},{r[1]},{r[2]},{r[3]}" for r in rtk_rows(SQUARE)]
    [layer] = read_file("\r\n".join(lines).encode("gbk"), "rtk.csv")
    assert layer.crs == c.ZONE39 and layer.encoding in ("gbk", "gb18030")
    east, north = c.lonlat_to(c.ZONE39, *SQUARE.exterior.coords[0])
    assert layer.frame.geometry[0].exterior.coords[0] == pytest.approx((east, north), abs=0.001)


def test_a_lonlat_table():
    lines = ["序号,经度,纬度"] + [f"{k},{x},{y}" for k, (x, y) in enumerate(SQUARE.exterior.coords)]
    [layer] = read_file("\n".join(lines).encode(), "gps.csv")
    assert layer.crs == "EPSG:4490" and shapely.equals_exact(layer.frame.geometry[0], SQUARE, 1e-9)


@pytest.mark.parametrize(
    ("data", "name", "key"),
    [
        (b"a,b,c\n1,2,3\n", "x.csv", "table.no_header"),
        (b"\xd0\xcf\x11\xe0 old excel", "x.xls", "table.xls"),
        ("点号,X,Y\nJ1,3812000,\nJ2,3812000,39512000\n".encode(), "x.csv", "table.bad_row"),
        ("点号,X,Y\nJ1,3812000,39512000\nJ2,3812100,39512000\n".encode(), "x.csv", "table.short_ring"),
    ],
)
def test_bad_tables_are_refused_with_a_reason(data, name, key):
    with pytest.raises(UserError) as err:
        read_file(data, name)
    assert err.value.key == key


def test_a_zipped_file_geodatabase_in_a_gk_zone(tmp_path):
    parcels = c.parcels().to_crs(c.ZONE39)
    data = file_gdb(
        tmp_path, {"治理地块": parcels, "界址点": gpd.GeoDataFrame(geometry=[SQUARE.centroid], crs=4490)}
    )
    layers = read_file(data, "成果.gdb.zip")
    assert [x.name for x in layers] == ["治理地块", "界址点"] and layers[0].crs == c.ZONE39
    report = validate_upload(data, "成果.gdb.zip", "restoration_parcels")
    assert report.ok, [e.message() for e in report.errors]
    for f, expected in zip(report.features, c.parcels().geometry, strict=True):
        assert shapely.hausdorff_distance(f.geometry, expected) < 1e-7
    assert [f.properties["parcel_id"] for f in report.features] == list(c.parcels()["编号"])


def test_a_zip_without_a_geodatabase_is_not_taken_for_one():
    with pytest.raises(UserError) as err:
        read_file(c.zip_bytes({"x.gdb/readme.txt": b"x"}), "x.zip")
    assert err.value.key != "gdb.no_layers"


def test_an_xlsx_bomb_is_refused_by_the_zip_limits():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/sharedStrings.xml", b"<sst>" + b"A" * 20_000_000 + b"</sst>")
    with pytest.raises(UserError) as err:
        read_file(buffer.getvalue(), "炸弹.xlsx")
    assert err.value.key.startswith("zip.")
