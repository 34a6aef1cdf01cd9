"""One indicator by year against its target (xzsdg_geo/indicators/trend.py, the 指标 page's chart)."""

from __future__ import annotations

import shutil
from pathlib import Path

from xzsdg_geo.indicators.catalog import indicators
from xzsdg_geo.indicators.tracker import set_actual
from xzsdg_geo.indicators.trend import trend
from xzsdg_geo.services.auth import Principal, Role
from xzsdg_geo.store import open_store


def test_an_indicator_trend_has_its_targets_and_an_entered_value(
    sample_store_file: Path, tmp_path: Path
) -> None:
    path = tmp_path / "t.gpkg"
    shutil.copy(sample_store_file, path)
    store = open_store(str(path))
    try:
        first = indicators()[1]
        set_actual(store, Principal("admin", Role.ADMIN), 1, 2025, 7.1, None)
        points = {p.year: p for p in trend(store, first)}
    finally:
        store.close()
    assert points[2025].value == 7.1
    assert points[2027].target == first.target_for(2027)[0]
    assert points[2026].value is None or points[2026].value != 7.1
