"""A survey TXT or DXF carries no 状态 or 治理方式: the uploader supplies them with ``--set``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import shapely
from corpus import survey_parcel, survey_txt


def _run(*args: str) -> subprocess.CompletedProcess:
    argv = [sys.executable, "-m", "xzsdg_geo", *args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120)


def _txt(tmp_path: Path) -> Path:
    """A parcel in 睢宁县, where no restored ground is counted yet."""
    parcel = shapely.Polygon([(117.90, 33.95), (117.905, 33.95), (117.905, 33.955), (117.90, 33.955)])
    path = tmp_path / "界址点.txt"
    path.write_bytes(survey_txt([survey_parcel(parcel, "JZ-001", "潘安湖东片")]))
    return path


def test_without_status_the_file_is_refused_and_with_set_it_passes(tmp_path, sample_store_file):
    path, store = _txt(tmp_path), str(sample_store_file)
    refused = _run("validate", str(path), "--layer", "restoration_parcels", "--json", "--store", store)
    assert refused.returncode == 1
    assert "missing_field" in {e["code"] for e in json.loads(refused.stdout)["errors"]}

    given = ["--set", "状态=已完成", "--set", "治理方式=湿地", "--set", "完成日期=2026年10月1日"]
    passed = _run("validate", str(path), "--layer", "restoration_parcels", "--json", "--store", store, *given)
    report = json.loads(passed.stdout)
    assert passed.returncode == 0, report["errors"]
    assert report["features"][0]["name"] == "潘安湖东片"


def test_a_column_the_file_has_wins_over_set(tmp_path):
    import pandas as pd

    from xzsdg_geo.attributes import map_attributes, with_defaults
    from xzsdg_geo.layers import get_layer

    spec = get_layer("restoration_parcels")
    frame = pd.DataFrame({"编号": ["P1"], "名称": ["甲"], "状态": ["在建"], "治理方式": ["林地"]})
    records, problems = map_attributes(spec, with_defaults(frame, spec, [("状态", "已完成")]))
    assert records[0]["status"] == "in_progress" and not problems


def test_a_set_naming_no_field_is_one_clear_line(tmp_path, sample_store_file):
    done = _run("validate", str(_txt(tmp_path)), "--layer", "restoration_parcels",
                "--store", str(sample_store_file), "--set", "颜色=红")  # fmt: skip
    assert done.returncode == 2 and "颜色=红" in done.stderr and "Traceback" not in done.stderr
