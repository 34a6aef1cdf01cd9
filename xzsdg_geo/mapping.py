"""The overview map: the store's layers as trimmed, labelled GeoJSON, drawn by folium on local assets.

Kept free of streamlit so the app, the report and the tests build the same map, in two steps:
``map_layers`` turns GeoDataFrames into plain data (display-ready, HTML-escaped properties, one
feature collection per style class: cheap to cache), ``build_view`` / ``build_map`` draw that data.
Leaflet comes from ``static/vendor`` (Streamlit serves it at ``/app/static/``), never from a CDN: the
app runs on intranets where no CDN answers. Tiles are fetched only when an online basemap
(:mod:`xzsdg_geo.basemaps`) is chosen; by default the district outlines and the lakes are the base.

What the browser receives is kept small, since it is most of the time to the first drawn map: each
style class is one compact JSON literal (geometries, then property values in the layer's field
order; Chinese as UTF-8, not ``\\uXXXX``), and popups are built from those values only when opened.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from folium.template import Template
from shapely.geometry import mapping

from .basemaps import Tiles
from .gcj02 import gcj02_to_wgs84, wgs84_to_gcj02
from .i18n import t
from .layers import FieldSpec, LayerSpec, all_layers
from .sample import LAKES_FILE
from .textfmt import fmt_num

# ≈1 m on the ground: finer than a pixel up to zoom 17, and drops the vertices no screen can show.
DECIMALS = 5
SIMPLIFY_DEG = 1e-5
# Reference layers from small-scale sources are simplified to their own accuracy (Natural Earth's
# 1:10m lakes are good to a few hundred metres), in degrees.
SIMPLIFY_BY_LAYER = {"lakes": 5e-4}
# Features a browser draws in one go before it shows the map: a larger class follows in steps.
DRAW_CHUNK = 1500
LAKES = "lakes"
# Bottom to top: outlines and water under the zones, parcels over the zones they restore.
DRAW_ORDER = (
    "districts", LAKES, "subsidence_zones", "working_faces", "restoration_parcels", "buffer_projects",
    "quarries", "river_segments", "monitoring_points",
)  # fmt: skip
# The map's base: drawn with the map itself. The other layers change with the year asked and are
# handed to streamlit-folium as layers to add, so a new year redraws them without a new map.
BASE_LAYERS = ("districts", LAKES)
TOOLTIP_FIELD = "name"  # shown on hover where a layer has it
LAKE_STYLE = {"color": "#4a90c2", "weight": 1, "fill_opacity": 0.55}
OTHER_COLOR = "#999999"
MISSING = "—"
XUZHOU_CENTRE = (34.35, 117.5)  # lat, lon: where the map opens when there is nothing to fit
# Provenance labels a layer must carry wherever it is shown, by the store's ``source`` column.
SAMPLE_SOURCE = "sample"
BUNDLED_PREFIX = "bundled:"
NOTE_SAMPLE = "map.note_sample"
NOTE_APPROXIMATE = "map.note_approximate"


@dataclass(frozen=True)
class Assets:
    """Where the browser finds the vendored Leaflet: the URL ``static/vendor`` is served at."""

    root: str = "/app/static/vendor"

    def js(self) -> list[tuple[str, str]]:
        return [("leaflet", f"{self.root}/leaflet/leaflet.js")]

    def css(self) -> list[tuple[str, str]]:
        return [("leaflet_css", f"{self.root}/leaflet/leaflet.css")]


@dataclass(frozen=True)
class StyleClass:
    """Features drawn alike: one legend row and one GeoJSON collection."""

    label: str
    style: dict  # Leaflet path options
    swatch: str  # "fill", "outline" or "line": how the legend draws it
    features: list[dict]


@dataclass(frozen=True)
class MapLayer:
    """One toggleable layer, ready to draw: every text in it is already HTML-escaped."""

    name: str
    title: str
    control_name: str  # the title with its provenance label (示例数据 / 示意边界), if any
    note: str | None
    fields: tuple[str, ...]  # popup rows: property keys and their labels
    labels: tuple[str, ...]
    classes: tuple[StyleClass, ...]
    points: bool
    bounds: tuple[float, float, float, float]  # lon/lat min x, min y, max x, max y
    attribution: str | None = None
    tooltip: str | None = None  # the property shown on hover
    gcj02: bool = False  # coordinates moved to GCJ-02, for a basemap drawn in it

    @cached_property
    def payloads(self) -> tuple[str, ...]:
        """Each class as the browser gets it; computed once per (cached, shared) layer."""
        return tuple(_payload(c, self.fields) for c in self.classes)


@dataclass(frozen=True)
class LayerStyle:
    """A layer's ``[style]`` table from its TOML file, as Leaflet options per colour."""

    raw: dict = field(default_factory=dict)
    is_line: bool = False

    def path(self, color: str) -> dict:
        out = {
            "color": color,
            "weight": self.raw.get("weight", 1),
            "opacity": 0.9,
            "fillColor": color,
            "fillOpacity": self.raw.get("fill_opacity", 0.5),
            "fill": not self.is_line,
        }
        if "dash_array" in self.raw:
            out["dashArray"] = self.raw["dash_array"]
        return out

    @property
    def swatch(self) -> str:
        if self.is_line:
            return "line"
        return "outline" if self.raw.get("fill_opacity", 0.5) == 0 else "fill"


@dataclass(frozen=True)
class MapView:
    """A map split as streamlit-folium takes it: the base map, and the layers that change with the
    year (plus the legend, which lists them), added to it without rebuilding it."""

    map: folium.Map
    groups: list[folium.FeatureGroup]
    control: folium.LayerControl


def provenance(frame: gpd.GeoDataFrame) -> str | None:
    """Catalog key of the label a layer must carry: sample data (示例数据) or approximate
    boundaries (示意边界), read from the store's ``source`` of its features."""
    sources = {str(s) for s in frame["source"].dropna()} if "source" in frame else set()
    if SAMPLE_SOURCE in sources:
        return NOTE_SAMPLE
    if any(s.startswith(BUNDLED_PREFIX) for s in sources):
        return NOTE_APPROXIMATE
    return None


def _to_gcj02(xy: np.ndarray) -> np.ndarray:
    return np.column_stack(wgs84_to_gcj02(xy[:, 0], xy[:, 1]))


def trim(geoms: np.ndarray, tolerance: float = SIMPLIFY_DEG, gcj02: bool = False) -> np.ndarray:
    """Geometries as the browser needs them: detail below ``tolerance`` (degrees) dropped, moved to
    GCJ-02 when drawn over a basemap in it, coordinates rounded to ``DECIMALS``."""
    simple = shapely.simplify(np.asarray(geoms, dtype=object), tolerance, preserve_topology=True)
    if gcj02:
        simple = shapely.transform(simple, _to_gcj02)
    return shapely.transform(simple, lambda xy: np.round(xy, DECIMALS))


def ground_point(lat: float, lon: float, gcj02: bool) -> tuple[float, float]:
    """(lon, lat) on the ground of a point clicked on the map, which is in GCJ-02 when its basemap is."""
    if not gcj02:
        return lon, lat
    wlon, wlat = gcj02_to_wgs84(lon, lat)
    return float(wlon), float(wlat)


def enum_label(spec: FieldSpec, code: object, lang: str = "zh") -> str:
    """An enum code as the layer file names it in ``lang``; an unknown code as it is."""
    known = {v.code: v for v in spec.values}
    value = known.get(str(code))
    if value is None:
        return str(code)
    return value.zh if lang == "zh" else value.en


def display_value(spec: FieldSpec, value: object, lang: str = "zh") -> str:
    """A property as a popup shows it, HTML-escaped: attribute text comes from uploaded files."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)) or value == "":
        return MISSING
    if spec.type == "enum":
        text = enum_label(spec, value, lang)
    elif spec.type == "float":
        text = fmt_num(float(value))
    elif spec.type == "int":
        text = str(int(value))
    else:
        text = str(value)
    return html.escape(text)


def _features(
    frame: gpd.GeoDataFrame, geoms: np.ndarray, fields: Sequence[FieldSpec], lang: str
) -> list[dict]:
    """One GeoJSON feature per row, its properties as popups show them (column by column)."""
    columns = [[display_value(f, v, lang) for v in frame[f.name].tolist()] for f in fields]
    names = [f.name for f in fields]
    return [
        {"type": "Feature", "properties": dict(zip(names, values, strict=True)), "geometry": mapping(geom)}
        for geom, values in zip(geoms, zip(*columns, strict=True), strict=True)
    ]


def _class_masks(spec: LayerSpec, frame: gpd.GeoDataFrame, lang: str) -> Iterator[tuple[str, str, pd.Series]]:
    """(legend label, colour, rows) per style class: one per coloured value, then the rest."""
    style = spec.style
    if "field" not in style:
        yield spec.title(lang), style.get("color", OTHER_COLOR), pd.Series(True, index=frame.index)
        return
    by = spec.field(style["field"])
    values = frame[by.name].astype("string")
    for code, color in style["colors"].items():
        yield enum_label(by, code, lang), color, values == code
    yield t("map.other", lang), OTHER_COLOR, ~values.isin(list(style["colors"])).fillna(False)


def _bounds(geoms: np.ndarray) -> tuple[float, float, float, float]:
    return tuple(float(v) for v in shapely.total_bounds(geoms))


def _tooltip(fields: Sequence[str]) -> str | None:
    return TOOLTIP_FIELD if TOOLTIP_FIELD in fields else None


def layer_data(
    spec: LayerSpec, frame: gpd.GeoDataFrame, lang: str = "zh", gcj02: bool = False
) -> MapLayer | None:
    """One store layer ready to draw; ``None`` when it has no features."""
    frame = frame[~(frame.geometry.isna() | frame.geometry.is_empty)]
    if frame.empty:
        return None
    geoms = trim(frame.geometry.to_numpy(), gcj02=gcj02)
    features = _features(frame, geoms, spec.fields, lang)
    style = LayerStyle(spec.style, spec.is_line)
    classes = []
    for label, color, rows in _class_masks(spec, frame, lang):
        chosen = [features[i] for i in np.flatnonzero(rows.fillna(False).to_numpy(dtype=bool))]
        if chosen:
            classes.append(StyleClass(html.escape(label), style.path(color), style.swatch, chosen))
    labels = tuple(html.escape(f.label_zh if lang == "zh" else f.label_en) for f in spec.fields)
    note_key = provenance(frame)
    title, note = spec.title(lang), t(note_key, lang) if note_key else None
    return MapLayer(
        name=spec.name,
        title=html.escape(title),
        control_name=html.escape(t("map.with_note", lang, title=title, note=note) if note else title),
        note=html.escape(note) if note else None,
        fields=spec.field_names,
        labels=labels,
        classes=tuple(classes),
        points="Point" in spec.geometry,
        bounds=_bounds(geoms),
        tooltip=_tooltip(spec.field_names),
        gcj02=gcj02,
    )


@cache
def _lakes_file() -> gpd.GeoDataFrame:
    return gpd.read_file(LAKES_FILE)


def lakes_layer(lang: str = "zh", gcj02: bool = False) -> MapLayer:
    """Weishan Hu and Luoma Hu (Natural Earth): with the district outlines, the map's default base."""
    lakes = _lakes_file()
    name = lakes["name_zh" if lang == "zh" else "name_en"]
    style = LayerStyle(LAKE_STYLE)
    geoms = trim(lakes.geometry.to_numpy(), SIMPLIFY_BY_LAYER[LAKES], gcj02)
    features = [
        {"type": "Feature", "properties": {"name": html.escape(str(n))}, "geometry": mapping(g)}
        for n, g in zip(name, geoms, strict=True)
    ]
    title = html.escape(t("map.lakes", lang))
    return MapLayer(
        name=LAKES,
        title=title,
        control_name=title,
        note=None,
        fields=("name",),
        labels=(html.escape(t("map.lake_name", lang)),),
        classes=(StyleClass(title, style.path(LAKE_STYLE["color"]), style.swatch, features),),
        points=False,
        bounds=_bounds(geoms),
        attribution="Natural Earth",
        tooltip="name",
        gcj02=gcj02,
    )


def _draw_rank(name: str) -> int:
    return DRAW_ORDER.index(name) if name in DRAW_ORDER else len(DRAW_ORDER)


def map_layers(
    frames: Mapping[str, gpd.GeoDataFrame], lang: str = "zh", gcj02: bool = False
) -> list[MapLayer]:
    """Every non-empty store layer plus the lakes, bottom to top; in GCJ-02 for a basemap drawn in it."""
    specs = all_layers()
    layers = [layer_data(specs[name], frame, lang, gcj02) for name, frame in frames.items()]
    layers = [x for x in layers if x is not None] + [lakes_layer(lang, gcj02)]
    return sorted(layers, key=lambda x: _draw_rank(x.name))


def script_json(value: object) -> str:
    """``value`` as a JavaScript literal that is safe inside a ``<script>``: no ``<``, ``>`` or ``&``
    (so no ``</script>`` and no entity), and non-ASCII text as UTF-8 (half the bytes of ``\\uXXXX``)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# GeoJSON geometry types by code, and how deep their coordinate lists nest above a flat run of
# positions (a Point's one position is a run of one).
GEOMETRY_CODES = {"Point": 1, "LineString": 2, "Polygon": 3, "MultiPoint": 4, "MultiLineString": 5,
                  "MultiPolygon": 6}  # fmt: skip
_DEPTH = {"Point": 0, "LineString": 0, "MultiPoint": 0, "Polygon": 1, "MultiLineString": 1, "MultiPolygon": 2}
_SCALE = 10**DECIMALS


def _run(positions: object, start: np.ndarray) -> list[int]:
    """Positions as integer steps (units of 10^-DECIMALS degree) from ``start``, then from each other."""
    xy = np.rint(np.asarray(positions, dtype=float).reshape(-1, 2) * _SCALE).astype(np.int64)
    return np.diff(np.vstack([start, xy]), axis=0).ravel().tolist()


def _nested(coords: object, depth: int, start: np.ndarray) -> list:
    if depth == 0:
        return _run(coords, start)
    return [_nested(part, depth - 1, start) for part in coords]


def encode_geometry(geometry: dict, origin: np.ndarray) -> list | dict:
    """A GeoJSON geometry as ``[type code, coordinates]`` with every run of positions delta-coded
    from ``origin``: a third of the characters of decimal degrees. Other types pass unchanged."""
    kind = geometry["type"]
    if kind not in GEOMETRY_CODES:
        return geometry
    return [GEOMETRY_CODES[kind], _nested(geometry["coordinates"], _DEPTH[kind], origin)]


def _origin(c: StyleClass) -> np.ndarray:
    """The first position of the class (so the first steps are short), in the units of the encoding."""
    for f in c.features:
        coords = f["geometry"].get("coordinates")
        while coords is not None and len(coords) and isinstance(coords[0], (list, tuple)):
            coords = coords[0]
        if coords is not None and len(coords):
            return np.rint(np.asarray(coords[:2], dtype=float) * _SCALE).astype(np.int64)
    return np.zeros(2, dtype=np.int64)


def _payload(c: StyleClass, fields: Sequence[str]) -> str:
    """``{"o": origin, "g": [encoded geometry, ...], "p": [[value per field], ...]}``: no keys
    repeated per feature, no decimal degrees (``xzDecode`` in the browser restores GeoJSON)."""
    origin = _origin(c)
    return script_json(
        {
            "o": origin.tolist(),
            "g": [encode_geometry(f["geometry"], origin) for f in c.features],
            "p": [[f["properties"].get(k, MISSING) for k in fields] for f in c.features],
        }
    )


class _MapChrome(MacroElement):
    """What every map needs around the data: a plain background (the default base has no tiles),
    CJK-capable fonts, the legend's and popups' look, a metric-only scale bar, and ``xzOverlay``,
    which turns a compact class payload into a GeoJSON layer with lazily built popups.

    A large class is drawn a chunk at a time, so the browser shows the map while the rest follows
    and stays responsive; each layer has a pane of its own, so what is drawn later still lies in
    its layer's place (``body[data-xz-pending="0"]`` once everything is drawn).
    """

    scale = _SCALE
    chunk = DRAW_CHUNK

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
        .leaflet-container {
            background: #f6f5f0;
            font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
                         "WenQuanYi Micro Hei", sans-serif;
        }
        /* a layer's pane covers the map: only its features, not its empty space, take the mouse */
        .leaflet-pane > svg { pointer-events: none; }
        /* inline-block: sized by its content even before leaflet.css (which floats controls)
           has loaded, since the map is fitted beside the legend as soon as it is added */
        .xz-legend {
            display: inline-block; padding: 6px 9px; border-radius: 4px;
            background: rgba(255, 255, 255, 0.92); box-shadow: 0 1px 4px rgba(0, 0, 0, 0.3);
            font-size: 12px; line-height: 17px; overflow-y: auto; column-count: 2; column-gap: 14px;
        }
        .xz-legend h4, .xz-legend .xz-foot { column-span: all; }
        .xz-legend .xz-block { break-inside: avoid; }
        .xz-legend h4 { margin: 0 0 4px; font-size: 13px; }
        .xz-legend .xz-title { margin-top: 4px; font-weight: 600; }
        .xz-legend i {
            display: inline-block; width: 14px; height: 10px; margin-right: 6px;
            vertical-align: middle; box-sizing: border-box;
        }
        .xz-legend i.line { height: 0; border-top: 3px solid; }
        .xz-legend i.outline { border: 2px dashed; }
        .xz-legend .xz-foot { margin-top: 5px; color: #666; }
        .leaflet-popup-content { font-size: 13px; line-height: 1.45; }
        .xz-popup th { color: #555; font-weight: 600; white-space: nowrap; text-align: left;
                       padding-right: 8px; vertical-align: top; }
        .leaflet-control-layers-expanded { font-size: 12px; }
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
        window.xzMap = {{ this._parent.get_name() }};
        window.xzPending = 0;
        // how far drawing is, for tests and bench/app_draw.py: the attribute, and User Timing marks
        // at the next frame (the one that shows it): the first features, all of them (the last mark)
        window.xzShown = function (name) {
            requestAnimationFrame(function () { performance.mark(name); });
        };
        window.xzCount = function (step) {
            window.xzPending += step;
            document.body.setAttribute("data-xz-pending", window.xzPending);
            if (window.xzPending === 0) {
                window.xzIdleSince = performance.now();
                xzShown("xz-all-drawn");
            }
        };
        // [type code, delta-coded coordinates] back to GeoJSON (mapping.encode_geometry)
        window.xzDecode = function (g, origin) {
            if (!Array.isArray(g)) { return g; }
            var types = [null, "Point", "LineString", "Polygon", "MultiPoint", "MultiLineString",
                         "MultiPolygon"];
            var depth = [null, 0, 0, 1, 0, 1, 2][g[0]];
            function run(a) {
                var out = [], x = origin[0], y = origin[1];
                for (var i = 0; i < a.length; i += 2) {
                    x += a[i]; y += a[i + 1];
                    out.push([x / {{ this.scale }}, y / {{ this.scale }}]);
                }
                return out;
            }
            function nested(a, d) {
                return d === 0 ? run(a) : a.map(function (b) { return nested(b, d - 1); });
            }
            var coords = nested(g[1], depth);
            return {type: types[g[0]], coordinates: g[0] === 1 ? coords[0] : coords};
        };
        window.xzOverlay = function (data, style, labels, tip, attribution, rank) {
            var pane = "xz-pane-" + rank;
            if (!xzMap.getPane(pane)) { xzMap.createPane(pane).style.zIndex = 401 + rank; }
            var layer = L.geoJSON(null, {
                style: style,
                pane: pane,
                pointToLayer: function (feature, latlng) {
                    return L.circleMarker(latlng, {radius: 6, pane: pane});
                },
                attribution: attribution
            });
            // values and labels arrive HTML-escaped; the table is built only when a popup opens
            layer.bindPopup(function (target) {
                var values = target.feature.properties, rows = "";
                for (var k = 0; k < labels.length; k++) {
                    rows += "<tr><th>" + labels[k] + "</th><td>" + values[k] + "</td></tr>";
                }
                return '<table class="xz-popup">' + rows + "</table>";
            });
            if (tip >= 0) {
                layer.bindTooltip(function (t) { return t.feature.properties[tip]; }, {sticky: true});
            }
            // the first step of all layers together draws at most a chunk: the map shows at once
            var next = 0;
            xzCount(1);
            (function draw(budget) {
                var end = Math.min(next + budget, data.g.length);
                for (; next < end; next++) {
                    var geometry = xzDecode(data.g[next], data.o);
                    layer.addData({type: "Feature", geometry: geometry, properties: data.p[next]});
                }
                if (next && !window.xzFirstShown) {
                    window.xzFirstShown = true;
                    xzShown("xz-first-drawn");
                }
                if (next < data.g.length) {  // after the browser has shown what is drawn so far
                    requestAnimationFrame(function () {
                        setTimeout(function () { draw({{ this.chunk }}); }, 0);
                    });
                } else {
                    xzCount(-1);
                }
            })(xzFirstStep(data.g.length));
            return layer;
        };
        window.xzFirst = {{ this.chunk }};
        window.xzFirstStep = function (wanted) {
            var now = Math.min(wanted, window.xzFirst);
            window.xzFirst -= now;
            setTimeout(function () { window.xzFirst = {{ this.chunk }}; }, 0);  // a new budget next time
            return now;
        };
        {% endmacro %}
        """
    )


class _Overlay(MacroElement):
    """One style class of a layer, as ``xzOverlay`` draws it, in the pane of the layer's ``rank``."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = xzOverlay({{ this.data }}, {{ this.style }}, {{ this.labels }},
            {{ this.tip }}, {{ this.attribution }}, {{ this.rank }}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, layer: MapLayer, index: int, rank: int) -> None:
        super().__init__()
        self._name = "Overlay"
        self.data = layer.payloads[index]
        self.style = script_json(layer.classes[index].style)
        self.labels = script_json(list(layer.labels))
        self.tip = layer.fields.index(layer.tooltip) if layer.tooltip in layer.fields else -1
        self.attribution = script_json(layer.attribution)  # null: none
        self.rank = rank


class _Legend(MacroElement):
    """A Leaflet control listing each layer's style classes (its HTML is built escaped), shown while
    the group holding it is on the map: a new year's layers bring their own legend.

    The first legend also fits the map to the data: only once the legend is on the map is its width
    known (it differs by language), and the data is fitted into the space left of it. Later ones
    leave the view where the user put it.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent._parent.get_name() }}, group = {{ this._parent.get_name() }};
            var legend = L.control({position: "bottomright"});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "xz-legend");
                div.innerHTML = {{ this.html }};
                // the map's own height, not the viewport's: the frame has none until the map is drawn
                div.style.maxHeight = Math.max(map.getSize().y - 100, 120) + "px";
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            legend.addTo(map);
            group.on("remove", function () { legend.remove(); });
            {%- if this.bounds %}
            if (!map.xzFitted) {
                map.xzFitted = true;
                map.fitBounds({{ this.bounds }}, {
                    paddingTopLeft: [10, 10],
                    paddingBottomRight: [legend.getContainer().offsetWidth + 20, 10]
                });
            }
            {%- endif %}
        })();
        {% endmacro %}
        """
    )

    def __init__(self, html_text: str, bounds: list[list[float]] | None) -> None:
        super().__init__()
        self._name = "Legend"
        self.html = script_json(html_text)
        self.bounds = script_json(bounds) if bounds else None


def _swatch(c: StyleClass) -> str:
    color = c.style["color"]
    if c.swatch == "line":
        return f'<i class="line" style="border-color:{color}"></i>'
    if c.swatch == "outline":
        return f'<i class="outline" style="border-color:{color}"></i>'
    return f'<i style="background:{color};border:1px solid {color}"></i>'


def legend_html(layers: Sequence[MapLayer], lang: str = "zh") -> str:
    """Top layer first, as a reader scans a map's legend."""
    parts = [f"<h4>{html.escape(t('map.legend', lang))}</h4>"]
    for layer in reversed(layers):
        if len(layer.classes) == 1 and layer.classes[0].label == layer.title:
            rows = [f'<div class="xz-title">{_swatch(layer.classes[0])}{layer.title}</div>']
        else:
            rows = [f'<div class="xz-title">{layer.title}</div>']
            rows += [f"<div>{_swatch(c)}{c.label}</div>" for c in layer.classes]
        parts.append(f'<div class="xz-block">{"".join(rows)}</div>')
    notes = sorted({x.note for x in layers if x.note})
    if notes:
        parts.append(f'<div class="xz-foot">{html.escape(t("map.notes", lang))}{" · ".join(notes)}</div>')
    return "".join(parts)


def _group(layer: MapLayer, rank: int) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name=layer.control_name, show=True)
    for i in range(len(layer.classes)):
        group.add_child(_Overlay(layer, i, rank))
    return group


def _legend_group(layers: Sequence[MapLayer], lang: str) -> folium.FeatureGroup:
    """The legend, in a group of its own outside the layer control."""
    group = folium.FeatureGroup(name="legend", control=False)
    group.add_child(_Legend(legend_html(layers, lang), _bounds_latlon(layers)))
    return group


def _bounds_latlon(layers: Sequence[MapLayer]) -> list[list[float]] | None:
    """South-west and north-east corners of the districts (the lakes reach well beyond the city),
    else of all layers, as Leaflet takes them."""
    if not layers:
        return None
    districts = [x for x in layers if x.name == "districts"]
    b = np.array([x.bounds for x in districts or layers])
    return [[float(b[:, 1].min()), float(b[:, 0].min())], [float(b[:, 3].max()), float(b[:, 2].max())]]


def _base_map(assets: Assets, tiles: Tiles | None) -> folium.Map:
    m = folium.Map(location=XUZHOU_CENTRE, zoom_start=9, tiles=None, zoom_snap=0.25)
    # Instance-level: folium's class defaults point at CDNs (and load jQuery, Bootstrap and
    # Font Awesome this map does not use).
    m.default_js = assets.js()
    m.default_css = assets.css()
    _MapChrome().add_to(m)
    for url in tiles.urls if tiles else ():
        folium.TileLayer(
            tiles=url,
            attr=tiles.attribution,
            subdomains=tiles.subdomains,
            max_zoom=tiles.max_zoom,
            max_native_zoom=tiles.max_zoom,
            control=False,
        ).add_to(m)
    return m


def build_view(
    layers: Sequence[MapLayer], *, lang: str = "zh", assets: Assets | None = None, tiles: Tiles | None = None
) -> MapView:
    """The map of ``layers`` split for streamlit-folium: base layers and tiles in the map, the others
    (and the legend) as groups to add; a layer control over all of them.

    ``tiles`` in GCJ-02 (AMap) need layers made with ``gcj02=True``, and no others, or the features
    would lie hundreds of metres off the basemap.
    """
    shifted = bool(tiles and tiles.gcj02)
    if any(x.gcj02 != shifted for x in layers):
        raise ValueError("layers and basemap are in different coordinates (WGS84 / GCJ-02)")
    m = _base_map(assets or Assets(), tiles)
    groups = []
    for rank, layer in enumerate(layers):
        group = _group(layer, rank)
        if layer.name in BASE_LAYERS:
            group.add_to(m)
        else:
            groups.append(group)
    groups.append(_legend_group(layers, lang))
    return MapView(m, groups, folium.LayerControl(collapsed=False))


def build_map(
    layers: Sequence[MapLayer], *, lang: str = "zh", assets: Assets | None = None, tiles: Tiles | None = None
) -> folium.Map:
    """The whole map in one piece (a page of its own, a report, a workflow preview)."""
    view = build_view(layers, lang=lang, assets=assets, tiles=tiles)
    for group in view.groups:
        group.add_to(view.map)
    view.control.add_to(view.map)
    return view.map
