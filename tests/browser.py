"""Browser tests' plumbing: the app under ``streamlit run`` and Debian's Chromium with no way out.

The app runs on a free local port over a store the test names; the browser aborts (and records)
every request whose host is not this machine, so a CDN link anywhere would show as a blank map
and a listed URL. Chromium is the distribution's (``apt-get install chromium``), never one
downloaded by ``playwright install``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest
from system import require_chromium

from xzsdg_geo.paths import ROOT

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
ARTIFACTS = ROOT / "test-artifacts"
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
# A feature Leaflet has drawn; one outside the view is kept as an empty "M0 0" path.
DRAWN_PATH = 'path.leaflet-interactive:not([d="M0 0"])'
START_TIMEOUT_S = 90
WAIT_MS = 60_000

# Skips with the install command when Chromium or the CJK font is missing (fails under CI=true).
needs_chromium = pytest.mark.usefixtures("chromium_available")


def free_port() -> int:
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


@contextmanager
def running_app(store: Path, folder: Path) -> Iterator[str]:
    """``streamlit run app.py`` over ``store``; yields its URL, stops it afterwards (log in ``folder``).
    Only browser tests start it: without Chromium they skip before the server is started."""
    require_chromium()
    port = free_port()
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


@contextmanager
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(require_chromium()), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


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


@contextmanager
def offline_page(browser: object, width: int = 1440, height: int = 1800) -> Iterator[OfflinePage]:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = OfflinePage(context.new_page())
    page.page.route("**/*", page.route)
    page.page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    try:
        yield page
    finally:
        context.close()


def wait_for_map(page: object) -> object:
    """The streamlit-folium frame once Leaflet has drawn at least one feature in view."""
    frame = page.frame_locator(MAP_FRAME)
    frame.locator(".leaflet-container").wait_for(timeout=WAIT_MS)
    frame.locator(DRAWN_PATH).first.wait_for(timeout=WAIT_MS)
    return frame


def settled(page: object) -> None:
    """Wait until the app's script run has finished (stale elements gone, every element drawn)."""
    page.wait_for_function(
        "() => document.querySelector('[data-testid=stApp]')"
        "?.getAttribute('data-test-script-state') === 'notRunning'",
        timeout=WAIT_MS,
    )


def screenshot(page: object, name: str) -> Path:
    """A full-page picture in ``test-artifacts/`` once the run has finished."""
    settled(page)
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    return path


PASSWORD = "xzsdg-demo"  # the sample store's demo accounts


def sign_in(page: object, url: str, user: str, password: str = PASSWORD) -> None:
    """Signs in on the login page at ``url`` (the role's landing page loads afterwards)."""
    page.goto(url)
    page.get_by_label("用户名").fill(user)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def map_window(page: object) -> object:
    """The map frame itself, to read (and drive) its JavaScript state."""
    return page.locator(MAP_FRAME).element_handle().content_frame()


def screen_point(page: object, lon: float, lat: float) -> tuple[float, float]:
    """Where (lon, lat) is on the page now: the map's container point plus the frame's offset."""
    x, y = map_window(page).evaluate("([lat, lon]) => { const p = xzMap.latLngToContainerPoint([lat, lon]);"
                                     " return [p.x, p.y]; }", [lat, lon])  # fmt: skip
    box = page.locator(MAP_FRAME).bounding_box()
    return box["x"] + x, box["y"] + y


def map_bounds(page: object) -> tuple[float, float, float, float]:
    """The map's view as west, south, east, north."""
    return tuple(map_window(page).evaluate("() => xzMap.getBounds().toBBoxString().split(',').map(Number)"))


def wait_idle(page: object, ms: int = 700) -> None:
    """Let a zoom animation and the redraw after it finish."""
    map_window(page).wait_for_function("() => !xzMap._animatingZoom && !xzMap._panAnim?._inProgress")
    page.wait_for_timeout(ms)
