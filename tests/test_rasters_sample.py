"""The sample rasters on the sample store, and the commands over them: ``raster``, ``verify``,
``forest-cover`` (their JSON and Chinese tables, and one-line errors)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from test_rasters_support import geotiff

from xzsdg_geo import cli
from xzsdg_geo.rasters import sample
from xzsdg_geo.rasters.forest_cover import forest_cover
from xzsdg_geo.rasters.verify import verify_parcels
from xzsdg_geo.store import open_store


@pytest.fixture(scope="module")
def raster_store_file(sample_store_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample store with the sample rasters (added once per module; a no-op if init added them)."""
    path = tmp_path_factory.mktemp("rasters") / "sample.gpkg"
    shutil.copy(sample_store_file, path)
    store = open_store(str(path))
    sample.add_sample_rasters(store)
    store.close()
    return path


@pytest.fixture(scope="module")
def raster_store(raster_store_file: Path):
    store = open_store(str(raster_store_file))
    yield store
    store.close()


@pytest.fixture(scope="module")
def report(raster_store):
    return verify_parcels(raster_store)


def test_the_sample_rasters_are_small_and_kept_in_the_store(raster_store):
    rasters = raster_store.rasters()
    assert [(r.kind, r.acquired_on, r.crs) for r in rasters] == [
        ("ndvi", "2011-08-20", "EPSG:32650"),
        ("water", "2011-08-20", "EPSG:32650"),
        ("ndvi", "2026-08-20", "EPSG:32650"),
        ("water", "2026-08-20", "EPSG:32650"),
        ("landcover", "2026-08-20", "EPSG:4490"),
    ]
    assert all(r.in_store and r.res_x in (30.0, 0.0003) for r in rasters)
    assert sum(r.size for r in rasters) < 4_000_000
    districts = raster_store.features("districts").total_bounds
    landcover = rasters[-1]
    assert landcover.west <= districts[0] and landcover.north >= districts[3]  # the whole city


def test_a_second_call_adds_nothing_as_the_bytes_are_the_same(raster_store):
    assert sample.add_sample_rasters(raster_store) == []  # deterministic: every file already registered


def test_restored_parcels_are_verified_but_the_planted_faults(raster_store, report):
    faults = sample.planted_faults(raster_store.features("restoration_parcels"))
    kinds = Counter(faults.values())
    assert kinds["not_green"] >= 10 and kinds["weak"] >= 10 and kinds["dry"] >= 5
    by_id = {i.feature_id: i for i in report.items}
    expected = {"not_green": "contradicted", "dry": "contradicted", "weak": "unverified"}
    assert {f: by_id[f].verdict for f in faults} == {f: expected[k] for f, k in faults.items()}
    others = [i for i in report.items if i.feature_id not in faults]
    assert not [i.feature_id for i in others if i.verdict == "contradicted"]
    assert report.city.verified_pct > 90


def test_the_cloud_hides_parcels_and_recent_ones_wait_for_an_image(report):
    reasons = Counter(i.reason for i in report.items if i.verdict == "unverified")
    assert reasons["no_data_after"] > 0 and reasons["no_image_after"] > 0
    late = [i for i in report.items if i.reason == "no_image_after"]
    assert all(i.completed_on > sample.AFTER - dt.timedelta(days=180) for i in late)


def test_forest_cover_lies_near_the_drawn_shares(raster_store):
    report = forest_cover(raster_store)
    got = {d.adcode: d.cover.forest_pct for d in report.districts}
    assert all(abs(got[a] - pct) < 5 for a, pct in sample.FOREST_PCT.items())
    met = {d.adcode for d in report.districts if d.cover.meets_target}
    assert "320303" in met and "320302" not in met  # 云龙区's hills above 31.25 %, 鼓楼区 below
    assert 25 < report.city.forest_pct < 35


def run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        code = cli.main(list(args))
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    return code, out, err


def test_verify_prints_a_chinese_table_and_the_parcels_to_review(raster_store_file, capsys):
    code, out, err = run(capsys, "verify", "--store", str(raster_store_file))
    assert code == 0
    assert out.startswith("遥感核查　截至")
    assert "全市" in out and "与影像不符的地块" in out and "XF-" in out
    assert "地块太小" in err and "治理率仍按申报" in err


def test_verify_json_has_the_shape_of_progress(raster_store_file, capsys):
    code, out, _ = run(capsys, "verify", "--district", "320305", "--store", str(raster_store_file), "--json")
    report = json.loads(out)
    assert code == 0 and {"as_of", "city", "districts", "items"} <= set(report)
    assert [d["adcode"] for d in report["districts"]] == ["320305"]
    assert {i["adcode"] for i in report["items"]} == {"320305"}
    item = report["items"][0]
    assert {"verdict", "reason", "before", "after", "change", "measure", "area_ha"} <= set(item)


def test_forest_cover_table_and_json(raster_store_file, capsys):
    code, out, _ = run(capsys, "forest-cover", "--store", str(raster_store_file))
    assert code == 0 and "目标 31.25%" in out and "云龙区" in out and "达标" in out
    _, out, _ = run(capsys, "forest-cover", "--store", str(raster_store_file), "--json")
    assert json.loads(out)["target_pct"] == 31.25


def test_raster_add_and_list(raster_store_file, tmp_path, capsys):
    store = tmp_path / "s.gpkg"
    shutil.copy(raster_store_file, store)
    tif = tmp_path / "ndvi.tif"
    geotiff(np.full((10, 10), 0.5, dtype=np.float32), path=tif)
    code, out, _ = run(capsys, "raster", "add", str(tif), "--kind", "ndvi", "--date", "2025-08-01",
                       "--as", "admin", "--store", str(store))  # fmt: skip
    assert code == 0 and out.startswith("已登记栅格影像 #6：ndvi.tif（NDVI，2025-08-01，EPSG:32650")
    code, out, _ = run(capsys, "raster", "list", "--store", str(store))
    assert code == 0 and len(out.strip().splitlines()) == 2 + 6 and "sample_landcover_20260820.tif" in out


def test_raster_add_errors_are_one_line(raster_store_file, tmp_path, capsys):
    store = str(raster_store_file)
    tif = tmp_path / "ndvi.tif"
    geotiff(np.full((10, 10), 0.5, dtype=np.float32), path=tif)
    code, _, err = run(capsys, "raster", "add", str(tif), "--kind", "ndvi", "--date", "2025-08-01",
                       "--as", "reviewer", "--store", store)  # fmt: skip
    assert code == 2 and err.startswith("错误：") and len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, "raster", "add", str(tif), "--store", store)
    assert code == 2 and "--kind" in err
    code, _, err = run(
        capsys, "raster", "add", str(tif), "--kind", "dem", "--date", "2025-08-01", "--store", store
    )
    assert code == 2 and "dem" in err
    code, _, err = run(capsys, "verify", "--district", "123456", "--store", store)
    assert code == 2 and "没有行政区代码 123456" in err
