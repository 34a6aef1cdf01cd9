"""The 导出 and 指标 pages in AppTest: files built by the services, actuals entered by admins only."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from xzsdg_geo.dates import today_cst
from xzsdg_geo.store import open_store

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def store_path(sample_store_file: Path, tmp_path: Path, monkeypatch) -> Path:
    path = tmp_path / "app.gpkg"
    shutil.copy(sample_store_file, path)
    monkeypatch.setenv("XZSDG_STORE", str(path))
    return path


def _signed_in(store_path: Path, user: str, page: str) -> AppTest:
    """Signed in through the login form, then on ``page``."""
    at = AppTest.from_file(APP, default_timeout=120).run()
    username, secret = at.text_input
    username.input(user)
    secret.input("xzsdg-demo")
    _button(at, "登录").click()
    at.run()
    return at.switch_page(f"xzsdg_geo/ui/pages/{page}.py").run()


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def test_a_district_head_downloads_the_figures_as_excel(store_path):
    at = _signed_in(store_path, "head_320305", "exports")
    assert not at.exception
    _button(at, "生成文件").click()  # the first offer on the page: the figures
    at.run()
    assert not at.exception and not at.error
    made = at.session_state[f"export_rates_{today_cst().year}_xlsx"]  # the page's defaults
    book = openpyxl.load_workbook(io.BytesIO(made.data))
    assert "说明" in book.sheetnames and made.filename.endswith(".xlsx")


def test_indicators_are_listed_by_sdg_and_only_admins_may_enter(store_path):
    head = _signed_in(store_path, "head_320305", "indicators")
    assert not head.exception
    assert any(h.value.startswith("SDG") for h in head.subheader)
    assert not head.get("form")  # no entry form for a district head

    admin = _signed_in(store_path, "admin", "indicators")
    assert admin.get("form")
    admin.number_input[0].set_value(96.5)
    next(b for b in admin.button if b.label == "保存").click()
    admin.run()
    assert not admin.exception
    store = open_store(str(store_path))
    try:
        assert any(v.value == 96.5 for v in store.indicator_values())
    finally:
        store.close()
