"""End to end in Debian's Chromium: the app draws its map with every request off this machine refused.

The app is started with ``streamlit run`` on a free port over a copy of the sample store; the
browser aborts any request whose host is not local, so a CDN link anywhere would leave the map
blank and be listed. Screenshots go to ``test-artifacts/`` (look at them).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect, sync_playwright

from xzsdg_geo.layers import get_layer
from xzsdg_geo.paths import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
ARTIFACTS = ROOT / "test-artifacts"
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
START_TIMEOUT_S = 90
WAIT_MS = 60_000

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"streamlit did not answer within {START_TIMEOUT_S} s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def app_url(sample_store_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser")
    store = folder / "app.gpkg"
    shutil.copy(sample_store_file, store)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = folder / "streamlit.log"
    env = {**os.environ, "XZSDG_STORE": str(store), "XZSDG_LANG": "zh"}
    command = [sys.executable, "-m", "streamlit", "run", "app.py",
               "--server.port", str(port), "--server.address", "127.0.0.1"]  # fmt: skip
    with log.open("w") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_healthy(url, proc, log)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class OfflinePage:
    """A page whose requests to anything but this machine are aborted and recorded."""

    page: object
    refused: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def route(self, route: object) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlparse(url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.refused.append(url)
            route.abort()


@pytest.fixture
def offline(browser: object) -> Iterator[OfflinePage]:
    context = browser.new_context(viewport={"width": 1440, "height": 1800}, locale="zh-CN")
    page = OfflinePage(context.new_page())
    page.page.route("**/*", page.route)
    page.page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    yield page
    context.close()


def _wait_for_map(page: object) -> object:
    frame = page.frame_locator(MAP_FRAME)
    frame.locator(".leaflet-container").wait_for(timeout=WAIT_MS)
    frame.locator("path.leaflet-interactive").first.wait_for(timeout=WAIT_MS)
    return frame


def _record(name: str, figures: dict) -> None:
    """Figures for people (not asserted: no timed tests): test-artifacts/<name>.json."""
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"{name}.json").write_text(json.dumps(figures, indent=2))
    print(name, figures)


def test_overview_draws_the_map_offline(app_url: str, offline: OfflinePage) -> None:
    page = offline.page
    start = time.perf_counter()
    page.goto(app_url)
    frame = _wait_for_map(page)
    first_draw_s = time.perf_counter() - start
    paths = frame.locator("path.leaflet-interactive").count()
    assert paths > 2000  # districts, lakes, zones, parcels, quarries, rivers, buffer projects
    assert "行政区（示意边界）" in frame.locator(".leaflet-control-layers").inner_text()
    legend = frame.locator(".xz-legend").inner_text()
    assert "图例" in legend and "采煤沉陷区" in legend and "已完成" in legend
    assert page.get_by_text("示例数据：").is_visible()
    assert page.get_by_role("cell", name="全市", exact=True).is_visible()
    page.wait_for_timeout(500)  # let the SVG settle for the picture
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "overview.png")
    frame.locator(".leaflet-container").screenshot(path=ARTIFACTS / "overview-map.png")
    _record("overview", {"first_map_draw_s": round(first_draw_s, 2), "svg_paths": paths})
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


def test_a_popup_shows_labelled_attributes(app_url: str, offline: OfflinePage) -> None:
    page = offline.page
    page.goto(app_url)
    frame = _wait_for_map(page)
    accepted = get_layer("river_segments").style["colors"]["accepted"]
    _click_on_path(page, frame, f'path.leaflet-interactive[stroke="{accepted}"]')  # rivers are on top
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(timeout=WAIT_MS)
    text = popup.inner_text()
    assert "河湖名称" in text and "幸福河湖状态" in text and "已验收" in text
    page.wait_for_timeout(600)  # the popup fades in and the map pans to it
    frame.locator(".leaflet-container").screenshot(path=ARTIFACTS / "overview-popup.png")
    assert offline.refused == []


def test_english_switch_redraws_the_map(app_url: str, offline: OfflinePage) -> None:
    page = offline.page
    page.goto(app_url)
    _wait_for_map(page)
    page.get_by_text("English", exact=True).click()
    page.get_by_text("Coal-subsidence restoration monitoring").first.wait_for(timeout=WAIT_MS)
    # the rerun mounts a new map frame; the old one stays until the run ends
    page.frame_locator(MAP_FRAME).last.get_by_text("Legend").wait_for(timeout=WAIT_MS)
    expect(page.locator(MAP_FRAME)).to_have_count(1, timeout=WAIT_MS)
    frame = _wait_for_map(page)
    assert (
        "Districts and counties (approximate boundaries)"
        in frame.locator(".leaflet-control-layers").inner_text()
    )
    page.screenshot(path=ARTIFACTS / "overview-en.png")
    assert offline.refused == []
    assert offline.errors == []
