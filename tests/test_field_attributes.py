"""Files without IDs or names and with columns under other names: assigned IDs, --set, --map."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import corpus as c
import numpy as np
import pandas as pd
from field_shapes import google_earth_kml

from xzsdg_geo.attributes import map_upload
from xzsdg_geo.layers import get_layer
from xzsdg_geo.readers import ReadOptions
from xzsdg_geo.validation import validate_upload
from xzsdg_geo.validation.auto_ids import assign_missing_ids, geometry_hash

LAYER = "restoration_parcels"
SPEC = get_layer(LAYER)
GIVEN = (("状态", "已完成"), ("治理方式", "湿地"))


def test_a_file_without_ids_gets_stable_readable_ones_and_is_told():
    geoms = c.row_of_squares(2)
    report = validate_upload(google_earth_kml(geoms), "多边形.kml", LAYER, ReadOptions(defaults=GIVEN))
    assert report.ok, [e.message() for e in report.errors]
    ids = [f.feature_id for f in report.features]
    year = dt.date.today().year
    assert all(i.startswith(f"320305-{year}-") for i in ids) and len(set(ids)) == 2  # 贾汪区
    notes = [w for w in report.warnings if w.code == "id_assigned"]
    assert [n.feature for n in notes] == [0, 1] and ids[0] in notes[0].message("zh")
    assert "缺少必填字段" not in " ".join(e.message("zh") for e in report.errors)
    again = validate_upload(google_earth_kml(geoms), "again.kml", LAYER, ReadOptions(defaults=GIVEN))
    assert [f.feature_id for f in again.features] == ids  # the same shapes keep their IDs


def test_ids_the_file_has_are_kept_and_only_blank_ones_are_assigned():
    frame = pd.DataFrame({"编号": ["P-1", None, "auto"], "名称": ["a", "b", "c"], "状态": ["完成"] * 3,
                          "治理方式": ["湿地"] * 3})  # fmt: skip
    geoms = np.array(c.row_of_squares(3), dtype=object)
    records, problems = assign_missing_ids(SPEC, map_upload(SPEC, frame), geoms, None, dt.date(2026, 5, 1))
    assert records[0]["parcel_id"] == "P-1"
    assert records[1]["parcel_id"] == f"320305-2026-{geometry_hash(geoms[1])}"
    assert [(p.kind, p.feature) for p in problems] == [("id_assigned", 1), ("id_assigned", 2)]


def test_two_identical_shapes_get_distinct_ids():
    g = c.square(117.45, 34.45)
    records, _ = assign_missing_ids(
        SPEC,
        map_upload(SPEC, pd.DataFrame({"名称": ["a", "b"]})),
        np.array([g, g]),
        None,
        dt.date(2026, 1, 1),
    )
    assert records[1]["parcel_id"] == records[0]["parcel_id"] + "-2"


def test_district_boundaries_never_get_assigned_codes():
    spec = get_layer("districts")
    records, problems = assign_missing_ids(
        spec, map_upload(spec, pd.DataFrame({"名称": ["x"]})), np.array([c.square(117.45, 34.45)]), None
    )
    assert records[0]["adcode"] is None and [p.kind for p in problems] == ["missing_field"]


def test_set_fills_blank_names_but_not_given_ones():
    frame = pd.DataFrame({"name": [None, "  ", "潘安湖"], "status": ["完成"] * 3})
    records, _ = map_upload(SPEC, frame, defaults=[("名称", "贾汪区复垦地块"), ("状态", "计划")])
    assert [r["name"] for r in records] == ["贾汪区复垦地块", "贾汪区复垦地块", "潘安湖"]
    assert [r["status"] for r in records] == ["completed"] * 3


def test_blank_kml_names_are_filled_by_set():
    data = google_earth_kml(c.row_of_squares(2), name="")
    blank = validate_upload(data, "x.kml", LAYER, ReadOptions(defaults=GIVEN))
    assert {e.code for e in blank.errors} == {"missing_value"}
    filled = validate_upload(data, "x.kml", LAYER, ReadOptions(defaults=(*GIVEN, ("名称", "潘安湖北岸"))))
    assert filled.ok and [f.name for f in filled.features] == ["潘安湖北岸"] * 2


def test_map_takes_the_chosen_column_over_an_alias_match():
    frame = pd.DataFrame({"名称": ["旧名"], "XMMC2": ["新名"], "ZT": ["在建"], "FS": ["林地"], "BH": ["X-1"]})
    mapping = [("名称", "XMMC2"), ("状态", "ZT"), ("治理方式", "FS"), ("编号", "BH")]
    records, problems = map_upload(SPEC, frame, mapping)
    assert not problems
    wanted = {"name": "新名", "status": "in_progress", "measure": "forest", "parcel_id": "X-1"}
    assert {k: records[0][k] for k in wanted} == wanted


def test_map_to_a_column_the_file_lacks_is_refused_by_name():
    _, problems = map_upload(SPEC, pd.DataFrame({"名称": ["a"]}), [("状态", "STATUS_X")])
    assert ("map_no_column", "status", "STATUS_X") in {(p.kind, p.field, p.value) for p in problems}


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "xzsdg_geo", *args], capture_output=True, text=True, timeout=120
    )


def test_cli_map_and_set(tmp_path):
    frame = c.parcels().rename(columns={"名称": "DKMC_X", "状态": "ZT"}).drop(columns=["编号"])
    path = tmp_path / "p.geojson"
    path.write_bytes(c.geojson(frame))
    done = _cli("validate", str(path), "--layer", LAYER, "--json", "--map", "名称=DKMC_X", "--map", "状态=ZT")
    report = json.loads(done.stdout)
    assert done.returncode == 0, report["errors"]
    assert [f["name"] for f in report["features"]] == list(frame["DKMC_X"])
    bad = _cli("validate", str(path), "--layer", LAYER, "--map", "颜色=ZT")
    assert bad.returncode == 2 and "颜色=ZT" in bad.stderr and "Traceback" not in bad.stderr


def test_row_numbers_in_a_generic_id_column_are_no_ids():
    geoms = np.array(c.row_of_squares(3), dtype=object)
    frame = pd.DataFrame({"id": ["0", "1", "2"], "名称": ["a", "b", "c"], "状态": ["完成"] * 3})
    records, _ = assign_missing_ids(SPEC, map_upload(SPEC, frame), geoms, None, dt.date(2026, 1, 1))
    assert all(r["parcel_id"].startswith("320305-2026-") for r in records)
    kept, _ = map_upload(SPEC, frame.assign(id=["P7", "P8", "P9"]))
    assert [r["parcel_id"] for r in kept] == ["P7", "P8", "P9"]
    chosen, _ = map_upload(SPEC, frame, [("编号", "id")])
    assert [r["parcel_id"] for r in chosen] == ["0", "1", "2"]
    report = validate_upload(c.geojson(c.parcels().drop(columns=["编号"])), "x.geojson", LAYER)
    assert all(f.feature_id.startswith("320305-") for f in report.features)
