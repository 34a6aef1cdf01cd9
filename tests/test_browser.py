"""总览 and 进度 in Debian's Chromium, signed in, with every request off this machine refused.

The app runs under ``streamlit run`` over a copy of the sample store (``tests/browser.py``); the
browser aborts any request whose host is not local, so a CDN link anywhere would leave the map blank
and be listed, and so would a tile fetched without an online basemap chosen. Screenshots go to
``test-artifacts/`` (look at them). Figures (the first map draw) are written beside them, not
asserted: ``bench/app_draw.py`` measures.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import (
    ARTIFACTS,
    DRAWN_PATH,
    MAP_FRAME,
    WAIT_MS,
    chromium,
    needs_chromium,
    offline_page,
    running_app,
    screenshot,
    settled,
    wait_for_map,
)
from playwright.sync_api import expect

from xzsdg_geo.layers import get_layer

pytestmark = needs_chromium

PASSWORD = "xzsdg-demo"
DISTRICT_STROKE = get_layer("districts").style["color"]
COMPLETED_FILL = get_layer("restoration_parcels").style["colors"]["completed"]
# A point of a district's outline that nothing is drawn over: hover shows its name, a click opens it.
FIND_OPEN_SPOT = """
paths => {
    for (const p of paths) {
        const r = p.getBoundingClientRect();
        for (let fy = 0.2; fy <= 0.8; fy += 0.05) {
            for (let fx = 0.2; fx <= 0.8; fx += 0.05) {
                const x = r.left + r.width * fx, y = r.top + r.height * fy;
                if (document.elementFromPoint(x, y) === p) { return [x, y]; }
            }
        }
    }
    return null;
}
"""


@pytest.fixture(scope="module")
def app_url(sample_store_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser")
    store = folder / "app.gpkg"
    shutil.copy(sample_store_file, store)
    with running_app(store, folder) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


@pytest.fixture
def offline(browser: object) -> Iterator[object]:
    with offline_page(browser) as page:
        yield page


def _sign_in(page: object, url: str, user: str) -> float:
    """Signs in; returns when the sign-in was sent (the page the role lands on loads from then)."""
    page.goto(url)
    page.get_by_label("用户名").fill(user)
    page.get_by_label("密码").fill(PASSWORD)
    start = time.perf_counter()
    page.get_by_role("button", name="登录").click()
    return start


def _all_drawn(page: object) -> object:
    """The map frame once every feature is drawn (a large layer is drawn in steps after the first)."""
    frame = wait_for_map(page)
    frame.locator('body[data-xz-pending="0"]').wait_for(state="attached", timeout=WAIT_MS)
    return frame


def _map_window(page: object) -> object:
    """The map frame itself, to look at (and mark) its JavaScript state."""
    return page.locator(MAP_FRAME).element_handle().content_frame()


def _record(name: str, figures: dict) -> None:
    """Figures for people (not asserted: no timed tests): test-artifacts/<name>.json."""
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"{name}.json").write_text(json.dumps(figures, indent=2))


def _choose(page: object, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_overview_draws_the_map_offline(app_url: str, offline: object) -> None:
    page = offline.page
    start = _sign_in(page, app_url, "admin")
    frame = wait_for_map(page)
    first_draw_s = time.perf_counter() - start
    frame = _all_drawn(page)
    paths = frame.locator("path.leaflet-interactive").count()
    assert paths > 2000  # districts, lakes, zones, parcels, quarries, rivers, buffer projects
    control = frame.locator(".leaflet-control-layers").text_content()  # folded into a button
    assert "行政区（示意边界）" in control and "治理修复地块（示例数据）" in control
    legend = frame.locator(".xz-legend").inner_text()
    assert "图例" in legend and "采煤沉陷区" in legend and "已完成" in legend
    settled(page)  # the rates are counted after the map is sent
    # wait_for fails the test if the element never shows; the browser may draw a table a beat
    # after the script run has finished, so an instant is_visible() would be flaky.
    page.get_by_text("示例数据：").wait_for(timeout=WAIT_MS)
    page.get_by_role("cell", name="全市", exact=True).wait_for(timeout=WAIT_MS)
    page.get_by_text("点击地图上的行政区").wait_for(timeout=WAIT_MS)
    page.wait_for_timeout(500)  # let the SVG settle for the picture
    screenshot(page, "overview")
    frame.locator(".leaflet-container").screenshot(path=ARTIFACTS / "overview-map.png")
    _record("overview", {"sign_in_to_first_map_draw_s": round(first_draw_s, 2), "svg_paths": paths})
    assert offline.refused == []
    assert offline.errors == []


def _click_on_path(page: object, frame: object, selector: str) -> None:
    """A real mouse click on the middle of an SVG path (a line's bounding-box centre is off the line)."""
    middle = frame.locator(selector).first.evaluate(
        """p => {
            const at = p.getPointAtLength(p.getTotalLength() / 2);
            const point = p.ownerSVGElement.createSVGPoint();
            point.x = at.x; point.y = at.y;
            const screen = point.matrixTransform(p.getScreenCTM());
            return [screen.x, screen.y];
        }"""
    )
    box = page.locator(MAP_FRAME).bounding_box()
    page.mouse.click(box["x"] + middle[0], box["y"] + middle[1])


def test_a_popup_shows_labelled_attributes(app_url: str, offline: object) -> None:
    page = offline.page
    _sign_in(page, app_url, "admin")
    frame = wait_for_map(page)
    accepted = get_layer("river_segments").style["colors"]["accepted"]
    _click_on_path(page, frame, f'path.leaflet-interactive[stroke="{accepted}"]')  # rivers are on top
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(timeout=WAIT_MS)
    text = popup.inner_text()
    assert "河湖名称" in text and "幸福河湖状态" in text and "已验收" in text
    page.wait_for_timeout(600)  # the popup fades in and the map pans to it
    frame.locator(".leaflet-container").screenshot(path=ARTIFACTS / "overview-popup.png")
    assert offline.refused == []


def test_clicking_a_district_opens_its_panel_in_the_same_map(app_url: str, offline: object) -> None:
    page = offline.page
    _sign_in(page, app_url, "admin")
    frame = _all_drawn(page)
    settled(page)
    window = _map_window(page)
    window.evaluate("() => { window.xzProbe = 'kept'; }")
    districts = frame.locator(f'path.leaflet-interactive[stroke="{DISTRICT_STROKE}"]')
    spot = districts.evaluate_all(FIND_OPEN_SPOT)
    assert spot is not None, "no district outline is left uncovered"
    box = page.locator(MAP_FRAME).bounding_box()
    page.mouse.move(box["x"] + spot[0], box["y"] + spot[1])
    name = frame.locator(".leaflet-tooltip").inner_text(timeout=WAIT_MS).strip()
    page.mouse.click(box["x"] + spot[0], box["y"] + spot[1])
    heading = page.get_by_role("heading", name=name, exact=True)
    heading.wait_for(timeout=WAIT_MS)
    rate = page.locator('[data-testid="stMetric"]').filter(has_text="治理率").last
    row = page.get_by_role("row").filter(has=page.get_by_role("cell", name=name, exact=True))
    assert rate.locator('[data-testid="stMetricValue"]').inner_text().strip() in row.inner_text() or (
        "无沉陷区" in row.inner_text()
    )
    assert _map_window(page).evaluate("() => window.xzProbe") == "kept"  # the map was not mounted again
    screenshot(page, "overview-district")
    assert offline.refused == []
    assert offline.errors == []


def test_a_new_year_swaps_the_layers_in_the_same_map(app_url: str, offline: object) -> None:
    page = offline.page
    _sign_in(page, app_url, "admin")
    frame = _all_drawn(page)
    settled(page)
    # the year is real-world time: every parcel known now is drawn, coloured by its status then
    done = f'path.leaflet-interactive[fill="{COMPLETED_FILL}"]'
    before = frame.locator(done).count()
    _map_window(page).evaluate("() => { window.xzProbe = 'kept'; }")
    _choose(page, "年份", "2013")
    page.get_by_text("数据截至 2013-12-31").wait_for(timeout=WAIT_MS)
    settled(page)
    expect(frame.locator(done)).not_to_have_count(before, timeout=WAIT_MS)
    frame = _all_drawn(page)
    assert 0 < frame.locator(done).count() < before  # fewer parcels done by 2013
    assert frame.locator(".xz-legend").count() == 1  # the old year's legend went with its layers
    expect(page.locator(MAP_FRAME)).to_have_count(1)
    assert _map_window(page).evaluate("() => window.xzProbe") == "kept"
    assert offline.refused == []
    assert offline.errors == []


def test_tiles_are_fetched_only_once_an_online_basemap_is_chosen(app_url: str, offline: object) -> None:
    page = offline.page
    _sign_in(page, app_url, "admin")
    wait_for_map(page)
    settled(page)
    assert offline.refused == []
    _choose(page, "底图", "OpenStreetMap")
    page.get_by_text("底图瓦片从互联网加载").wait_for(timeout=WAIT_MS)
    settled(page)
    expect(page.locator(MAP_FRAME)).to_have_count(1, timeout=WAIT_MS)  # a new map: its script changed
    frame = _all_drawn(page)
    frame.locator(".leaflet-tile").first.wait_for(state="attached", timeout=WAIT_MS)
    page.wait_for_timeout(500)
    assert offline.refused and all("tile.openstreetmap.org" in url for url in offline.refused)
    assert frame.locator(DRAWN_PATH).count() > 2000  # the overlays draw without their tiles


def test_english_switch_redraws_the_map(app_url: str, offline: object) -> None:
    page = offline.page
    _sign_in(page, app_url, "admin")
    wait_for_map(page)
    page.get_by_text("English", exact=True).click()
    page.get_by_text("Coal-subsidence restoration monitoring").first.wait_for(timeout=WAIT_MS)
    # the rerun mounts a new map frame; the old one stays until the run ends
    page.frame_locator(MAP_FRAME).last.get_by_text("Legend").wait_for(timeout=WAIT_MS)
    expect(page.locator(MAP_FRAME)).to_have_count(1, timeout=WAIT_MS)
    frame = wait_for_map(page)
    assert (
        "Districts and counties (approximate boundaries)"
        in frame.locator(".leaflet-control-layers").text_content()  # the layer list is folded into a button
    )
    # the choice follows the language (a select box keeps the text it was given otherwise)
    expect(page.get_by_role("combobox", name="Basemap")).to_have_value("None (districts and lakes)")
    screenshot(page, "overview-en")
    assert offline.refused == []
    assert offline.errors == []


def test_a_district_head_lands_on_their_progress(app_url: str, browser: object) -> None:
    with offline_page(browser, height=4400) as offline:
        page = offline.page
        _sign_in(page, app_url, "head_320305")
        page.get_by_role("heading", name="治理进度").wait_for(timeout=WAIT_MS)
        metric = page.locator('[data-testid="stMetric"]').filter(has_text="贾汪区治理率")
        metric.wait_for(timeout=WAIT_MS)
        page.get_by_role("heading", name="其他生态修复目标").wait_for(timeout=WAIT_MS)
        settled(page)
        charts = page.locator('[data-testid="stVegaLiteChart"]')
        expect(charts).to_have_count(2)
        for chart in charts.all():
            chart.locator("canvas, svg").first.wait_for(timeout=WAIT_MS)
        screenshot(page, "progress-head")
        page.get_by_role("tab", name="河湖段").click()
        page.get_by_text("已建成幸福河湖").wait_for(timeout=WAIT_MS)
        screenshot(page, "progress-rivers")
        page.get_by_role("tab", name="生态安全缓冲区").click()
        page.get_by_text("已完工项目", exact=True).wait_for(timeout=WAIT_MS)  # in 贾汪区
        screenshot(page, "progress-buffers")
        assert offline.refused == []
        assert offline.errors == []
