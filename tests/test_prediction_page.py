"""The 预测 page through AppTest on a copy of the sample store: the basin, the rate effect, 稳沉."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from xzsdg_geo.paths import ROOT

APP = str(ROOT / "app.py")


def _signed_in(user: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    name, secret = at.text_input
    name.input(user)
    secret.input("xzsdg-demo")
    next(b for b in at.button if b.label == "登录").click()
    at.run()
    at.switch_page("xzsdg_geo/ui/pages/prediction.py").run()
    assert not at.exception, at.exception
    return at


def test_prediction_page_shows_the_rate_effect_and_stability(store_path: Path):
    at = _signed_in("head_320322")
    assert at.title[0].value == "预测"
    assert [m.label for m in at.metric] == ["最大下沉", "预测沉陷区（公顷）", "其中新增（公顷）"]
    warnings = [w.value for w in at.warning]
    assert any(w.startswith("沛县：预计新增沉陷") and "2027 年治理率将由" in w for w in warnings)
    tables = [tb.value for tb in at.table]
    effects = next(df for df in tables if "计入新增后" in df.columns)
    assert "沛县" in set(effects["区县"])
    stability = next(df for df in tables if "判定" in df.columns)
    assert {"稳沉", "仍在下沉"} <= set(stability["判定"])


def test_the_slider_moves_through_time(store_path: Path):
    at = _signed_in("reviewer")
    before = at.metric[1].value
    at.select_slider[0].set_value(2030).run()
    assert not at.exception
    assert at.metric[1].value != before  # planned faces extracted by 2030 widen the predicted zones
