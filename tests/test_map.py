"""The overview map builder: layers, styles from layers/*.toml, escaping, local assets, payload."""

from __future__ import annotations

import json
import re
from pathlib import Path

import folium
import numpy as np
import pytest
import shapely
from shapely.geometry import Point, box, shape

from xzsdg_geo.layers import all_layers, get_layer
from xzsdg_geo.mapping import (
    BASE_LAYERS,
    DECIMALS,
    DRAW_ORDER,
    LAKE_STYLE,
    LAKES,
    SIMPLIFY_DEG,
    Assets,
    build_map,
    build_view,
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
TYPES = {1: "Point", 2: "LineString", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString", 6: "MultiPolygon"}
DEPTH = {1: 0, 2: 0, 3: 1, 4: 0, 5: 1, 6: 2}
# What the sample's map may weigh in the browser (it was 1.3 MB with folium's GeoJSON and popups).
SAMPLE_MAP_BUDGET = 600_000


def decode(payload: str) -> list[dict]:
    """A class payload back to GeoJSON features, as ``xzDecode`` does in the browser."""
    data = json.loads(payload)
    origin = data["o"]

    def run(steps: list[int]) -> list[list[float]]:
        xy = np.cumsum(np.array(steps, dtype=np.int64).reshape(-1, 2), axis=0) + origin
        return (xy / 10**DECIMALS).tolist()

    def nested(coords: list, depth: int) -> list:
        return run(coords) if depth == 0 else [nested(c, depth - 1) for c in coords]

    features = []
    for g, props in zip(data["g"], data["p"], strict=True):
        coords = nested(g[1], DEPTH[g[0]])
        geometry = {"type": TYPES[g[0]], "coordinates": coords[0] if g[0] == 1 else coords}
        features.append({"geometry": geometry, "properties": props})
    return features


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


def _asset_links(element: object) -> list[str]:
    """Every JS/CSS link an element tree asks for, as streamlit-folium collects them."""
    own = [url for _, url in getattr(element, "default_js", []) + getattr(element, "default_css", [])]
    return own + [u for child in getattr(element, "_children", {}).values() for u in _asset_links(child)]


def _groups(m: folium.Map) -> list[folium.FeatureGroup]:
    return [c for c in m._children.values() if isinstance(c, folium.FeatureGroup)]


def test_every_layer_and_the_lakes_are_drawn_bottom_to_top(layers: list) -> None:
    assert [x.name for x in layers] == list(DRAW_ORDER)
    assert all(x.classes for x in layers)


def test_layer_control_names_carry_the_provenance_labels(layers: list) -> None:
    m = build_map(layers)
    groups = [g.layer_name for g in _groups(m) if g.control]
    assert groups[0] == "行政区（示意边界）"
    assert "采煤沉陷区（示例数据）" in groups
    assert "湖泊" in groups
    assert len(groups) == len(DRAW_ORDER)
    assert sum(isinstance(c, folium.LayerControl) for c in m._children.values()) == 1


def test_the_base_is_the_map_and_the_years_layers_are_added_to_it(layers: list) -> None:
    """streamlit-folium keeps a map whose own script is unchanged and swaps the groups to add."""
    view = build_view(layers)
    in_map = [g.layer_name for g in _groups(view.map)]
    assert in_map == ["行政区（示意边界）", "湖泊"]
    added = [g.layer_name for g in view.groups]
    assert len(added) == len(DRAW_ORDER) - len(BASE_LAYERS) + 1  # and the legend, outside the control
    assert not view.groups[-1].control
    assert not any(isinstance(c, folium.LayerControl) for c in view.map._children.values())


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


def test_each_class_is_drawn_with_its_style(layers: list, rendered: str) -> None:
    for layer in layers:
        for c in layer.classes:
            style = json.dumps(c.style, ensure_ascii=False, separators=(",", ":"))
            assert style in rendered


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


def test_the_payload_holds_exactly_the_shown_properties_in_field_order(layers: list) -> None:
    for layer in layers:
        for c, payload in zip(layer.classes, layer.payloads, strict=True):
            sent = decode(payload)
            assert len(sent) == len(c.features)
            for feature, original in zip(sent, c.features, strict=True):
                assert feature["properties"] == [original["properties"][k] for k in layer.fields]


def test_the_payload_restores_every_geometry(layers: list) -> None:
    for layer in layers:
        for c, payload in zip(layer.classes, layer.payloads, strict=True):
            for feature, original in zip(decode(payload), c.features, strict=True):
                assert feature["geometry"]["type"] == original["geometry"]["type"]
                assert shape(feature["geometry"]).equals_exact(shape(original["geometry"]), 1e-9)


def test_coordinates_are_rounded(layers: list) -> None:
    assert DECIMALS <= 6
    for layer in layers:
        for payload in layer.payloads:
            coords = shapely.get_coordinates([shape(f["geometry"]) for f in decode(payload)])
            assert np.allclose(coords, np.round(coords, DECIMALS), rtol=0, atol=1e-9)


def test_chinese_is_sent_as_utf8_and_the_map_is_small(layers: list, rendered: str) -> None:
    parcels = next(x for x in layers if x.name == "restoration_parcels")
    assert "已完成" in parcels.payloads[-1]
    assert "\\u5df2" not in parcels.payloads[-1]  # 已 as an escape
    assert len(rendered.encode()) < SAMPLE_MAP_BUDGET


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
    assert "</script><img" not in html
    assert "\\u0026lt;script\\u0026gt;alert" in html  # the escaped text, as a JS literal in the page


def test_the_rendered_map_loads_nothing_from_outside(layers: list, rendered: str) -> None:
    outside = [u for u in URL.findall(rendered) if not LOCAL.match(u)]
    assert outside == []
    assert '<script src="/app/static/vendor/leaflet/leaflet.js">' in rendered


def test_every_asset_link_is_a_vendored_file(layers: list) -> None:
    m = build_map(layers)
    links = _asset_links(m)
    assert links, "the map asks for Leaflet"
    for link in links:
        assert link.startswith(("/app/static/vendor/", "/app/static/xz/"))
        assert (ROOT / "static" / link.removeprefix("/app/static/")).is_file()
    vendored = {link.split("/")[4] for link in links if link.startswith("/app/static/vendor/")}
    assert vendored == {"leaflet", "proj4", "geographiclib"}
    for folder in vendored:  # each vendored library keeps its licence beside it
        assert any(p.name.startswith("LICENSE") for p in (ROOT / "static" / "vendor" / folder).iterdir())
    # folium's class defaults (CDNs) are left alone: only this map's instance is changed
    assert folium.Map.default_js[0][1].startswith("https://")


def test_assets_follow_a_base_url_path(layers: list) -> None:
    m = build_map(layers, assets=Assets("/xzsdg/app/static"))
    assert all(link.startswith("/xzsdg/app/static/") for link in _asset_links(m))


def test_trimming_moves_no_vertex_visibly(frames: dict) -> None:
    zones = frames["subsidence_zones"].geometry.to_numpy()
    trimmed = trim(zones)
    moved = shapely.hausdorff_distance(zones, trimmed)
    assert moved.max() <= SIMPLIFY_DEG + 10**-DECIMALS
    assert shapely.get_num_coordinates(trimmed).sum() <= shapely.get_num_coordinates(zones).sum()


def test_points_are_sent_as_points(frames: dict) -> None:
    quarries = frames["quarries"].iloc[:2].copy()
    quarries.loc[quarries.index[0], "geometry"] = Point(117.3, 34.2)
    layer = layer_data(get_layer("quarries"), quarries)
    assert layer.points
    sent = [f["geometry"] for payload in layer.payloads for f in decode(payload)]
    assert {"type": "Point", "coordinates": [117.3, 34.2]} in sent
    html = build_map([layer]).get_root().render()
    assert "xzOverlay(" in html
    assert "L.circleMarker(latlng" in (ROOT / "static" / "xz" / "map.js").read_text()  # drawn as markers


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


def test_the_map_is_fitted_to_the_districts(layers: list, rendered: str) -> None:
    west, south, east, north = next(x for x in layers if x.name == "districts").bounds
    assert f"[[{south},{west}],[{north},{east}]]);" in rendered  # xzLegend(map, group, html, bounds)
    assert re.search(r"xzLegend\(map_\w+, feature_group_\w+, ", rendered)


def test_hovering_shows_names(layers: list) -> None:
    assert {x.name: x.tooltip for x in layers}["districts"] == "name"
    assert all(x.tooltip in (None, *x.fields) for x in layers)


def test_lake_outlines_match_the_bundled_file(layers: list) -> None:
    lakes = next(x for x in layers if x.name == LAKES)
    names = {f["properties"]["name"] for f in lakes.classes[0].features}
    assert names == {"微山湖（南四湖）", "骆马湖"}
    assert all(shape(f["geometry"]).is_valid for f in lakes.classes[0].features)


def _colours() -> list[tuple[str, str]]:
    """(layer/class, colour) of every style class the layer files declare."""
    out = []
    for spec in all_layers().values():
        style = spec.style
        if "colors" in style:
            out += [(f"{spec.name}.{code}", c.lower()) for code, c in style["colors"].items()]
        else:
            out.append((spec.name, style["color"].lower()))
    return out


def test_every_layer_and_status_has_a_colour_of_its_own() -> None:
    colours = [*_colours(), ("lakes", LAKE_STYLE["color"].lower())]
    seen: dict[str, str] = {}
    for name, colour in colours:
        assert colour not in seen, f"{name} shares {colour} with {seen.get(colour)}"
        seen[colour] = name


def test_colours_are_from_the_colour_blind_safe_schemes() -> None:
    """Paul Tol's bright, vibrant, muted, light and high-contrast schemes and his greys."""
    tol = {"#4477aa", "#66ccee", "#228833", "#ccbb44", "#ee6677", "#aa3377", "#bbbbbb", "#0077bb", "#33bbee",
           "#009988", "#ee7733", "#cc3311", "#ee3377", "#332288", "#88ccee", "#44aa99", "#117733", "#999933",
           "#ddcc77", "#cc6677", "#882255", "#aa4499", "#ddaa33", "#bb5566", "#004488", "#77aadd", "#ee8866",
           "#eedd88", "#ffaabb", "#99ddff", "#bbcc33", "#aaaa00", "#dddddd", "#ee99aa", "#994455", "#997700",
           "#6699cc", "#aaaaaa", "#777777", "#555555"}  # fmt: skip
    assert [n for n, c in _colours() if c not in tol] == []


def test_districts_carry_labels_and_zoom_boxes(layers: list, frames: dict) -> None:
    districts = next(x for x in layers if x.name == "districts")
    assert len(districts.places) == len(frames["districts"])
    by_name = dict(zip(frames["districts"]["name"], frames["districts"].geometry, strict=True))
    for place in districts.places:
        outline = by_name[place["name"]]
        assert outline.buffer(1e-4).contains(Point(place["at"]))  # the label lies inside its district
        assert place["bounds"] == pytest.approx(list(outline.bounds), abs=2e-5)


def test_search_looks_in_the_id_and_the_name(layers: list) -> None:
    parcels = next(x for x in layers if x.name == "restoration_parcels")
    assert [parcels.fields[i] for i in parcels.search] == ["parcel_id", "name"]


def test_the_page_holds_calls_only_no_map_code_or_css(rendered: str) -> None:
    """The map's JavaScript and CSS live in static/xz/ (cached by the browser, linted as files)."""
    for definition in ("window.xzOverlay = function", "xzDecode", ".xz-legend {", "L.control.scale"):
        assert definition not in rendered
    assert "xzSetup(map_" in rendered and "xzPlaces(map_" in rendered


def test_the_attribution_has_no_flag_and_a_review_line(rendered: str) -> None:
    assert '"prefix":"Leaflet"' in rendered
    assert "内部示意图，未经审图" in rendered or "审图号：" in rendered
    js = (ROOT / "static" / "xz" / "map.js").read_text()
    assert "setPrefix(" in js


def test_english_maps_name_districts_in_english(frames: dict) -> None:
    english = layer_data(get_layer("districts"), frames["districts"], "en")
    names = {p["name"] for p in english.places}
    assert {"Jiawang", "Gulou", "Pizhou"} <= names
