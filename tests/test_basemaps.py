"""Basemaps by configuration: none by default, keys from secrets, GCJ-02 overlays with AMap."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from shapely.geometry import Point

from xzsdg_geo import basemaps
from xzsdg_geo.errors import UserError
from xzsdg_geo.gcj02 import wgs84_to_gcj02
from xzsdg_geo.i18n import LANGS, t
from xzsdg_geo.layers import get_layer
from xzsdg_geo.mapping import DECIMALS, build_map, build_view, ground_point, layer_data, map_layers
from xzsdg_geo.paths import CONFIG_DIR

TIANDITU_KEY = "0123456789abcdef0123456789abcdef"
KEYS = {"tianditu": {"key": TIANDITU_KEY}}
# 云龙湖 beside 泉山区: a pit on the shore, WGS84, and the GCJ-02 position AMap draws it at.
SHORE = (117.15, 34.24)
URL = re.compile(r"https?://[^\s\"'<>()\\]+")


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "basemaps.toml"
    shutil.copy(CONFIG_DIR / "basemaps.toml", path)
    return path


def _quarry_at(lon: float, lat: float) -> object:
    """A quarry layer holding one pit drawn as a point (no outline surveyed yet)."""
    import geopandas as gpd

    frame = gpd.GeoDataFrame(
        {"quarry_id": ["DK-X"], "name": ["岸边宕口"], "hazard_type": ["collapse"], "status": ["untreated"],
         "source": ["upload:test"]},
        geometry=[Point(lon, lat)],
        crs="EPSG:4490",
    )  # fmt: skip
    for f in get_layer("quarries").fields:
        if f.name not in frame:
            frame[f.name] = None
    return frame


def test_the_shipped_default_fetches_nothing() -> None:
    config = basemaps.load()
    assert config.default == basemaps.NONE
    none = config.get(None)
    assert not none.online and none.resolve({}) is None
    assert set(config.basemaps) == {"none", "tianditu_vector", "tianditu_imagery", "osm", "amap"}


def test_every_basemap_is_named_in_both_languages() -> None:
    for basemap in basemaps.load().basemaps.values():
        for lang in LANGS:
            assert basemap.title(lang) != f"basemap.{basemap.name}"


def test_tianditu_needs_its_key_from_secrets() -> None:
    vector = basemaps.load().get("tianditu_vector")
    assert not vector.available({})
    with pytest.raises(UserError) as refused:
        vector.resolve({"tianditu": {"key": "  "}})
    assert ".streamlit/secrets.toml" in refused.value.message("zh") and "[tianditu]" in refused.value.message(
        "zh"
    )
    tiles = vector.resolve(KEYS)
    assert len(tiles.urls) == 2  # the map and its labels
    assert all(f"tk={TIANDITU_KEY}" in url and "{key}" not in url for url in tiles.urls)
    assert "vec_w" in tiles.urls[0] and "cva_w" in tiles.urls[1]
    assert not tiles.gcj02


def test_imagery_has_labels_too() -> None:
    tiles = basemaps.load().get("tianditu_imagery").resolve(KEYS)
    assert ["img_w" in tiles.urls[0], "cia_w" in tiles.urls[1]] == [True, True]


def test_a_key_is_put_in_the_url_quoted() -> None:
    tiles = basemaps.load().get("tianditu_vector").resolve({"tianditu": {"key": "a&b=c"}})
    assert "tk=a%26b%3Dc" in tiles.urls[0]


def test_a_default_that_needs_a_missing_key_falls_back_to_none(config_file: Path) -> None:
    basemaps.save_default("tianditu_imagery", config_file)
    config = basemaps.load(config_file)
    assert config.default == "tianditu_imagery"
    assert config.default_for({}).name == basemaps.NONE
    assert config.default_for(KEYS).name == "tianditu_imagery"


def test_saving_the_default_keeps_the_file_as_written(config_file: Path) -> None:
    before = config_file.read_text(encoding="utf-8")
    basemaps.save_default("osm", config_file)
    after = config_file.read_text(encoding="utf-8")
    assert basemaps.load(config_file).default == "osm"
    assert after == before.replace('default = "none"', 'default = "osm"')
    with pytest.raises(UserError) as refused:
        basemaps.save_default("google", config_file)
    assert "google" in refused.value.message("zh")
    assert config_file.read_text(encoding="utf-8") == after
    assert list(config_file.parent.iterdir()) == [config_file]  # no temporary file left behind


def test_a_bad_configuration_is_refused(config_file: Path) -> None:
    text = config_file.read_text(encoding="utf-8")
    config_file.write_text(text.replace('coords = "gcj02"', 'coords = "bd09"'), encoding="utf-8")
    with pytest.raises(ValueError, match="coords"):
        basemaps.load(config_file)
    config_file.write_text(text.replace('default = "none"', 'default = "bing"'), encoding="utf-8")
    with pytest.raises(ValueError, match="bing"):
        basemaps.load(config_file)


def test_the_default_map_has_no_tiles_and_an_online_one_has(sample_store_file: Path) -> None:
    layers = [layer_data(get_layer("quarries"), _quarry_at(*SHORE))]
    plain = build_map(layers).get_root().render()
    assert URL.findall(plain) == []
    osm = build_map(layers, tiles=basemaps.load().get("osm").resolve({})).get_root().render()
    assert "https://tile.openstreetmap.org/{z}/{x}/{y}.png" in osm
    assert "OpenStreetMap contributors" in osm  # the attribution the tiles require


def _sent_point(html: str) -> tuple[float, float]:
    """The one point of the map's overlay payload, decoded as the browser does."""
    payload = json.loads(re.search(r'xzOverlay\(map_\w+, (\{"o":.*?\}), \{', html).group(1))
    (geometry,) = payload["g"]
    assert geometry[0] == 1  # a Point
    x, y = np.array(payload["o"]) + np.array(geometry[1])
    return x / 10**DECIMALS, y / 10**DECIMALS


def test_with_amap_a_known_point_lands_at_its_gcj02_position() -> None:
    amap = basemaps.load().get("amap").resolve({})
    assert amap.gcj02
    shifted = [layer_data(get_layer("quarries"), _quarry_at(*SHORE), gcj02=True)]
    html = build_map(shifted, tiles=amap).get_root().render()
    assert "autonavi.com" in html
    glon, glat = wgs84_to_gcj02(*SHORE)
    assert _sent_point(html) == (round(float(glon), DECIMALS), round(float(glat), DECIMALS))
    # hundreds of metres off the WGS84 position, as GCJ-02 is around Xuzhou
    assert 0.002 < abs(float(glon) - SHORE[0]) < 0.01
    plain = build_map([layer_data(get_layer("quarries"), _quarry_at(*SHORE))]).get_root().render()
    assert _sent_point(plain) == SHORE


def test_every_layer_moves_with_amap(sample_store_file: Path) -> None:
    from xzsdg_geo.store import open_store

    store = open_store(str(sample_store_file))
    frames = {"districts": store.features("districts")}
    store.close()
    (wgs, wgs_lakes), (gcj, gcj_lakes) = map_layers(frames), map_layers(frames, gcj02=True)
    for a, b in ((wgs, gcj), (wgs_lakes, gcj_lakes)):
        assert b.gcj02 and not a.gcj02
        moved = np.array(b.bounds) - np.array(a.bounds)
        assert (np.abs(moved) > 3e-4).all()  # tens to hundreds of metres, every side


def test_wgs84_layers_over_amap_are_refused() -> None:
    amap = basemaps.load().get("amap").resolve({})
    layers = [layer_data(get_layer("quarries"), _quarry_at(*SHORE))]
    with pytest.raises(ValueError, match="GCJ-02"):
        build_view(layers, tiles=amap)


def test_a_click_on_the_amap_map_is_moved_back_to_the_ground() -> None:
    glon, glat = wgs84_to_gcj02(*SHORE)
    lon, lat = ground_point(float(glat), float(glon), gcj02=True)
    assert lon == pytest.approx(SHORE[0], abs=1e-7) and lat == pytest.approx(SHORE[1], abs=1e-7)
    assert ground_point(34.2, 117.3, gcj02=False) == (117.3, 34.2)


def test_messages_exist_in_both_languages() -> None:
    for key in ("basemap.no_key", "basemap.unknown", "basemap.save_failed", "basemap.online_note_gcj02"):
        assert t(key, "zh") != key and t(key, "en") != key
