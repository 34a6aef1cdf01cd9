"""Layer export options, read back with independent readers: a Gauss-Krüger projection whose area
column still holds the ellipsoidal hectares (checked against pyproj.Geod), a past day's layer, English
codes instead of Chinese names, KML styled as the map, the wide CSV, GDAL's validator on every
GeoPackage export, and the same options from the 导出 page."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pyogrio
import pytest
import shapely
from pyproj import Geod
from streamlit.testing.v1 import AppTest
from system import validate_gpkg

from xzsdg_geo.errors import UserError
from xzsdg_geo.exports import LayerOptions, export_layer, export_rates, export_store
from xzsdg_geo.exports.options import FieldNames
from xzsdg_geo.layers import get_layer
from xzsdg_geo.services.importing import import_file
from xzsdg_geo.store import open_store
from xzsdg_geo.when import end_of_day

GEOD = Geod(ellps="GRS80")
PAST = dt.date(2015, 12, 31)
KML = "{http://www.opengis.net/kml/2.2}"
APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture(scope="module")
def store(sample_store_file):
    opened = open_store(str(sample_store_file))
    yield opened
    opened.close()


def _gpkg(tmp_path: Path, data: bytes, name: str = "out.gpkg") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_projected_export_keeps_ellipsoidal_areas(store, tmp_path):
    export = export_layer(store, "restoration_parcels", "gpkg", LayerOptions(crs="EPSG:4527"))
    assert export.filename.endswith("_epsg4527.gpkg")
    frame = pyogrio.read_dataframe(_gpkg(tmp_path, export.data), layer="restoration_parcels")
    assert frame.crs.to_epsg() == 4527
    minx, _, maxx, _ = frame.total_bounds
    assert 39_300_000 < minx < maxx < 39_800_000  # zone 39, with its prefix
    stored = store.features("restoration_parcels").set_index("feature_id")
    by_id = frame.set_index("编号")
    for fid in stored.index[:50]:
        lonlat = shapely.orient_polygons(shapely.segmentize(stored.geometry[fid], 0.005))
        geodesic_ha = GEOD.geometry_area_perimeter(lonlat)[0] / 10_000
        assert by_id.loc[fid, "面积(公顷)"] == pytest.approx(geodesic_ha, rel=1e-5)


def test_lines_get_their_geodesic_length(store):
    data = json.loads(export_layer(store, "river_segments", "geojson").data)
    stored = store.features("river_segments")
    lengths = sorted(f["properties"]["长度(米)"] for f in data["features"])
    expected = sorted(GEOD.geometry_length(g) for g in stored.geometry)
    assert lengths == pytest.approx(expected, rel=1e-9)


def test_as_of_exports_the_layer_as_it_stood(store, tmp_path):
    then = store.features("restoration_parcels", known_at=end_of_day(PAST))
    now = store.features("restoration_parcels")
    assert 0 < len(then) < len(now)  # the sample's history makes the day differ from today
    options = LayerOptions(as_of=PAST, known_at=end_of_day(PAST))  # on the ground, as recorded then
    export = export_layer(store, "restoration_parcels", "gpkg", options)
    assert "_20151231" in export.filename
    frame = pyogrio.read_dataframe(_gpkg(tmp_path, export.data), layer="restoration_parcels")
    assert sorted(frame["编号"]) == sorted(then["feature_id"])


def test_english_codes_are_one_choice_for_every_format(store, empty_store, tmp_path):
    spec = get_layer("quarries")
    options = LayerOptions(names=FieldNames.EN)
    data = json.loads(export_layer(store, "quarries", "geojson", options).data)
    keys = set(data["features"][0]["properties"])
    assert keys == {*spec.field_names, "area_ha", "version", "valid_from", "recorded_by", "source"}
    assert {f["properties"]["status"] for f in data["features"]} <= {
        v.code for v in spec.field("status").values
    }
    path = _gpkg(tmp_path, export_layer(store, "quarries", "gpkg", options).data)
    import_file(empty_store, path, "quarries", actor=None)
    assert sorted(empty_store.features("quarries")["feature_id"]) == sorted(
        store.features("quarries")["feature_id"]
    )


def test_kml_is_styled_like_the_map(store):
    spec = get_layer("restoration_parcels")
    root = ET.fromstring(export_layer(store, spec.name, "kml").data)
    styles = {s.get("id"): s for s in root.iter(f"{KML}Style") if s.get("id")}
    colors = {sid: s.find(f"{KML}PolyStyle/{KML}color").text for sid, s in styles.items()}
    stored = store.features(spec.name).set_index("name")
    hex_rgb = spec.style["colors"]["completed"][1:]  # aabbggrr at the map's fill opacity
    completed = f"{round(spec.style['fill_opacity'] * 255):02x}" + hex_rgb[4:6] + hex_rgb[2:4] + hex_rgb[0:2]
    for placemark in root.iter(f"{KML}Placemark"):
        assert placemark.find(f"{KML}Style") is None  # nothing inline overrides the shared style
        url = placemark.findtext(f"{KML}styleUrl").lstrip("#")
        status = stored.loc[placemark.findtext(f"{KML}name"), "status"]
        assert (colors[url] == completed) == (status == "completed")


def test_the_wide_csv_has_a_row_per_district_and_agrees_with_the_long_one(store):
    wide = export_rates(store, 2025, "csv-wide", lang="zh", today=dt.date(2026, 6, 30))
    assert wide.filename == "xzsdg_rates_2025_wide.csv" and wide.data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(wide.data.decode("utf-8-sig"))))
    assert [r["行政区"] for r in rows][-1] == "全市" and len(rows) == 11
    long = export_rates(store, 2025, "csv", lang="zh", today=dt.date(2026, 6, 30))
    for line in csv.DictReader(io.StringIO(long.data.decode("utf-8-sig"))):
        row = next(r for r in rows if r["行政区"] == line["行政区"])
        assert row[f"{line['类别']}·{line['项目']}"] == line["数值"]


@pytest.mark.parametrize(
    "options",
    [LayerOptions(), LayerOptions(crs="EPSG:4548", names=FieldNames.EN), LayerOptions(as_of=PAST)],
    ids=["default", "gk-en", "as-of"],
)
def test_every_geopackage_export_passes_gdals_validator(store, tmp_path, options):
    validate_gpkg(_gpkg(tmp_path, export_store(store, "gpkg", options).data, "store.gpkg"))
    validate_gpkg(_gpkg(tmp_path, export_layer(store, "quarries", "gpkg", options).data, "layer.gpkg"))


def test_lonlat_formats_refuse_a_projection(store):
    for fmt in ("geojson", "kml"):
        with pytest.raises(UserError) as refused:
            export_layer(store, "districts", fmt, LayerOptions(crs="EPSG:4527"))
        assert (
            refused.value.key == "pkg.export.crs_not_for_format" and "GeoPackage" in refused.value.message()
        )


def test_cli_layer_options(run, sample_store_file, tmp_path):
    code, _, err = run("export", "--layer", "districts", "--format", "shp", "--crs", "EPSG:4548",
                         "--field-names", "en", "--out", tmp_path, "--store", sample_store_file)  # fmt: skip
    assert code == 0, err
    (written,) = tmp_path.glob("xzsdg_districts_*_epsg4548.zip")
    frame = pyogrio.read_dataframe(f"zip://{written}")
    assert frame.crs.to_epsg() == 4548 and "adcode" in frame.columns
    code, _, err = run("export", "--layer", "districts", "--format", "kml", "--crs", "EPSG:4527",
                         "--out", tmp_path / "x.kml", "--store", sample_store_file)  # fmt: skip
    assert code == 2 and err.count("\n") == 1 and not (tmp_path / "x.kml").exists()


def test_the_exports_page_offers_the_same_options(sample_store_file, tmp_path, monkeypatch):
    path = tmp_path / "app.gpkg"
    shutil.copy(sample_store_file, path)
    monkeypatch.setenv("XZSDG_STORE", str(path))
    at = AppTest.from_file(APP, default_timeout=120).run()
    username, secret = at.text_input
    username.input("head_320305")
    secret.input("xzsdg-demo")
    next(b for b in at.button if b.label == "登录").click()
    at = at.run().switch_page("xzsdg_geo/ui/pages/exports.py").run()
    at.selectbox(key="export_layer_fmt").set_value("gpkg")
    at.run()
    at.selectbox(key="export_crs_gpkg").set_value("EPSG:4527")
    at.run()
    prepare = [b for b in at.button if b.label == "生成文件"]
    prepare[1].click()  # the figures first, then the layer
    at.run()
    assert not at.exception and not at.error
    layer = at.selectbox(key="export_layer").value
    made = at.session_state[f"export_layer_{layer}_gpkg_EPSG:4527_None_zh"]
    frame = pyogrio.read_dataframe(_gpkg(tmp_path, made.data), layer=layer)
    assert frame.crs.to_epsg() == 4527 and made.filename.endswith("_epsg4527.gpkg")
