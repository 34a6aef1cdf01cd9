"""The 进度 page's maps (xzsdg_geo/standing_map.py, xzsdg_geo/ui/progress_maps.py) on the sample store."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from xzsdg_geo.rates import compute_rates
from xzsdg_geo.standing_map import STANDING_COLORS, standing_layer, standing_of
from xzsdg_geo.store import open_store
from xzsdg_geo.when import When

PAGE = """
from xzsdg_geo.ui.pages import progress
progress.render()
"""
JIAWANG = "320305"


def test_each_district_is_coloured_by_its_standing(sample_store_file: Path) -> None:
    store = open_store(str(sample_store_file))
    try:
        report = compute_rates(store, When(dt.date(2026, 6, 30)))
        districts = store.features("districts")
    finally:
        store.close()
    layer = standing_layer(districts, report)
    drawn = {f["properties"]["name"]: c.style["color"] for c in layer.classes for f in c.features}
    assert len(drawn) == len(report.districts)
    for d in report.districts:
        assert drawn[d.name] == STANDING_COLORS[standing_of(d)]
    assert layer.note == "示意边界"  # the boundaries keep their label


def test_a_district_head_sees_the_city_map_and_their_own(
    sample_store_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "app.gpkg"
    shutil.copy(sample_store_file, path)
    monkeypatch.setenv("XZSDG_STORE", str(path))
    monkeypatch.delenv("XZSDG_LANG", raising=False)
    at = AppTest.from_string(PAGE, default_timeout=120)
    at.session_state["district"] = JIAWANG
    at.run()
    assert not at.exception, at.exception
    maps = [
        json.loads(e.proto.json_args) for e in at.main if getattr(e, "type", None) == "component_instance"
    ]
    maps = [m for m in maps if "feature_group" in m]
    assert len(maps) == 2
    city, own = maps
    assert "xzHighlight(" in city["feature_group"]  # the head's district outlined on the city map
    assert "xzZoomTo(" in own["feature_group"]  # the district's own map, zoomed to it
    assert any(s.value == "贾汪区的地图" for s in at.subheader)
