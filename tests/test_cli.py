"""The command line on real stores and real files: output shapes, imports, and one-line refusals."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import Point, box

from xzsdg_geo.cli import main
from xzsdg_geo.dates import start_of_day_utc
from xzsdg_geo.layers import all_layers
from xzsdg_geo.sample import load_districts
from xzsdg_geo.store import open_store

TOP_KEYS = {
    "as_of", "as_recorded", "target_pct", "final_target_pct", "final_year", "city", "districts",
    "zones_first_recorded",
}  # fmt: skip
CITY_KEYS = {"zone_ha", "restored_ha", "rate_pct", "gap_ha"}
DISTRICT_KEYS = {
    "adcode", "name", "zone_ha", "restored_ha", "rate_pct", "target_pct", "gap_ha", "on_track",
    "pace_ha_per_year", "reaches_target_in",
}  # fmt: skip
DISTRICT_NAMES = [
    "鼓楼区", "云龙区", "贾汪区", "泉山区", "铜山区", "丰县", "沛县", "睢宁县", "新沂市", "邳州市",
]  # fmt: skip
PEIXIAN = "320322"


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys):
    """``cli(*argv)``: the CLI in this process, its exit code and captured output."""

    def run(*argv: str) -> Run:
        try:
            code = main([str(a) for a in argv])
        except SystemExit as stop:  # argparse refusals
            code = stop.code
        out, err = capsys.readouterr()
        return Run(code, out, err)

    return run


@pytest.fixture
def store_path(sample_store_file: Path, tmp_path: Path) -> Path:
    """A private copy of the sample store, by path."""
    return Path(shutil.copy(sample_store_file, tmp_path / "sample.gpkg"))


def contents(path: Path) -> dict:
    """Every stored version of every layer plus the import log: equal means nothing was written."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        out = {
            name: conn.execute(
                f'SELECT fid, feature_id, version, valid_from, valid_to FROM "{name}" ORDER BY fid'
            ).fetchall()
            for name in all_layers()
        }
        out["imports"] = conn.execute("SELECT * FROM xzsdg_imports").fetchall()
        return out
    finally:
        conn.close()


def geodesic_ha(geom: shapely.Geometry) -> float:
    shape = shapely.orient_polygons(shapely.segmentize(geom, 0.005))
    return Geod(ellps="GRS80").geometry_area_perimeter(shape)[0] / 10_000.0


# -- rates output --------------------------------------------------------------------------------
def test_init_sample_then_rates_json_as_a_user_runs_them(tmp_path: Path):
    """``python -m xzsdg_geo`` end to end, in fresh processes."""
    store = tmp_path / "var" / "xzsdg.gpkg"

    def run(*args: str) -> subprocess.CompletedProcess:
        cmd = [sys.executable, "-m", "xzsdg_geo", *args]
        return subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", timeout=120)

    init = run("init", "--store", str(store), "--sample")
    assert init.returncode == 0, init.stderr
    assert str(store) in init.stdout and store.is_file()

    rates = run("rates", "--store", str(store), "--year", "2024", "--json")
    assert rates.returncode == 0, rates.stderr
    report = json.loads(rates.stdout)
    assert set(report) == TOP_KEYS and set(report["city"]) == CITY_KEYS
    assert report["as_of"] == "2024-12-31" and report["target_pct"] == 75.2
    assert report["final_target_pct"] == 78.0 and report["final_year"] == 2027
    assert report["city"]["rate_pct"] == pytest.approx(75.2, abs=0.5)
    assert report["zones_first_recorded"] is None
    assert [d["name"] for d in report["districts"]] == DISTRICT_NAMES
    for row in [report["city"], *report["districts"]]:
        assert isinstance(row["zone_ha"], float) and isinstance(row["restored_ha"], float)
    for d in report["districts"]:
        assert set(d) == DISTRICT_KEYS
        if d["zone_ha"] > 0:
            assert all(isinstance(d[k], float) for k in ("rate_pct", "gap_ha", "pace_ha_per_year"))
        else:
            assert d["rate_pct"] is None and d["reaches_target_in"] is None
    zones = [d for d in report["districts"] if d["zone_ha"] > 0]
    assert sum(d["zone_ha"] for d in zones) == pytest.approx(report["city"]["zone_ha"], rel=1e-12)

    bad = run("rates", "--store", str(store), "--as-of", "2024-13-01")
    assert bad.returncode == 2 and bad.stdout == ""
    assert len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr


def test_rates_csv(cli, store_path: Path):
    run = cli("rates", "--store", store_path, "--year", "2024", "--csv")
    assert run.code == 0, run.err
    rows = list(csv.DictReader(io.StringIO(run.out)))
    assert [r["name"] for r in rows] == DISTRICT_NAMES
    assert set(rows[0]) == {"as_of", "as_recorded", *DISTRICT_KEYS}
    assert all(r["as_of"] == "2024-12-31" for r in rows)
    peixian = next(r for r in rows if r["adcode"] == PEIXIAN)
    assert float(peixian["zone_ha"]) > 0 and 0 < float(peixian["rate_pct"]) <= 100
    suining = next(r for r in rows if r["name"] == "睢宁县")
    assert suining["rate_pct"] == "" and float(suining["zone_ha"]) == 0.0


def test_rates_table_is_readable_in_chinese(cli, store_path: Path):
    run = cli("rates", "--store", store_path, "--year", "2024")
    assert run.code == 0, run.err
    assert all(name in run.out for name in DISTRICT_NAMES)
    assert "全市" in run.out and "75.2%" in run.out and "无沉陷区" in run.out
    assert (
        cli("rates", "--store", store_path, "--as-of", "2024年12月31日", "--json").out
        == cli("rates", "--store", store_path, "--year", "2024", "--json").out
    )


# -- imports -------------------------------------------------------------------------------------
def peixian_outline() -> shapely.Geometry:
    districts = load_districts()
    return districts.geometry[districts["adcode"] == PEIXIAN].iloc[0]


def write_zipped_shapefile(frame: gpd.GeoDataFrame, path: Path, encoding: str = "GBK") -> Path:
    """A shapefile as field teams send it: zipped, in a sub-folder, attribute text in GBK."""
    folder = path.parent / path.stem
    folder.mkdir()
    frame.to_file(folder / "沉陷区.shp", encoding=encoding)
    with zipfile.ZipFile(path, "w") as archive:
        for part in sorted(folder.iterdir()):
            archive.write(part, f"成果/{part.name}")
    return path


def test_import_shapefile_zones_and_geojson_parcels_then_rates(cli, tmp_path: Path):
    store = tmp_path / "new.gpkg"
    assert cli("init", "--store", store).code == 0

    centre = peixian_outline().representative_point()
    zone_a = box(centre.x - 0.03, centre.y - 0.02, centre.x + 0.01, centre.y + 0.02)
    zone_b = box(centre.x - 0.01, centre.y - 0.03, centre.x + 0.03, centre.y + 0.01)  # overlaps zone_a
    assert peixian_outline().contains(shapely.union_all([zone_a, zone_b]).buffer(0.01))
    zones = gpd.GeoDataFrame(
        {"编号": ["CX-1", "CX-2"], "名称": ["龙固沉陷区", "张双楼沉陷区"], "程度": ["重度", "轻度"]},
        geometry=[zone_a, zone_b],
        crs="EPSG:4490",
    )
    zones_zip = write_zipped_shapefile(zones, tmp_path / "zones.zip")
    run = cli(
        "import", zones_zip, "--layer", "subsidence_zones", "--store", store, "--valid-from", "2015-01-01"
    )
    assert run.code == 0, run.err

    done = box(centre.x - 0.05, centre.y - 0.01, centre.x, centre.y + 0.01)  # reaches outside the zones
    building = box(centre.x, centre.y - 0.01, centre.x + 0.02, centre.y + 0.01)
    parcels = gpd.GeoDataFrame(
        {
            "地块编号": ["XF-1", "XF-2"],
            "地块名称": ["一号地块", "二号地块"],
            "状态": ["已治理", "治理中"],
            "完成日期": ["2023-05-01", None],
            "治理方式": ["湿地", "光伏"],
        },
        geometry=[done, building],
        crs="EPSG:4490",
    )
    parcels.to_file(tmp_path / "parcels.geojson")
    args = ("--layer", "restoration_parcels", "--store", store, "--valid-from", "2023-06-01")
    run = cli("import", tmp_path / "parcels.geojson", *args)
    assert run.code == 0, run.err

    opened = open_store(str(store))
    try:
        stored = opened.features("restoration_parcels").set_index("feature_id")
        assert stored["status"].to_dict() == {"XF-1": "completed", "XF-2": "in_progress"}
        assert stored.loc["XF-1", "completed_on"] == "2023-05-01"
        assert pd.isna(stored.loc["XF-2", "completed_on"])  # an empty date cell stays empty
        assert stored["valid_from"].unique().tolist() == [start_of_day_utc(dt.date(2023, 6, 1))]
        assert opened.features("subsidence_zones")["severity"].tolist() == ["severe", "light"]
        assert [i["layer"] for i in opened.imports()] == ["subsidence_zones", "restoration_parcels"]
    finally:
        opened.close()

    zone_union = shapely.union_all([zone_a, zone_b])
    report = json.loads(cli("rates", "--store", store, "--year", "2024", "--json").out)
    peixian = next(d for d in report["districts"] if d["adcode"] == PEIXIAN)
    assert peixian["zone_ha"] == pytest.approx(geodesic_ha(zone_union), rel=1e-5)
    assert peixian["restored_ha"] == pytest.approx(geodesic_ha(done.intersection(zone_union)), rel=1e-5)
    assert report["city"]["zone_ha"] == pytest.approx(peixian["zone_ha"], rel=1e-12)

    # completed 2023-05-01, recorded 2023-06-01: counted on 2023-05-31 as known now, not as recorded then
    known = json.loads(cli("rates", "--store", store, "--as-of", "2023-05-31", "--json").out)
    assert known["city"]["restored_ha"] == pytest.approx(report["city"]["restored_ha"], rel=1e-12)
    args = ("rates", "--store", store, "--as-of", "2023-05-31", "--as-recorded", "2023-05-31", "--json")
    before = json.loads(cli(*args).out)
    assert before["as_recorded"] == "2023-05-31T23:59:59.999999+08:00"
    assert before["city"]["restored_ha"] == 0.0 and before["city"]["zone_ha"] == report["city"]["zone_ha"]


# -- refusals ------------------------------------------------------------------------------------
def parcel_frame(**overrides) -> gpd.GeoDataFrame:
    columns = {
        "编号": ["XF-9"],
        "名称": ["九号"],
        "状态": ["已完成"],
        "完成日期": ["2024-03-01"],
        "治理方式": ["林地"],
    }
    columns.update(overrides)
    columns = {k: v for k, v in columns.items() if v is not None}
    return gpd.GeoDataFrame(columns, geometry=[box(117.0, 34.7, 117.01, 34.71)], crs="EPSG:4490")


@pytest.fixture
def bad_files(tmp_path: Path) -> dict[str, Path]:
    """Input files, each wrong in one way."""
    files = {
        "good": parcel_frame(),
        "points": parcel_frame().set_geometry([Point(117.0, 34.7)]),
        "no_measure": parcel_frame(治理方式=None),
        "bad_enum": parcel_frame(状态=["差不多完成了"]),
        "bad_date": parcel_frame(完成日期=["2024年2月30日"]),
    }
    paths = {}
    for name, frame in files.items():
        paths[name] = tmp_path / f"{name}.geojson"
        frame.to_file(paths[name])
    paths["text"] = tmp_path / "readme.txt"
    paths["text"].write_text("这不是地图文件\n", encoding="utf-8")
    return paths


REFUSALS = {
    "missing file": ("import", "{tmp}/nope.geojson", "--layer", "restoration_parcels"),
    "unknown layer": ("import", "{good}", "--layer", "wells"),
    "bad date": ("rates", "--as-of", "2024-13-01"),
    "bad year": ("rates", "--year", "24"),
    "bad valid-from": ("import", "{good}", "--layer", "restoration_parcels", "--valid-from", "2024-02-30"),
    "unreadable store": ("rates", "--store", "{text}"),
    "directory as store": ("rates", "--store", "{tmp}"),
    "unknown format": ("import", "{text}", "--layer", "restoration_parcels"),
    "wrong geometry": ("import", "{points}", "--layer", "restoration_parcels"),
    "missing field": ("import", "{no_measure}", "--layer", "restoration_parcels"),
    "bad enum": ("import", "{bad_enum}", "--layer", "restoration_parcels"),
    "bad date value": ("import", "{bad_date}", "--layer", "restoration_parcels"),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_bad_input_is_one_line_on_stderr_and_changes_nothing(cli, store_path, bad_files, tmp_path, case):
    argv = [a.format(tmp=tmp_path, **bad_files) for a in REFUSALS[case]]
    if "--store" not in argv:
        argv += ["--store", str(store_path)]
    text_before, store_before = bad_files["text"].read_bytes(), contents(store_path)

    run = cli(*argv)
    assert run.code == 2, run
    assert run.out == ""
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in run.err and lines[0].startswith("错误")
    assert contents(store_path) == store_before
    assert bad_files["text"].read_bytes() == text_before


def test_refusals_name_the_problem(cli, store_path, bad_files):
    def err(*argv) -> str:
        return cli(*argv, "--store", store_path).err

    assert "第 1 个要素" in err("import", bad_files["points"], "--layer", "restoration_parcels")
    assert "治理方式" in err("import", bad_files["no_measure"], "--layer", "restoration_parcels")
    assert "差不多完成了" in err("import", bad_files["bad_enum"], "--layer", "restoration_parcels")
    assert "wells" in err("import", bad_files["good"], "--layer", "wells")


def test_a_good_file_is_accepted_after_the_refusals(cli, store_path, bad_files):
    before = contents(store_path)
    run = cli("import", bad_files["good"], "--layer", "restoration_parcels", "--store", store_path)
    assert run.code == 0, run.err
    after = contents(store_path)
    assert len(after["restoration_parcels"]) == len(before["restoration_parcels"]) + 1
    assert len(after["imports"]) == len(before["imports"]) + 1
