"""The annual report records the instant it was computed at, and ``--as-recorded`` that instant
regenerates the same figures after later approvals (two clocks, on the sample store)."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest

from xzsdg_geo.rates import compute_rates
from xzsdg_geo.report import report_content
from xzsdg_geo.store import NewFeature, open_store
from xzsdg_geo.when import When, parse_instant

YEAR = 2026


def _figures(content) -> list[tuple]:
    return [(t.metric, t.as_of, [tuple(r.values) for r in t.rows]) for t in content.tables]


def _complete_a_planned_parcel(store) -> None:
    """A planned parcel reported completed in 2025 and approved now: the 2026 figures move."""
    parcels = store.features("restoration_parcels")
    row = parcels[parcels["status"] == "planned"].iloc[0]
    fields = ["parcel_id", "name", "status", "completed_on", "measure", "investment_wan"]
    props = {**{f: row[f] for f in fields}, "status": "completed", "completed_on": "2025-06-30"}
    store.write_features(
        "restoration_parcels", [NewFeature(row["feature_id"], row.geometry, props)], by="t", source="t"
    )


def test_report_as_recorded_at_its_instant_regenerates_the_same_figures(
    sample_store_file, tmp_path: Path, run
):
    path = Path(shutil.copy(sample_store_file, tmp_path / "s.gpkg"))
    store = open_store(str(path))
    try:
        first = report_content(store, YEAR, lang="zh", today=dt.date(YEAR, 12, 31))
        _complete_a_planned_parcel(store)
        moved = report_content(store, YEAR, lang="zh", today=dt.date(YEAR, 12, 31))
        instant = parse_instant(first.computed_at)
        again = report_content(store, YEAR, lang="zh", today=dt.date(YEAR, 12, 31), known_at=instant)
    finally:
        store.close()
    assert _figures(moved) != _figures(first)  # the approval changed the figures as known now
    assert _figures(again) == _figures(first)
    assert again.computed_at == first.computed_at

    # the report says the instant, and the command that reproduces it
    code, _, err = run("report", "--year", YEAR, "--out", tmp_path / "r.html", "--store", path,
                       "--as-recorded", first.computed_at)  # fmt: skip
    assert code == 0, err
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert f"--as-recorded {first.computed_at}" in html
    assert re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+08:00", first.computed_at)


def test_indicators_and_the_rates_export_take_a_record_time(sample_store_file, tmp_path: Path, run):
    path = Path(shutil.copy(sample_store_file, tmp_path / "s.gpkg"))
    code, out, err = run("indicators", "list", "--year", 2025, "--json", "--as-recorded", "2026-01-15",
                         "--store", path)  # fmt: skip
    assert code == 0, err
    listed = json.loads(out)
    assert (listed["as_of"], listed["as_recorded"]) == ("2025-12-31", "2026-01-15T23:59:59.999999+08:00")
    rate = next(i for i in listed["indicators"] if i["no"] == 20)
    store = open_store(str(path))
    try:
        expected = compute_rates(
            store, When(dt.date(2025, 12, 31), parse_instant("2026-01-15"))
        ).city.rate_pct
    finally:
        store.close()
    assert rate["value"] == pytest.approx(expected)

    out_file = tmp_path / "rates.csv"
    code, _, err = run("export", "--rates", 2025, "--format", "csv", "--out", out_file, "--as-recorded",
                       "2026-01-15", "--store", path)  # fmt: skip
    assert code == 0, err
    assert out_file.stat().st_size > 0
    code, _, err = run("export", "--rates", 2025, "--format", "csv", "--out", out_file, "--as-recorded",
                       "明天", "--store", path)  # fmt: skip
    assert code != 0 and "记录时间无法识别" in err
