"""The Streamlit app through ``AppTest``, on a copy of the sample store."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest
from shapely.geometry import box
from streamlit.testing.v1 import AppTest

from xzsdg_geo.paths import ROOT
from xzsdg_geo.rates import compute_rates
from xzsdg_geo.store import NewFeature, open_store

APP = str(ROOT / "app.py")
TITLE_ZH = "徐州国家可持续发展议程创新示范区 · 采煤沉陷区治理和生态修复监测"


@pytest.fixture
def store_path(sample_store_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "app.gpkg"
    shutil.copy(sample_store_file, path)
    monkeypatch.setenv("XZSDG_STORE", str(path))
    monkeypatch.delenv("XZSDG_LANG", raising=False)
    return path


def _run(at: AppTest | None = None) -> AppTest:
    at = (at or AppTest.from_file(APP, default_timeout=60)).run()
    assert not at.exception, at.exception
    return at


def _map_args(at: AppTest) -> dict:
    """What st_folium hands its frontend: the map script and the asset links it will load."""
    (component,) = [e for e in at.main if getattr(e, "type", None) == "component_instance"]
    assert component.proto.component_name.endswith("st_folium")
    return json.loads(component.proto.json_args)


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_overview_in_chinese_with_rates_and_sample_labels(store_path: Path) -> None:
    at = _run()
    assert at.title[0].value == TITLE_ZH
    assert "示例数据" in at.info[0].value and "示意边界" in at.info[0].value
    table = at.table[0].value
    assert list(table.columns[:4]) == ["行政区", "沉陷区面积(公顷)", "已治理(公顷)", "治理率"]
    assert table.iloc[-1, 0] == "全市"
    store = open_store(str(store_path))
    report = compute_rates(store, dt.date.fromisoformat(at.caption[0].value.split()[-1]))
    store.close()
    assert _metric(at, "全市治理率") == f"{report.city.rate_pct:,.2f}%"
    assert table.iloc[-1, 2] == pytest.approx(report.city.restored_ha)


def test_the_map_is_sent_with_local_assets_only(store_path: Path) -> None:
    args = _map_args(_run())
    assert args["js_links"] == ["/app/static/vendor/leaflet/leaflet.js"]
    assert args["css_links"] == ["/app/static/vendor/leaflet/leaflet.css"]
    assert args["returned_objects"] == []
    page = args["script"] + args["header"] + args["html"]
    assert re.findall(r"https?://", page) == []


def test_a_past_year_shows_that_years_rate(store_path: Path) -> None:
    at = _run()
    at.selectbox[0].set_value(2024)
    _run(at)
    assert at.caption[0].value.endswith("2024-12-31")
    assert _metric(at, "2024 年目标") == "75.2%"
    rate = float(_metric(at, "全市治理率").rstrip("%"))
    assert rate == pytest.approx(75.2, abs=0.5)


def test_english_switch(store_path: Path) -> None:
    at = _run()
    at.sidebar.radio[0].set_value("en")
    _run(at)
    assert at.title[0].value.startswith("Xuzhou")
    assert list(at.table[0].value.columns[:2]) == ["District", "Zones (ha)"]
    assert at.table[0].value.iloc[-1, 0] == "City"


def test_a_write_to_the_store_shows_on_the_next_run(store_path: Path) -> None:
    at = _run()
    before = _metric(at, "全市治理率")
    store = open_store(str(store_path))
    zones = store.features("subsidence_zones")
    severe = zones.geometry.iloc[0].buffer(0)
    minx, miny, maxx, maxy = severe.bounds
    parcel = {"parcel_id": "T-NEW", "name": "新治理地块", "status": "completed",
              "completed_on": "2020-06-30", "measure": "wetland"}  # fmt: skip
    store.write_features(
        "restoration_parcels",
        [NewFeature("T-NEW", box(minx, miny, maxx, maxy), parcel)],
        by="test",
        source="upload:test",
    )
    store.close()
    _run(at)
    assert _metric(at, "全市治理率") != before


def test_a_missing_store_says_how_to_create_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XZSDG_STORE", str(tmp_path / "none.gpkg"))
    at = _run()
    message = at.error[0].value
    assert "找不到数据库文件" in message
    assert "make run" in message and "python -m xzsdg_geo init --sample" in message


def test_an_unreadable_store_is_a_message_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "broken.gpkg"
    broken.write_bytes(b"not a database at all" * 100)
    monkeypatch.setenv("XZSDG_STORE", str(broken))
    at = _run()
    assert at.error[0].value.startswith("无法打开数据库")
