"""Done when: five kinds of field file go from submit to approved without editing the file, and
the approved features, exported again, lie exactly where the files put them."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import corpus as c
import geopandas as gpd
import pytest
import shapely
from field_shapes import file_gdb, google_earth_kml, ovital_file, ovital_placemark, rtk_rows, rtk_xlsx

# 睢宁县, where the sample store has no restored parcel yet (no overlap with counted ground).
SUINING = (117.90, 33.95)
LAYER = "restoration_parcels"
ATTRIBUTES = ["--set", "状态=已完成", "--set", "治理方式=湿地", "--set", "完成日期=2026年10月1日"]


def _truth() -> list[shapely.Polygon]:
    return [c.square(SUINING[0], SUINING[1]), c.square(SUINING[0] + 0.004, SUINING[1], 150)]


# The IDs each file gives; the others have none and get assigned ones.
IDS = {"_xlsx": ["JZ-1", "JZ-2"], "_survey_txt": ["TXT-0", "TXT-1"], "_gdb": ["G-1", "G-2"]}


def _google_earth(tmp: Path, truth):
    return "我的地点.kml", google_earth_kml(truth, name="未命名多边形"), ["--set", "名称=睢宁复垦地块"]


def _ovital(tmp: Path, truth):
    marks = [ovital_placemark(f"奥维{i}", g, "CGCS2000") for i, g in enumerate(truth)]
    return "标注.ovkml", ovital_file(marks), []


def _xlsx(tmp: Path, truth):
    rows = [r for k, g in enumerate(truth) for r in rtk_rows(g, f"JZ-{k + 1}")]
    data = rtk_xlsx({"界址点": rows}, ["地块号", "点号", "X", "Y", "高程", "圈号"])
    return "界址点坐标.xlsx", data, ["--set", "名称=睢宁东片"]


def _survey_txt(tmp: Path, truth):
    blocks = [c.survey_parcel(g, f"TXT-{k}", f"睢宁{k}号", crs=c.ZONE39) for k, g in enumerate(truth)]
    return "界址点.txt", c.survey_txt(blocks), []


def _gdb(tmp: Path, truth):
    frame = gpd.GeoDataFrame({"DKBH": ["G-1", "G-2"], "DKMC": ["甲", "乙"]}, geometry=truth, crs="EPSG:4490")
    return "成果.gdb.zip", file_gdb(tmp, {"DK": frame.to_crs(c.ZONE39)}), []


@pytest.mark.parametrize(
    "build", [_google_earth, _ovital, _xlsx, _survey_txt, _gdb], ids=lambda f: f.__name__
)
def test_a_field_file_goes_from_submit_to_approved_and_lands_where_it_says(
    build, run, sample_store_file, tmp_path
):
    store = tmp_path / "store.gpkg"
    shutil.copy(sample_store_file, store)
    truth = _truth()
    name, data, extra = build(tmp_path, truth)
    path = tmp_path / name
    path.write_bytes(data)

    code, out, err = run("submit", path, "--layer", LAYER, "--by", "field_team", *ATTRIBUTES, *extra,
                         "--store", store)  # fmt: skip
    assert code == 0, out + err
    submission = re.search(r"\d+", out).group(0)
    code, out, err = run(
        "review", submission, "--approve", "--comment", "同意", "--as", "reviewer", "--store", store
    )
    assert code == 0, out + err

    exported = tmp_path / "out.geojson"
    code, out, err = run(
        "export", "--layer", LAYER, "--format", "geojson", "--out", exported, "--store", store
    )
    assert code == 0, err
    frame = gpd.read_file(exported)
    got = frame[frame.geometry.intersects(shapely.box(*shapely.MultiPolygon(truth).bounds))]
    assert len(got) == len(truth)
    for expected in truth:
        [match] = [g for g in got.geometry if g.intersects(expected.centroid)]
        assert shapely.hausdorff_distance(match, expected) < 1e-7  # about a centimetre
    # exports name their fields in Chinese (the layer's labels)
    assert set(got["状态"]) == {"已完成"} and set(got["治理方式"]) <= {"湿地", "耕地复垦"}  # TXT: 0101
    ids = sorted(got["编号"])
    if build.__name__ in IDS:
        assert ids == IDS[build.__name__]
    else:  # assigned: 睢宁县's code, the year, a checksum
        assert all(re.fullmatch(r"320324-\d{4}-[0-9A-F]{6}", i) for i in ids)
