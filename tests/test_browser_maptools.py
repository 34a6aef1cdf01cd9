"""The map's tools in Debian's Chromium (tests/browser.py: every outside request aborted and
counted): zoom to a district, search a parcel, measure its area, the coordinate readout, the printed
map from the overview's button; screenshots at desk (1600 px) and phone (390 px) width."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import shapely
from browser import (
    ARTIFACTS,
    WAIT_MS,
    chromium,
    map_bounds,
    map_window,
    needs_chromium,
    offline_page,
    running_app,
    screen_point,
    screenshot,
    settled,
    sign_in,
    wait_for_map,
    wait_idle,
)
from pyproj import Transformer

from xzsdg_geo.geo import GEOD
from xzsdg_geo.mapping import map_settings
from xzsdg_geo.store import open_store

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def store_copy(sample_store_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("maptools")
    store = folder / "app.gpkg"
    shutil.copy(sample_store_file, store)
    return store


@pytest.fixture(scope="module")
def app_url(store_copy: Path) -> Iterator[str]:
    with running_app(store_copy, store_copy.parent) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def parcel(store_copy: Path) -> dict:
    """A simple completed parcel of the sample (one ring, few vertices): ID, name, ring, geodesic area."""
    store = open_store(str(store_copy))
    try:
        frame = store.features("restoration_parcels")
    finally:
        store.close()
    geoms = frame.geometry.to_numpy()
    simple = (shapely.get_num_geometries(geoms) == 1) & (shapely.get_num_coordinates(geoms) <= 10)
    chosen = frame[simple].assign(area=[abs(GEOD.geometry_area_perimeter(g)[0]) for g in geoms[simple]])
    row = chosen.sort_values("area").iloc[len(chosen) // 2]
    polygon = row.geometry.geoms[0]
    return {"id": row["parcel_id"], "name": row["name"], "ring": list(polygon.exterior.coords)[:-1],
            "area_m2": float(row["area"]), "bounds": polygon.bounds}  # fmt: skip


def _overview(browser: object, url: str, width: int, height: int = 1400) -> Iterator[object]:
    with offline_page(browser, width=width, height=height) as page:
        sign_in(page.page, url, "admin")
        wait_for_map(page.page)
        map_window(page.page).wait_for_function("() => document.body.getAttribute('data-xz-pending') === '0'",
                                                timeout=WAIT_MS)  # fmt: skip
        yield page


@pytest.fixture
def desk(browser: object, app_url: str) -> Iterator[object]:
    yield from _overview(browser, app_url, 1600)


def test_zoom_to_a_district_from_the_select(desk: object, store_copy: Path) -> None:
    page = desk.page
    frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
    before = map_bounds(page)
    frame.locator(".xz-district-select").select_option(label="贾汪区")
    wait_idle(page)
    west, south, east, north = map_bounds(page)
    store = open_store(str(store_copy))
    try:
        districts = store.features("districts")
    finally:
        store.close()
    dw, ds, de, dn = districts[districts["name"] == "贾汪区"].total_bounds
    assert west <= dw and south <= ds and east >= de and north >= dn  # the whole district in view
    assert (east - west) < 2.5 * (de - dw) or (north - south) < 2.5 * (dn - ds)  # and not much more
    assert (east - west) < (before[2] - before[0]) / 2  # zoomed in from the city view
    assert desk.refused == []


def test_search_finds_and_highlights_a_parcel(desk: object, parcel: dict) -> None:
    page = desk.page
    frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
    box = frame.locator(".xz-search-input")
    box.fill(parcel["id"])
    frame.locator(".xz-search-list li").first.wait_for(timeout=WAIT_MS)
    assert parcel["id"] in frame.locator(".xz-search-list").inner_text()
    box.press("Enter")
    frame.locator('body[data-xz-highlight="1"]').wait_for(state="attached", timeout=WAIT_MS)
    wait_idle(page)
    assert map_window(page).evaluate("() => window.xzFound")[0] == parcel["id"]
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(timeout=WAIT_MS)
    assert parcel["id"] in popup.inner_text() and parcel["name"] in popup.inner_text()
    west, south, east, north = map_bounds(page)
    pw, ps, pe, pn = parcel["bounds"]
    assert west <= pw and east >= pe and south <= ps and north >= pn
    assert (east - west) < 0.1  # zoomed to the parcel, not the city (degrees)
    assert frame.locator(".leaflet-tooltip:visible").count() == 0  # popup and tooltip never overlap
    frame.locator(".leaflet-container").screenshot(path=ARTIFACTS / "maptools-search.png")
    # a name finds it too
    box.fill(parcel["name"])
    assert parcel["name"] in frame.locator(".xz-search-list").inner_text()
    assert desk.refused == []


def test_the_measured_area_of_a_parcel_is_its_geodesic_area(desk: object, parcel: dict) -> None:
    page = desk.page
    frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
    frame.locator(".xz-legend-head").click()  # fold the legend away from the vertices
    w, s, e, n = parcel["bounds"]
    map_window(page).evaluate("b => xzMap.fitBounds([[b[1], b[0]], [b[3], b[2]]], "
                              "{paddingTopLeft: [260, 40], paddingBottomRight: [60, 60], maxZoom: 21})",
                              [w, s, e, n])  # fmt: skip
    wait_idle(page)
    frame.locator(".xz-measure .xz-button").first.click()
    page.wait_for_timeout(500)
    for lon, lat in parcel["ring"]:
        x, y = screen_point(page, lon, lat)
        page.mouse.click(x, y)
        page.wait_for_timeout(350)  # not a double click
    measured = map_window(page).evaluate("() => window.xzMeasured")
    assert measured["vertices"] == len(parcel["ring"])
    assert measured["area_m2"] == pytest.approx(parcel["area_m2"], rel=0.005)
    text = frame.locator(".xz-measure-out").inner_text()
    assert "面积" in text and "ha" in text
    frame.locator(".leaflet-container").screenshot(path=ARTIFACTS / "maptools-measure.png")
    assert desk.refused == []


def test_the_readout_gives_cgcs2000_gauss_kruger_metres(desk: object) -> None:
    page = desk.page
    window = map_window(page)
    zones = {z.zone: z for z in map_settings().gk_zones}
    for lon, lat, zone in ((117.18, 34.26, 39), (118.35, 34.37, 39), (118.7, 34.3, 40)):
        got = window.evaluate("([lon, lat]) => xzGK(lon, lat)", [lon, lat])
        assert got["zone"] == zone
        east, north = Transformer.from_crs("EPSG:4490", zones[zone].proj, always_xy=True).transform(lon, lat)
        assert got["easting"] == pytest.approx(east, abs=0.01) and got["northing"] == pytest.approx(
            north, abs=0.01
        )
    x, y = screen_point(page, 117.3, 34.3)
    page.mouse.move(x, y)
    text = page.frame_locator('iframe[title="streamlit_folium.st_folium"]').locator(".xz-coords").inner_text()
    assert "39 带" in text and "°E" in text


def test_attribution_has_no_flag_and_the_review_line(desk: object) -> None:
    frame = desk.page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
    attribution = frame.locator(".leaflet-control-attribution")
    assert attribution.locator("svg").count() == 0
    text = attribution.inner_text()
    assert text.startswith("Leaflet") and map_settings().review_line("zh") in text
    assert frame.locator(".xz-north").count() == 1 and frame.locator(".leaflet-control-scale").count() == 1
    assert desk.errors == []


def test_the_print_button_downloads_a_pdf_of_the_view(desk: object, tmp_path: Path) -> None:
    page = desk.page
    page.get_by_text("打印 / 导出地图").first.click()
    settled(page)
    page.get_by_role("button", name="生成地图").click()
    button = page.get_by_role("button", name="下载")
    button.wait_for(timeout=WAIT_MS)
    with page.expect_download(timeout=WAIT_MS) as download:
        button.click()
    path = tmp_path / "map.pdf"
    download.value.save_as(path)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for word in ("图例", "N", "示例数据", "示意边界", map_settings().review_line("zh"), "公里"):
        assert word in text, word
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(path), str(ARTIFACTS / "maptools-print")], check=True)
    assert desk.refused == []


@pytest.mark.parametrize("width", [1600, 390])
def test_screenshots_desk_and_phone(browser: object, app_url: str, width: int) -> None:
    for page in _overview(browser, app_url, width, 900 if width < 600 else 1100):
        frame = page.page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
        legend = frame.locator(".xz-legend")
        collapsed = "xz-collapsed" in (legend.get_attribute("class") or "")
        assert collapsed == (width < 600)  # folded on a phone, open at a desk
        assert frame.locator(".leaflet-control-layers-expanded").count() == 0  # the layer list is a button
        box = page.page.locator('iframe[title="streamlit_folium.st_folium"]').bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1  # the map fits the screen
        screenshot(page.page, f"maptools-overview-{width}")
        frame.locator(".leaflet-container").screenshot(path=ARTIFACTS / f"maptools-map-{width}.png")
        assert page.refused == []


def test_the_remote_sensing_page_draws_contradicted_parcels_offline(browser: object, app_url: str) -> None:
    from xzsdg_geo.verify_map import VERDICT_COLORS

    with offline_page(browser, width=1600, height=1400) as page:
        sign_in(page.page, app_url, "admin")
        page.page.get_by_role("link", name="遥感核查").click()
        frame = wait_for_map(page.page)
        red = frame.locator(f'path.leaflet-interactive[fill="{VERDICT_COLORS["contradicted"]}"]')
        red.first.wait_for(state="attached", timeout=WAIT_MS)
        assert red.count() >= 5
        assert frame.locator("img.leaflet-image-layer").count() == 1  # the NDVI picture
        page.page.get_by_text("与影像不符的地块").wait_for(timeout=WAIT_MS)
        screenshot(page.page, "maptools-verify-1600")
        assert page.refused == []
