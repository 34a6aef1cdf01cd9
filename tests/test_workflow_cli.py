"""The review workflow from the shell: submit, list, review, undo, history, audit, user add."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from xzsdg_geo.store import open_store

GULOU = "320302"


def run(*args: str, store: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    argv = [sys.executable, "-m", "xzsdg_geo", *args, "--store", store]
    return subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=120)


@pytest.fixture
def store_path(sample_store_file: Path, tmp_path: Path) -> str:
    path = tmp_path / "cli.gpkg"
    shutil.copy(sample_store_file, path)
    return str(path)


def _parcels_file(store_path: str, tmp_path: Path) -> Path:
    """Two planned Gulou parcels of the sample, re-declared completed, as a field team's GeoJSON."""
    store = open_store(store_path)
    parcels = store.features("restoration_parcels")
    district = store.features("districts").set_index("adcode").geometry[GULOU]
    store.close()
    inside = shapely.within(shapely.point_on_surface(parcels.geometry.to_numpy()), district)
    rows = parcels[inside & (parcels["status"] == "planned")].head(2)
    frame = gpd.GeoDataFrame({"地块编号": rows["parcel_id"], "地块名称": rows["name"], "治理状态": "已治理",
                              "竣工日期": "2026年11月1日", "治理方式": "湿地"},
                             geometry=rows.geometry.to_numpy(), crs="EPSG:4490")  # fmt: skip
    path = tmp_path / "地块.geojson"
    path.write_text(frame.to_json(), encoding="utf-8")
    return path


def test_submit_review_undo_from_the_shell(store_path, tmp_path):
    path = _parcels_file(store_path, tmp_path)
    done = run("submit", str(path), "--layer", "restoration_parcels", "--by", "field_team", store=store_path)
    assert done.returncode == 0, done.stderr
    assert "已提交" in done.stdout
    listed = run("submissions", "list", "--status", "pending", "--as", "reviewer", store=store_path)
    assert "field_team" in listed.stdout and "待审核" in listed.stdout

    shown = run("review", "1", "--as", "reviewer", store=store_path)
    assert "修改 2" in shown.stdout and "鼓楼区" in shown.stdout, shown.stdout + shown.stderr

    refused = run("review", "1", "--approve", "--as", "field_team", store=store_path)
    assert refused.returncode != 0 and "无权操作" in refused.stderr and "Traceback" not in refused.stderr

    approved = run("review", "1", "--approve", "--comment", "同意", "--as", "reviewer", store=store_path)
    assert approved.returncode == 0 and "已通过" in approved.stdout
    again = run("review", "1", "--reject", "--comment", "晚了", "--as", "admin", store=store_path)
    assert again.returncode != 0 and "已被处理" in again.stderr

    fid = gpd.read_file(path)["地块编号"].iloc[0]
    history = run("history", fid, store=store_path)
    assert "submission:1" in history.stdout

    assert run("undo", "1", "--as", "reviewer", store=store_path).returncode == 0
    assert "undo:1" in run("history", fid, store=store_path).stdout

    audit = run("audit", "--csv", "--as", "head_320302", store=store_path)
    assert audit.stdout.startswith("\ufeff")
    actions = [row["action"] for row in csv.DictReader(io.StringIO(audit.stdout.lstrip("\ufeff")))]
    assert actions[-3:] == ["submit", "approve", "undo"]


def test_a_refused_file_is_kept_and_reported_in_chinese(store_path, tmp_path):
    bad = tmp_path / "bad.geojson"
    point = {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [117.2, 34.3]}}
    bad.write_text(json.dumps({"type": "FeatureCollection", "features": [point]}), encoding="utf-8")
    done = run("submit", str(bad), "--layer", "restoration_parcels", "--by", "field_team", store=store_path)
    assert done.returncode == 1 and "未通过检查" in done.stderr and "Traceback" not in done.stderr
    store = open_store(store_path)
    try:
        (upload,) = store.uploads(by="field_team")
        assert not upload.accepted
        assert store.file_bytes(upload.sha256) == bad.read_bytes()
        assert store.submissions() == []
    finally:
        store.close()


def test_user_add_reads_the_password_from_stdin(tmp_path):
    store_path = str(tmp_path / "fresh.gpkg")
    assert run("init", store=store_path).returncode == 0
    first = run("user", "add", "chief", "--role", "admin", store=store_path, stdin="a long password\n")
    assert first.returncode == 0, first.stderr
    second = run("user", "add", "eve", "--role", "reviewer", store=store_path, stdin="another password\n")
    assert second.returncode != 0 and "--as" in second.stderr
    third = run("user", "add", "eve", "--role", "reviewer", "--as", "chief", store=store_path,
                stdin="another password\n")  # fmt: skip
    assert third.returncode == 0
    listed = run("user", "list", store=store_path)
    assert "chief" in listed.stdout and "审核员" in listed.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["review", "99", "--approve", "--as", "reviewer"],
        ["review", "1", "--approve", "--as", "nobody"],
        ["undo", "1", "--as", "reviewer"],
        ["history", "NO-SUCH-ID"],
        ["audit", "--as", "field_team"],
        ["submit", "/no/such/file.zip", "--layer", "restoration_parcels", "--by", "field_team"],
        ["submit", "x.zip", "--layer", "nonsense", "--by", "field_team"],
    ],
)
def test_bad_workflow_input_is_one_clear_line(store_path, args):
    before = Path(store_path).read_bytes()
    done = run(*args, store=store_path)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr and done.stderr.strip().startswith("错误")
    assert len(done.stderr.strip().splitlines()) == 1
    assert Path(store_path).read_bytes() == before or "audit" in args
