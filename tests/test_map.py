"""The overview map builder: layers, styles from layers/*.toml, escaping, local assets, payload."""

from __future__ import annotations

import json
import re
from pathlib import Path

import folium
import pytest
import shapely
from shapely.geometry import Point, box, shape

from xzsdg_geo.layers import all_layers, get_layer
from xzsdg_geo.mapping import (
    DECIMALS,
    DRAW_ORDER,
    LAKES,
    SIMPLIFY_DEG,
    Assets,
    build_map,
    layer_data,
    legend_html,
    map_layers,
    trim,
)
from xzsdg_geo.paths import ROOT
from xzsdg_geo.store import NewFeature, Store, open_store

URL = re.compile(r"""(?:https?:)?//[^\s"'<>()\\]+""")
LOCAL = re.compile(r"^(?:https?:)?//(?:localhost|127\.0\.0\.1)(?::\d+)?/")
MALICIOUS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def frames(sample_store_file: Path) -> dict:
    store = open_store(str(sample_store_file))
    try:
        return {name: store.features(name) for name in all_layers()}
    finally:
        store.close()


@pytest.fixture(scope="module")
def layers(frames: dict) -> list:
    return map_layers(frames)


@pytest.fixture(scope="module")
def rendered(layers: list) -> str:
    return build_map(layers).get_root().render()


def _coords(geometry: dict) -> list[float]:
    return [float(v) for v in re.findall(r"-?\d+\.?\d*", json.dumps(geometry["coordinates"]))]


def _asset_links(element: object) -> list[str]:
    """Every JS/CSS link an element tree asks for, as streamlit-folium collects them."""
    own = [url for _, url in getattr(element, "default_js", []) + getattr(element, "default_css", [])]
    return own + [u for child in getattr(element, "_children", {}).values() for u in _asset_links(child)]


def test_every_layer_and_the_lakes_are_drawn_bottom_to_top(layers: list) -> None:
    assert [x.name for x in layers] == list(DRAW_ORDER)
    assert all(x.classes for x in layers)


def test_layer_control_names_carry_the_provenance_labels(layers: list) -> None:
    m = build_map(layers)
    groups = [c.layer_name for c in m._children.values() if isinstance(c, folium.FeatureGroup)]
    assert groups[0] == "行政区（示意边界）"
    assert "采煤沉陷区（示例数据）" in groups
    assert "湖泊" in groups
    assert len(groups) == len(DRAW_ORDER)


def test_styles_come_from_the_layer_files(layers: list) -> None:
    by_name = {x.name: x for x in layers}
    zones = get_layer("subsidence_zones").style
    colours = {c.label: c.style for c in by_name["subsidence_zones"].classes}
    assert set(colours) == {"轻度", "中度", "重度"}
    severe = colours["重度"]
    assert severe["color"] == severe["fillColor"] == zones["colors"]["severe"]
    assert severe["weight"] == zones["weight"]
    assert severe["fillOpacity"] == zones["fill_opacity"]
    districts = by_name["districts"].classes[0].style
    assert districts["dashArray"] == get_layer("districts").style["dash_array"]
    assert districts["fillOpacity"] == 0
    rivers = by_name["river_segments"].classes[0]
    assert rivers.swatch == "line" and rivers.style["fill"] is False


def test_popups_use_chinese_field_and_value_labels(frames: dict, layers: list) -> None:
    parcels = next(x for x in layers if x.name == "restoration_parcels")
    spec = get_layer("restoration_parcels")
    assert parcels.labels == tuple(f.label_zh for f in spec.fields)
    done = next(c for c in parcels.classes if c.label == "已完成")
    assert {f["properties"]["status"] for f in done.features} == {"已完成"}
    assert {f["properties"]["measure"] for f in done.features} <= {v.zh for v in spec.field("measure").values}
    english = layer_data(spec, frames["restoration_parcels"], "en")
    assert english.labels[spec.field_names.index("status")] == "Status"
    assert "completed" in {c.label for c in english.classes}


def test_only_the_shown_properties_are_sent(layers: list) -> None:
    for layer in layers:
        for c in layer.classes:
            assert all(tuple(f["properties"]) == layer.fields for f in c.features)


def test_attribute_text_from_uploads_is_escaped(sample_store: Store) -> None:
    feature = NewFeature(
        "BP-EVIL",
        box(117.2, 34.2, 117.21, 34.21),
        {"project_id": "BP-EVIL", "name": MALICIOUS, "stage": "building"},
    )
    sample_store.write_features("buffer_projects", [feature], by="test", source="upload:test")
    layer = layer_data(get_layer("buffer_projects"), sample_store.features("buffer_projects"))
    evil = next(f for c in layer.classes for f in c.features if f["properties"]["project_id"] == "BP-EVIL")
    escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
    assert evil["properties"]["name"] == escaped
    html = build_map([layer]).get_root().render()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "\\u0026lt;script\\u0026gt;alert" in html  # the escaped text, as JSON in the page


def test_the_rendered_map_loads_nothing_from_outside(layers: list, rendered: str) -> None:
    outside = [u for u in URL.findall(rendered) if not LOCAL.match(u)]
    assert outside == []
    assert '<script src="/app/static/vendor/leaflet/leaflet.js">' in rendered


def test_every_asset_link_is_a_vendored_file(layers: list) -> None:
    m = build_map(layers)
    links = _asset_links(m)
    assert links, "the map asks for Leaflet"
    for link in links:
        assert link.startswith("/app/static/vendor/")
        assert (ROOT / "static" / link.removeprefix("/app/static/")).is_file()
    assert (ROOT / "static" / "vendor" / "leaflet" / "LICENSE").is_file()
    # folium's class defaults (CDNs) are left alone: only this map's instance is changed
    assert folium.Map.default_js[0][1].startswith("https://")


def test_assets_follow_a_base_url_path(layers: list) -> None:
    m = build_map(layers, assets=Assets("/xzsdg/app/static/vendor"))
    assert all(link.startswith("/xzsdg/app/static/vendor/") for link in _asset_links(m))


def test_coordinates_are_rounded(layers: list) -> None:
    assert DECIMALS <= 6
    for layer in layers:
        for c in layer.classes:
            for feature in c.features:
                assert all(round(v, DECIMALS) == v for v in _coords(feature["geometry"]))


def test_trimming_moves_no_vertex_visibly(frames: dict) -> None:
    zones = frames["subsidence_zones"].geometry.to_numpy()
    trimmed = trim(zones)
    moved = shapely.hausdorff_distance(zones, trimmed)
    assert moved.max() <= SIMPLIFY_DEG + 10**-DECIMALS
    assert shapely.get_num_coordinates(trimmed).sum() <= shapely.get_num_coordinates(zones).sum()


def test_points_are_drawn_as_circle_markers(frames: dict) -> None:
    quarries = frames["quarries"].iloc[:2].copy()
    quarries.loc[quarries.index[0], "geometry"] = Point(117.3, 34.2)
    layer = layer_data(get_layer("quarries"), quarries)
    assert layer.points
    html = build_map([layer]).get_root().render()
    assert "new L.CircleMarker(latlng, opts)" in html


def test_an_unlisted_value_falls_in_other(frames: dict) -> None:
    rivers = frames["river_segments"].iloc[:3].copy()
    rivers["happy_status"] = ["accepted", "abandoned", None]
    layer = layer_data(get_layer("river_segments"), rivers)
    counts = {c.label: len(c.features) for c in layer.classes}
    assert counts == {"已验收": 1, "其他": 2}


def test_an_empty_layer_is_left_out(frames: dict) -> None:
    assert layer_data(get_layer("quarries"), frames["quarries"].iloc[:0]) is None


def test_the_legend_lists_every_class_and_the_notes(layers: list) -> None:
    legend = legend_html(layers)
    for layer in layers:
        for c in layer.classes:
            assert c.label in legend
    assert "示例数据" in legend and "示意边界" in legend
    lakes = next(x for x in layers if x.name == LAKES)
    assert lakes.attribution == "Natural Earth"


def test_lake_outlines_match_the_bundled_file(layers: list) -> None:
    lakes = next(x for x in layers if x.name == LAKES)
    names = {f["properties"]["name"] for f in lakes.classes[0].features}
    assert names == {"微山湖（南四湖）", "骆马湖"}
    assert all(shape(f["geometry"]).is_valid for f in lakes.classes[0].features)
