"""总览 / Overview through ``AppTest``, on a copy of the sample store.

The page is run on its own (as ``st.navigation`` runs it once someone is signed in): the sign-in
and the navigation are the app shell's and are tested with it. A district head is the shell's
``st.session_state["district"]``, set here directly.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest
from shapely.geometry import box
from streamlit.testing.v1 import AppTest

from xzsdg_geo import basemaps
from xzsdg_geo.mapping import Assets
from xzsdg_geo.rates import compute_rates
from xzsdg_geo.store import NewFeature, open_store
from xzsdg_geo.when import When

PAGE = """
from xzsdg_geo.ui.pages import overview
overview.render()
"""
SETTINGS = """
from xzsdg_geo.ui.pages import overview
overview.basemap_settings()
"""
TITLE_ZH = "徐州国家可持续发展议程创新示范区 · 采煤沉陷区治理和生态修复监测"
JIAWANG = "320305"  # 贾汪区


def _run(at: AppTest | None = None, **state: object) -> AppTest:
    at = AppTest.from_string(PAGE, default_timeout=60) if at is None else at
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _map_args(at: AppTest) -> dict:
    """What st_folium hands its frontend: the map script, the layers to add, the asset links."""
    (component,) = [e for e in at.main if getattr(e, "type", None) == "component_instance"]
    assert component.proto.component_name.endswith("st_folium")
    return json.loads(component.proto.json_args)


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _report(path: Path, at: AppTest):
    store = open_store(str(path))
    try:
        return compute_rates(store, When(dt.date.fromisoformat(at.caption[0].value.split()[-1])))
    finally:
        store.close()


def test_overview_in_chinese_with_rates_and_sample_labels(store_path: Path) -> None:
    at = _run()
    assert at.title[0].value == TITLE_ZH
    assert "示例数据" in at.info[0].value and "示意边界" in at.info[0].value
    table = at.table[0].value
    assert list(table.columns[:4]) == ["行政区", "沉陷区面积(公顷)", "已治理(公顷)", "治理率"]
    assert table.iloc[-1, 0] == "全市"
    report = _report(store_path, at)
    assert _metric(at, "全市治理率") == f"{report.city.rate_pct:,.2f}%"
    assert table.iloc[-1, 2] == pytest.approx(report.city.restored_ha)
    assert "点击地图上的行政区" in at.info[1].value  # the panel, before any click


def test_the_map_is_sent_with_local_assets_only(store_path: Path) -> None:
    args = _map_args(_run())
    assert args["js_links"] == [url for _, url in Assets().js()]
    assert args["css_links"] == [url for _, url in Assets().css()]
    assert args["js_links"][0] == "/app/static/vendor/leaflet/leaflet.js"
    assert args["returned_objects"] == ["last_object_clicked"]  # a click; never a pan or a zoom
    page = args["script"] + args["header"] + args["html"] + args["feature_group"] + args["layer_control"]
    assert re.findall(r"https?://", page) == []
    assert "tileLayer" not in page


def test_the_years_layers_are_added_to_an_unchanged_map(store_path: Path) -> None:
    at = _run()
    before = _map_args(at)
    control = before["layer_control"].encode("ascii").decode("unicode_escape")  # folium writes \\uXXXX
    assert "行政区（示意边界）" in control and "采煤沉陷区（示例数据）" in control
    at.selectbox(key="overview_year").set_value(2013)
    _run(at)
    after = _map_args(at)
    assert after["script"] == before["script"]  # same map: streamlit-folium swaps the layers only
    assert after["feature_group"] != before["feature_group"]
    assert len(after["feature_group"]) < len(before["feature_group"])  # fewer parcels done by 2013


def test_a_past_year_shows_that_years_rate(store_path: Path) -> None:
    at = _run()
    at.selectbox(key="overview_year").set_value(2024)
    _run(at)
    assert at.caption[0].value.endswith("2024-12-31")
    assert _metric(at, "2024 年目标") == "75.2%"
    rate = float(_metric(at, "全市治理率").rstrip("%"))
    assert rate == pytest.approx(75.2, abs=0.5)


def test_a_district_head_sees_their_district_beside_the_map(store_path: Path) -> None:
    at = _run(district=JIAWANG)
    assert at.subheader[0].value == "贾汪区"
    jiawang = next(d for d in _report(store_path, at).districts if d.adcode == JIAWANG)
    assert _metric(at, "治理率") == f"{jiawang.rate_pct:,.2f}%"
    panel = at.markdown[0].value
    assert f"{jiawang.restored_ha:,.2f} / {jiawang.zone_ha:,.2f} 公顷" in panel
    assert "按此速度达到 78%：**2026**" in panel or f"**{jiawang.reaches_target_in}**" in panel
    at.button(key="overview_close").click()
    _run(at)
    assert "点击地图上的行政区" in at.info[1].value


def test_english_switch(store_path: Path) -> None:
    at = _run(lang="en")
    assert at.title[0].value.startswith("Xuzhou")
    assert list(at.table[0].value.columns[:2]) == ["District", "Zones (ha)"]
    assert at.table[0].value.iloc[-1, 0] == "City"
    assert "Legend" in _map_args(at)["feature_group"]


def test_an_online_basemap_is_drawn_only_when_chosen(store_path: Path) -> None:
    at = _run(basemap="osm")
    args = _map_args(at)
    assert "https://tile.openstreetmap.org/{z}/{x}/{y}.png" in args["script"]
    assert any("互联网" in c.value for c in at.caption)


def test_tianditu_without_a_key_says_how_to_configure_it(store_path: Path) -> None:
    at = _run(basemap="tianditu_vector")
    assert "secrets.toml" in at.warning[0].value
    assert "tianditu" not in _map_args(at)["script"]


def test_amap_moves_the_overlays_to_gcj02(store_path: Path) -> None:
    plain = _map_args(_run())
    amap = _map_args(_run(basemap="amap"))
    assert "autonavi.com" in amap["script"]
    origins = re.compile(r'xzOverlay\(map_\w+, \{"o":\[(\d+),(\d+)\]')
    for (x0, y0), (x1, y1) in zip(
        origins.findall(plain["script"]), origins.findall(amap["script"]), strict=True
    ):
        assert int(x1) - int(x0) > 200 and y1 != y0  # a few hundred metres east, in 10^-5 degrees


def test_a_write_to_the_store_shows_on_the_next_run(store_path: Path) -> None:
    at = _run()
    before = _metric(at, "全市治理率")
    store = open_store(str(store_path))
    zones = store.features("subsidence_zones")
    minx, miny, maxx, maxy = zones.geometry.iloc[0].bounds
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
    assert "新治理地块" in _map_args(at)["feature_group"]


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


def test_an_administrator_sets_the_default_basemap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "basemaps.toml"
    shutil.copy(basemaps.CONFIG_FILE, config)
    monkeypatch.setattr(basemaps, "CONFIG_FILE", config)
    at = _run(AppTest.from_string(SETTINGS, default_timeout=30))
    assert at.button(key="basemap_save").disabled  # nothing to save yet
    at.selectbox(key="basemap_default_zh").set_value("tianditu_imagery")
    _run(at)
    assert "[tianditu]" in at.warning[0].value and "无底图" in at.warning[0].value
    at.selectbox(key="basemap_default_zh").set_value("osm")
    _run(at)
    at.button(key="basemap_save").click()
    _run(at)
    assert "OpenStreetMap" in at.success[0].value
    assert basemaps.load(config).default == "osm"
