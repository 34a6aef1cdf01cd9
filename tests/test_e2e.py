"""The whole workflow in Debian's Chromium, with every request off this machine refused.

A district head reads 贾汪区's rate on 进度; a field team uploads a zipped shapefile (GBK
attributes), sees the report and its map, submits; a reviewer sees what approval would do to the
rate, approves; the district head reads the new rate, the one the reviewer was shown. Screenshots
of each step go to ``test-artifacts/e2e-*.png`` (look at them).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import (
    WAIT_MS,
    chromium,
    needs_chromium,
    offline_page,
    running_app,
    screenshot,
    settled,
    wait_for_map,
)
from corpus import geojson
from field_files import JIAWANG, completed_parcels, parcels_zip
from playwright.sync_api import expect

from xzsdg_geo.preview_map import upload_map
from xzsdg_geo.store import open_store
from xzsdg_geo.validation import validate_upload

pytestmark = needs_chromium

PASSWORD = "xzsdg-demo"
HEAD = f"head_{JIAWANG}"
EFFECT = re.compile(r"通过后 贾汪区 \d{4} 年治理率由 ([\d.,]+)% 变为 ([\d.,]+)%")


@pytest.fixture(scope="module")
def store(sample_store_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("e2e") / "app.gpkg"
    shutil.copy(sample_store_file, path)
    return path


@pytest.fixture(scope="module")
def app_url(store: Path) -> Iterator[str]:
    with running_app(store, store.parent) as url:
        yield url


def _sign_in(page: object, user: str) -> None:
    page.get_by_label("用户名").fill(user)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("button", name="退出登录").wait_for(timeout=WAIT_MS)


def _sign_out(page: object) -> None:
    page.get_by_role("button", name="退出登录").click()
    page.get_by_label("用户名").wait_for(timeout=WAIT_MS)


def _go(page: object, title: str) -> None:
    """Open a page from the sidebar menu and wait for its run to finish."""
    page.get_by_role("link", name=title, exact=True).click()
    page.get_by_role("heading", name=title).wait_for(timeout=WAIT_MS)
    settled(page)


def _district_rate(page: object) -> object:
    """The rate 进度 shows for the district head's own district (the page they land on)."""
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="贾汪区治理率")
    value = metric.locator('[data-testid="stMetricValue"]')
    value.wait_for(timeout=WAIT_MS)
    return value


def _preview_paths(store_path: Path, upload: bytes) -> int:
    """How many shapes the upload preview draws, by the same functions the page calls."""
    store = open_store(str(store_path))
    try:
        report = validate_upload(upload, "parcels.zip", "restoration_parcels", store=store)
        layers = [store.features(n) for n in ("districts", "subsidence_zones", "restoration_parcels")]
        preview = upload_map(report, "zh", *layers)
    finally:
        store.close()
    assert {layer.name for layer in preview.layers} >= {"districts", "conflicts", "upload"}
    return sum(len(cls.features) for layer in preview.layers for cls in layer.classes)


def test_upload_review_and_the_district_rate_moves(app_url: str, store: Path) -> None:
    upload = parcels_zip(store)
    with chromium() as browser, offline_page(browser) as offline:
        page = offline.page
        page.goto(app_url)
        page.get_by_label("用户名").wait_for(timeout=WAIT_MS)
        screenshot(page, "e2e-0-login")
        _sign_in(page, HEAD)
        before = _district_rate(page).inner_text().strip()
        screenshot(page, "e2e-1-progress-before")
        _sign_out(page)

        _sign_in(page, "field_team")
        page.get_by_role("heading", name="上传").wait_for(timeout=WAIT_MS)
        files = [{"name": "parcels.zip", "mimeType": "application/zip", "buffer": upload}]
        page.locator('input[type="file"]').set_input_files(files)
        page.get_by_role("button", name="检查文件").click()
        page.get_by_text("结论：可以提交").wait_for(timeout=WAIT_MS)
        frame = wait_for_map(page)
        # two parcels over ten districts, the zones near them and the approved versions they overlap
        assert frame.locator("path.leaflet-interactive").count() == _preview_paths(store, upload)
        assert "上传的治理修复地块" in frame.locator(".xz-legend").inner_text()
        page.wait_for_timeout(500)  # let the SVG settle for the picture
        screenshot(page, "e2e-2-upload-report")
        page.get_by_role("button", name="提交审核").click()
        page.get_by_text("已提交，编号 1（2 个要素，0 条提示），等待审核").wait_for(timeout=WAIT_MS)
        screenshot(page, "e2e-3-submitted")
        _sign_out(page)

        _sign_in(page, "reviewer")
        effect = EFFECT.search(page.get_by_text(EFFECT).inner_text(timeout=WAIT_MS))
        frame = wait_for_map(page)
        assert "提交 1 的要素" in frame.locator(".leaflet-control-layers").text_content()
        page.wait_for_timeout(500)
        screenshot(page, "e2e-4-review")
        page.get_by_text("通过", exact=True).click()  # the decision has no default
        page.get_by_role("button", name="提交审核结论").click()
        page.get_by_text("提交 1 已处理：已通过").wait_for(timeout=WAIT_MS)
        _sign_out(page)

        _sign_in(page, HEAD)
        expect(_district_rate(page)).to_have_text(f"{effect[2]}%", timeout=WAIT_MS)
        after = _district_rate(page).inner_text().strip()
        screenshot(page, "e2e-5-progress-after")
    assert before == f"{effect[1]}%" and after == f"{effect[2]}%"
    assert after != before
    assert offline.refused == []
    assert offline.errors == []


def test_a_refused_file_and_the_history_and_settings_pages_draw_offline(app_url: str, store: Path) -> None:
    """Problems are pinned on the map by their number; history's chart and settings draw offline."""
    parcels = completed_parcels(store, n=2)
    parcels.loc[0, ["编号", "状态", "名称"]] = ["XF-NEW-0001", "计划", "<b>新</b>地块"]  # overlaps: a warning
    parcels.loc[1, "状态"] = "差不多了"  # not a status: a blocker
    with chromium() as browser, offline_page(browser) as offline:
        page = offline.page
        page.goto(app_url)
        _sign_in(page, "field_team")
        files = [{"name": "parcels.geojson", "mimeType": "application/geo+json", "buffer": geojson(parcels)}]
        page.locator('input[type="file"]').set_input_files(files)
        page.get_by_role("button", name="检查文件").click()
        page.get_by_text("结论：不能提交，请修正上述错误后重新上传").wait_for(timeout=WAIT_MS)
        frame = wait_for_map(page)
        pins = frame.locator(".xz-pin")
        assert sorted(pins.all_inner_texts()) == ["1", "2"]  # numbered as in the report table
        legend = frame.locator(".xz-legend").inner_text()
        assert "须修正" in legend and "有提示" in legend
        page.wait_for_timeout(500)
        screenshot(page, "e2e-6-upload-refused")
        _sign_out(page)

        _sign_in(page, "admin")
        _go(page, "历史")
        page.get_by_role("button", name="下载审计日志（CSV）").wait_for(timeout=WAIT_MS)
        page.get_by_text("行政区治理率").click()
        page.locator('[data-testid="stVegaLiteChart"]').wait_for(timeout=WAIT_MS)
        settled(page)
        screenshot(page, "e2e-7-history-district")
        _go(page, "设置")
        page.get_by_role("button", name="创建用户").wait_for(timeout=WAIT_MS)
        screenshot(page, "e2e-8-settings")
    assert offline.refused == []
    assert offline.errors == []
