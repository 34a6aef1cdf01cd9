"""``python -m xzsdg_geo progress``: the JSON shape (that of ``rates --json``), the Chinese table, the
priority list, and one-line errors."""

from __future__ import annotations

import json

import pytest

from xzsdg_geo.cli import main

LAYERS = ("quarries", "river_segments", "buffer_projects")


def run(capsys, *args: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of the command, a usage error (SystemExit) included."""
    try:
        code = main(["progress", *args])
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("layer", LAYERS)
def test_json_has_the_shape_of_rates(sample_store_file, capsys, layer):
    code, out, _ = run(
        capsys, "--layer", layer, "--year", "2025", "--store", str(sample_store_file), "--json"
    )
    assert code == 0
    report = json.loads(out)
    assert {"as_of", "layer", "city", "districts", "target", "outside_districts", "items"} <= set(report)
    assert (report["as_of"], report["layer"]) == ("2025-12-31", layer)
    assert len(report["districts"]) == 10
    assert all({"adcode", "name", "count"} <= set(d) for d in report["districts"])
    assert (
        report["city"]["count"] == sum(d["count"] for d in report["districts"]) + report["outside_districts"]
    )
    assert report["city"]["count"] == len(report["items"])


def test_rivers_json_carries_the_target(sample_store_file, capsys):
    store = str(sample_store_file)
    _, out, _ = run(capsys, "--layer", "river_segments", "--as-of", "2026-06-30", "--store", store, "--json")
    target = json.loads(out)["target"]
    assert (target["target_accepted"], target["target_year"]) == (125, 2027)
    assert target["remaining"] == 125 - target["accepted"]


def test_table_is_chinese_with_a_city_row(sample_store_file, capsys):
    code, out, err = run(capsys, "--layer", "quarries", "--year", "2026", "--store", str(sample_store_file))
    assert code == 0
    assert out.startswith("采石宕口治理进度　截至 2026-12-31")
    assert "铜山区" in out and out.rstrip().splitlines()[-1].startswith("全市")
    assert "示意" in err


def test_buffer_table_lists_each_project(sample_store_file, capsys):
    _, out, _ = run(
        capsys, "--layer", "buffer_projects", "--as-of", "2026-06-30", "--store", str(sample_store_file)
    )
    assert "贾汪区大洞山“生态岛”" in out and "按期完工" in out


def test_english_table(sample_store_file, capsys, monkeypatch):
    monkeypatch.setenv("XZSDG_LANG", "zh")  # restored afterwards: --lang sets it for the process
    code = main(["--lang", "en", "progress", "--layer", "river_segments", "--store", str(sample_store_file)])
    assert code == 0
    assert capsys.readouterr().out.startswith("Happy rivers as of")


def test_priority_json_is_sorted_and_limited(sample_store_file, capsys):
    _, out, _ = run(capsys, "--layer", "quarries", "--priority", "--top", "5", "--json", "--store",
                    str(sample_store_file))  # fmt: skip
    plist = json.loads(out)
    scores = [q["priority"] for q in plist["items"]]
    assert len(scores) == 5 and scores == sorted(scores, reverse=True)
    assert plist["waiting"] >= 5 and all(q["status"] != "treated" for q in plist["items"])


def test_priority_table(sample_store_file, capsys):
    _, out, _ = run(
        capsys, "--layer", "quarries", "--priority", "--top", "3", "--store", str(sample_store_file)
    )
    assert out.startswith("采石宕口治理优先级") and len(out.strip().splitlines()) == 2 + 2 + 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--layer", "river_segments", "--priority"], "--priority 只适用于"),
        (["--layer", "quarries", "--priority", "--top", "0"], "数量无效"),
        (["--layer", "ponds"], "ponds"),
        (["--layer", "quarries", "--as-of", "2026-13-45"], "日期无法识别"),
    ],
)
def test_mistakes_end_in_one_chinese_line(sample_store_file, capsys, args, message):
    code, out, err = run(capsys, *args, "--store", str(sample_store_file))
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1


def test_store_without_districts(empty_store, capsys):
    code, _, err = run(capsys, "--layer", "buffer_projects", "--store", empty_store.location)
    assert code == 2 and "没有行政区边界" in err
