"""Exports opened with independent readers: openpyxl for Excel, the csv module for CSV, pyogrio (GDAL)
for the GIS formats, zipfile and the raw ``.dbf`` bytes for the Shapefile's encoding. An exported
GeoPackage (and Shapefile) imports back into a fresh store as the same features."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely

from xzsdg_geo.errors import UserError
from xzsdg_geo.exports import export_layer, export_rates, export_store
from xzsdg_geo.layers import all_layers, get_layer
from xzsdg_geo.rates import compute_rates
from xzsdg_geo.readers import ReadOptions
from xzsdg_geo.services.importing import import_file
from xzsdg_geo.store import open_store
from xzsdg_geo.when import When

YEAR, AS_OF, TODAY = 2025, dt.date(2025, 12, 31), dt.date(2026, 6, 30)
DISTRICTS = ["鼓楼区", "云龙区", "贾汪区", "泉山区", "铜山区", "丰县", "沛县", "睢宁县", "新沂市", "邳州市"]
METRIC_SHEETS = ["采煤沉陷区治理和生态修复率", "采石宕口治理", "幸福河湖建设", "生态安全缓冲区建设"]
PEIXIAN = "320322"
HEADER_ROW = 4


@pytest.fixture(scope="module")
def store(sample_store_file):
    """The sample store, read only (exports never write)."""
    opened = open_store(str(sample_store_file))
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def workbook(store):
    export = export_rates(store, YEAR, "xlsx", lang="zh", today=TODAY)
    assert export.filename == "xzsdg_rates_2025.xlsx"
    assert export.mime == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return openpyxl.load_workbook(io.BytesIO(export.data))


@pytest.fixture(scope="module")
def expected(store):
    return compute_rates(store, When(AS_OF))


def sheet_rows(ws) -> list[tuple]:
    return list(ws.iter_rows(min_row=HEADER_ROW, values_only=True))


# -- Excel --------------------------------------------------------------------------------------
def test_workbook_has_a_sheet_per_metric_and_per_district(workbook):
    assert workbook.sheetnames == ["说明", *METRIC_SHEETS, *DISTRICTS, "可持续发展指标"]


def test_rate_sheet_holds_the_engine_figures_as_numbers(workbook, expected):
    ws = workbook["采煤沉陷区治理和生态修复率"]
    assert ws["A1"].value == "采煤沉陷区治理和生态修复率"
    assert (
        "统计截至 2025-12-31" in ws["A2"].value
        and "示例数据" in ws["A2"].value
        and "示意边界" in ws["A2"].value
    )
    header, *rows = sheet_rows(ws)
    assert header[:5] == ("行政区", "沉陷区面积(公顷)", "已治理(公顷)", "治理率(%)", "目标(%)")
    by_name = {r[0]: r for r in rows}
    assert list(by_name) == [*DISTRICTS, "全市"]
    for d in expected.districts:
        row = by_name[d.name]
        assert row[1] == pytest.approx(d.zone_ha, abs=1e-9) and row[2] == pytest.approx(
            d.restored_ha, abs=1e-9
        )
        assert row[3] == (None if d.rate_pct is None else pytest.approx(d.rate_pct, abs=1e-9))
        assert row[5] == (None if d.on_track is None else ("达标" if d.on_track else "滞后"))
    city = by_name["全市"]
    assert city[3] == pytest.approx(expected.city.rate_pct, abs=1e-9) and city[4] == 76.0
    peixian_row = HEADER_ROW + 1 + DISTRICTS.index("沛县")
    assert (
        ws.cell(peixian_row, 2).number_format == "#,##0.00"
        and ws.cell(peixian_row, 4).number_format == "0.00"
    )
    assert ws.cell(HEADER_ROW, 1).font.bold and ws.freeze_panes == "B5"


def test_district_sheet_gathers_every_metric(workbook, expected):
    ws = workbook["沛县"]
    assert ws["A1"].value == "沛县（320322）各项统计"
    header, *rows = sheet_rows(ws)
    assert header == ("类别", "项目", "数值")
    assert {r[0] for r in rows} == set(METRIC_SHEETS)
    values = {(r[0], r[1]): r[2] for r in rows}
    peixian = next(d for d in expected.districts if d.adcode == PEIXIAN)
    assert values[("采煤沉陷区治理和生态修复率", "治理率(%)")] == pytest.approx(peixian.rate_pct, abs=1e-9)
    assert values[("采石宕口治理", "宕口数")] == 0  # no quarry in Pei


def test_indicator_sheet_and_notes(workbook, expected):
    header, *rows = sheet_rows(workbook["可持续发展指标"])
    assert header[:3] == ("序号", "对应 SDG", "指标") and header[6:8] == ("2025 年目标", "2025 年实际")
    assert [r[0] for r in rows] == list(range(1, 41))
    restoration = rows[19]
    assert restoration[2] == "采煤沉陷区治理和生态修复率" and restoration[8] == "图层计算"
    assert restoration[7] == pytest.approx(expected.city.rate_pct, abs=1e-9)
    assert rows[18][9] == "无数据"  # forest cover: no raster provider yet
    notes = "\n".join(str(c.value) for c in workbook["说明"]["A"] if c.value)
    assert (
        "统计截至 2025-12-31" in notes and "采煤沉陷区（示例数据）" in notes and "行政区（示意边界）" in notes
    )


# -- CSV ----------------------------------------------------------------------------------------
def test_csv_is_utf8_with_bom_one_figure_per_line(store, expected):
    export = export_rates(store, YEAR, "csv", lang="zh", today=TODAY)
    assert export.filename == "xzsdg_rates_2025.csv" and export.mime == "text/csv"
    assert export.data.startswith(b"\xef\xbb\xbf")
    text = export.data.decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header == ["统计截至", "类别", "行政区代码", "行政区", "项目", "数值"]
    assert {r[0] for r in rows} == {"2025-12-31"}
    rate = next(r for r in rows if r[2] == PEIXIAN and r[4] == "治理率(%)")
    peixian = next(d for d in expected.districts if d.adcode == PEIXIAN)
    assert float(rate[5]) == pytest.approx(peixian.rate_pct, abs=1e-4)
    city = next(r for r in rows if r[3] == "全市" and r[4] == "治理率(%)")
    assert city[2] == "" and float(city[5]) == pytest.approx(expected.city.rate_pct, abs=1e-4)
    assert {r[1] for r in rows} == set(METRIC_SHEETS)


# -- GIS formats ----------------------------------------------------------------------------------
def test_layer_geopackage_read_by_gdal(store, tmp_path):
    export = export_layer(store, "quarries", "gpkg")
    assert export.filename.startswith("xzsdg_quarries_") and export.filename.endswith(".gpkg")
    path = tmp_path / export.filename
    path.write_bytes(export.data)
    frame = pyogrio.read_dataframe(path, layer="quarries")
    stored = store.features("quarries")
    spec = get_layer("quarries")
    assert len(frame) == len(stored) and frame.crs.to_epsg() == 4490
    assert list(frame.columns[:8]) == [f.label_zh for f in spec.fields]  # Chinese names, as in every format
    assert set(frame[spec.field("status").label_zh]) <= {"未治理", "治理中", "已治理"}  # values in Chinese
    assert str(frame[spec.field("completed_on").label_zh].dtype).startswith("datetime64")  # dates as dates
    info = pyogrio.read_info(path, layer="quarries")
    assert info["layer_metadata"]["IDENTIFIER"] == "采石宕口"


def _values(column: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in column.tolist()]


def _same_features(exported_into, original, layer: str, exact: bool = True) -> None:
    """Every field of every current feature is identical, and so is the geometry (coordinate for
    coordinate when ``exact``, else as a shape: a shapefile may store a polygon as one-part multi)."""
    a = exported_into.features(layer).set_index("feature_id").sort_index()
    b = original.features(layer).set_index("feature_id").sort_index()
    assert list(a.index) == list(b.index)
    same = shapely.equals_exact(a.geometry.to_numpy(), b.geometry.to_numpy(), tolerance=0) if exact else (
        shapely.equals(a.geometry.to_numpy(), b.geometry.to_numpy()))  # fmt: skip
    assert same.all()
    for name in get_layer(layer).field_names:
        assert _values(a[name]) == _values(b[name]), name


@pytest.mark.parametrize("layer", ["quarries", "buffer_projects", "river_segments"])
def test_exported_geopackage_imports_back_to_identical_features(store, empty_store, tmp_path, layer):
    path = tmp_path / "out.gpkg"
    path.write_bytes(export_layer(store, layer, "gpkg").data)
    summary = import_file(empty_store, path, layer, actor=None)
    assert len(summary.result.created) == len(store.features(layer))
    _same_features(empty_store, store, layer)


def test_whole_store_geopackage_has_every_layer_and_imports_back(store, empty_store, tmp_path):
    export = export_store(store)
    assert export.filename.startswith("xzsdg_store_") and export.mime == "application/geopackage+sqlite3"
    path = tmp_path / "all.gpkg"
    path.write_bytes(export.data)
    listed = {name: kind for name, kind in pyogrio.list_layers(path)}
    assert set(listed) == {*all_layers(), "layer_styles"}
    for name in all_layers():
        assert pyogrio.read_info(path, layer=name)["features"] == len(store.features(name))
    import_file(
        empty_store,
        path,
        "subsidence_zones",
        actor=None,
        options=ReadOptions(source_layer="subsidence_zones"),
    )
    _same_features(empty_store, store, "subsidence_zones")


def test_shapefile_zip_is_gbk_with_cpg_and_one_file_per_geometry(store, tmp_path):
    export = export_layer(store, "quarries", "shp")
    assert export.filename.endswith(".zip") and export.mime == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(export.data))
    names = sorted(archive.namelist())
    for stem in ("quarries_point", "quarries_polygon"):  # points and polygons cannot share a shapefile
        assert {f"{stem}.{ext}" for ext in ("shp", "shx", "dbf", "prj", "cpg")} <= set(names)
        assert archive.read(f"{stem}.cpg") == b"936"
        dbf = archive.read(f"{stem}.dbf")
        assert dbf[29] == 0x4D  # Language Driver ID: code page 936 (GBK)
        assert "治理状态".encode("gbk") in dbf and "采石宕口".encode("gbk") in dbf
        assert "采石宕口".encode() not in dbf
    archive.extractall(tmp_path)
    polygons = pyogrio.read_dataframe(tmp_path / "quarries_polygon.shp")
    points = pyogrio.read_dataframe(tmp_path / "quarries_point.shp")
    stored = store.features("quarries")
    assert len(polygons) + len(points) == len(stored) and len(points) == (stored.geom_type == "Point").sum()
    assert list(polygons.columns[:8]) == [
        "编号",
        "名称",
        "灾害类型",
        "受威胁人数",
        "威胁财产",
        "治理状态",
        "完成日期",
        "治理方式",
    ]
    assert set(polygons["治理状态"]) <= {"未治理", "治理中", "已治理"}


def test_returned_shapefile_maps_back_onto_the_layer(store, empty_store, tmp_path):
    """The Chinese field names are ones the importer knows, so a file sent back lands field for field."""
    path = tmp_path / "buffers.zip"
    path.write_bytes(export_layer(store, "buffer_projects", "shp").data)
    import_file(empty_store, path, "buffer_projects", actor=None)
    _same_features(empty_store, store, "buffer_projects", exact=False)


def test_geojson_is_rfc7946_lonlat(store):
    export = export_layer(store, "river_segments", "geojson")
    assert export.mime == "application/geo+json"
    data = json.loads(export.data)
    assert data["type"] == "FeatureCollection" and "crs" not in data
    assert len(data["features"]) == len(store.features("river_segments"))
    coords = np.array([c for f in data["features"] for line in f["geometry"]["coordinates"] for c in line])
    assert (coords[:, 0] > 116.3).all() and (coords[:, 0] < 118.7).all() and (coords[:, 1] > 33.7).all()
    status = get_layer("river_segments").field("happy_status")
    statuses = {f["properties"][status.label_zh] for f in data["features"]}
    assert statuses <= {v.zh for v in status.values}


def test_kml_names_each_placemark(store):
    export = export_layer(store, "buffer_projects", "kml")
    assert export.mime == "application/vnd.google-earth.kml+xml"
    root = ET.fromstring(export.data)
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    names = [
        p.findtext("k:name", namespaces=ns) for p in root.iter("{http://www.opengis.net/kml/2.2}Placemark")
    ]
    assert sorted(names) == sorted(store.features("buffer_projects")["name"])


# -- refusals and the command line ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "key"),
    [
        (lambda s: export_rates(s, YEAR, "shp"), "export.bad_format"),
        (lambda s: export_layer(s, "quarries", "xlsx"), "export.bad_format"),
        (lambda s: export_store(s, "kml"), "export.bad_format"),
        (lambda s: export_layer(s, "no_such_layer", "gpkg"), "layer.unknown"),
        (lambda s: export_rates(s, 2030, "xlsx", today=TODAY), "export.future_year"),
    ],
)
def test_impossible_exports_are_refused(store, call, key):
    with pytest.raises(UserError) as err:
        call(store)
    assert err.value.key == key and err.value.message("zh") != key


def test_exports_read_the_same_from_either_backend(sample_store, store):
    ours = export_rates(sample_store, YEAR, "csv", lang="zh", today=TODAY).data
    assert ours == export_rates(store, YEAR, "csv", lang="zh", today=TODAY).data
    a = json.loads(export_layer(sample_store, "quarries", "geojson").data)
    b = json.loads(export_layer(store, "quarries", "geojson").data)
    assert a == b


def test_cli_export_writes_files(run, sample_store_file, tmp_path: Path):
    out_file = tmp_path / "d.geojson"
    code, out, err = run(
        "export",
        "--layer",
        "districts",
        "--format",
        "geojson",
        "--out",
        out_file,
        "--store",
        sample_store_file,
    )
    assert code == 0, err
    assert len(json.loads((tmp_path / "d.geojson").read_text(encoding="utf-8"))["features"]) == 10
    code, out, err = run(
        "export", "--all", "--format", "gpkg", "--out", tmp_path, "--store", sample_store_file
    )
    assert code == 0, err
    written = list(tmp_path.glob("xzsdg_store_*.gpkg"))
    assert len(written) == 1 and str(written[0]) in out


def test_cli_export_refuses_in_one_line(run, sample_store_file, tmp_path: Path):
    code, out, err = run(
        "export", "--all", "--format", "shp", "--out", tmp_path / "x", "--store", sample_store_file
    )
    assert code == 2 and out == "" and err.count("\n") == 1 and "整库导出" in err
    code, _, err = run(
        "export", "--rates", 2025, "--layer", "quarries", "--format", "csv", "--out", tmp_path / "x"
    )
    assert code == 2 and "not allowed with" in err  # argparse: one of --rates / --layer / --all
    assert not (tmp_path / "x").exists()
