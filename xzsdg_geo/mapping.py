"""The overview map: the store's layers as trimmed, labelled GeoJSON, drawn by folium on local assets.

Kept free of streamlit so the app, the report and the tests build the same map, in two steps:
``map_layers`` turns GeoDataFrames into plain data (display-ready, HTML-escaped properties, one
feature collection per style class: cheap to cache), ``build_map`` draws that data. Leaflet comes
from ``static/vendor`` (Streamlit serves it at ``/app/static/``), never from a CDN: the app runs on
intranets where no CDN answers, and there is no basemap, so nothing is fetched at run time.
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from folium.template import Template
from shapely.geometry import mapping

from .i18n import t
from .layers import FieldSpec, LayerSpec, all_layers
from .sample import LAKES_FILE
from .textfmt import fmt_num

# ≈1 m on the ground: finer than a pixel up to zoom 17, and drops the vertices no screen can show.
DECIMALS = 5
SIMPLIFY_DEG = 1e-5
LAKES = "lakes"
# Bottom to top: outlines and water under the zones, parcels over the zones they restore.
DRAW_ORDER = (
    "districts", LAKES, "subsidence_zones", "restoration_parcels", "buffer_projects", "quarries",
    "river_segments",
)  # fmt: skip
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


def provenance(frame: gpd.GeoDataFrame) -> str | None:
    """Catalog key of the label a layer must carry: sample data (示例数据) or approximate
    boundaries (示意边界), read from the store's ``source`` of its features."""
    sources = {str(s) for s in frame["source"].dropna()} if "source" in frame else set()
    if SAMPLE_SOURCE in sources:
        return NOTE_SAMPLE
    if any(s.startswith(BUNDLED_PREFIX) for s in sources):
        return NOTE_APPROXIMATE
    return None


def trim(geoms: np.ndarray) -> np.ndarray:
    """Geometries as the browser needs them: sub-metre detail dropped, coordinates rounded."""
    simple = shapely.simplify(np.asarray(geoms, dtype=object), SIMPLIFY_DEG, preserve_topology=True)
    return shapely.transform(simple, lambda xy: np.round(xy, DECIMALS))


def _enum_label(spec: FieldSpec, code: object, lang: str) -> str:
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
        text = _enum_label(spec, value, lang)
    elif spec.type == "float":
        text = fmt_num(float(value))
    elif spec.type == "int":
        text = str(int(value))
    else:
        text = str(value)
    return html.escape(text)


def _features(frame: gpd.GeoDataFrame, fields: Sequence[FieldSpec], lang: str) -> list[dict]:
    geoms = trim(frame.geometry.to_numpy())
    records = frame[[f.name for f in fields]].to_dict("records")
    return [
        {
            "type": "Feature",
            "properties": {f.name: display_value(f, rec[f.name], lang) for f in fields},
            "geometry": mapping(geom),
        }
        for rec, geom in zip(records, geoms, strict=True)
        if geom is not None and not geom.is_empty
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
        yield _enum_label(by, code, lang), color, values == code
    yield t("map.other", lang), OTHER_COLOR, ~values.isin(list(style["colors"])).fillna(False)


def _bounds(frame: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
    return tuple(float(v) for v in frame.total_bounds)


def layer_data(spec: LayerSpec, frame: gpd.GeoDataFrame, lang: str = "zh") -> MapLayer | None:
    """One store layer ready to draw; ``None`` when it has no features."""
    frame = frame[~(frame.geometry.isna() | frame.geometry.is_empty)]
    if frame.empty:
        return None
    style = LayerStyle(spec.style, spec.is_line)
    classes = []
    for label, color, rows in _class_masks(spec, frame, lang):
        chosen = frame[rows.fillna(False).to_numpy(dtype=bool)]
        if not chosen.empty:
            features = _features(chosen, spec.fields, lang)
            classes.append(StyleClass(html.escape(label), style.path(color), style.swatch, features))
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
        bounds=_bounds(frame),
    )


@cache
def _lakes_file() -> gpd.GeoDataFrame:
    return gpd.read_file(LAKES_FILE)


def lakes_layer(lang: str = "zh") -> MapLayer:
    """Weishan Hu and Luoma Hu (Natural Earth): with the district outlines, the map's only base."""
    lakes = _lakes_file()
    name = lakes["name_zh" if lang == "zh" else "name_en"]
    style = LayerStyle(LAKE_STYLE)
    features = [
        {"type": "Feature", "properties": {"name": html.escape(str(n))}, "geometry": mapping(g)}
        for n, g in zip(name, trim(lakes.geometry.to_numpy()), strict=True)
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
        bounds=_bounds(lakes),
        attribution="Natural Earth",
    )


def _draw_rank(name: str) -> int:
    return DRAW_ORDER.index(name) if name in DRAW_ORDER else len(DRAW_ORDER)


def map_layers(frames: Mapping[str, gpd.GeoDataFrame], lang: str = "zh") -> list[MapLayer]:
    """Every non-empty store layer plus the lakes, bottom to top."""
    specs = all_layers()
    layers = [layer_data(specs[name], frame, lang) for name, frame in frames.items()]
    layers = [x for x in layers if x is not None] + [lakes_layer(lang)]
    return sorted(layers, key=lambda x: _draw_rank(x.name))


class _MapChrome(MacroElement):
    """What a map without a basemap needs around the data: a plain background, CJK-capable fonts,
    the legend's and popups' look, and a metric-only scale bar."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
        .leaflet-container {
            background: #f6f5f0;
            font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
                         "WenQuanYi Micro Hei", sans-serif;
        }
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
        .xz-popup th { color: #555; font-weight: 600; white-space: nowrap; }
        .leaflet-control-layers-expanded { font-size: 12px; }
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )


class _Legend(MacroElement):
    """A Leaflet control listing each layer's style classes (its HTML is built escaped).

    It also fits the map to the data: only once the legend is on the map is its width known
    (it differs by language), and the data is fitted into the space left of it.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: "bottomright"});
        {{ this.get_name() }}.onAdd = function (map) {
            var div = L.DomUtil.create("div", "xz-legend");
            div.innerHTML = {{ this.html|tojson }};
            // the map's own height, not the viewport's: the frame has none until the map is drawn
            div.style.maxHeight = Math.max(map.getSize().y - 100, 120) + "px";
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {%- if this.bounds %}
        {{ this._parent.get_name() }}.fitBounds({{ this.bounds|tojson }}, {
            paddingTopLeft: [10, 10],
            paddingBottomRight: [{{ this.get_name() }}.getContainer().offsetWidth + 20, 10]
        });
        {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(self, html_text: str, bounds: list[list[float]] | None) -> None:
        super().__init__()
        self._name = "Legend"
        self.html = html_text
        self.bounds = bounds


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


def _add_layer(m: folium.Map, layer: MapLayer) -> None:
    group = folium.FeatureGroup(name=layer.control_name, show=True).add_to(m)
    for c in layer.classes:
        style = c.style
        folium.GeoJson(
            {"type": "FeatureCollection", "features": c.features},
            style_function=lambda _f, s=style: s,
            popup=folium.GeoJsonPopup(
                fields=list(layer.fields), aliases=list(layer.labels), localize=False, class_name="xz-popup"
            ),
            marker=folium.CircleMarker(radius=6) if layer.points else None,
            control=False,
            attribution=layer.attribution,
        ).add_to(group)


def _bounds_latlon(layers: Sequence[MapLayer]) -> list[list[float]] | None:
    """South-west and north-east corners of all layers, as Leaflet takes them."""
    if not layers:
        return None
    b = np.array([x.bounds for x in layers])
    return [[float(b[:, 1].min()), float(b[:, 0].min())], [float(b[:, 3].max()), float(b[:, 2].max())]]


def build_map(layers: Sequence[MapLayer], *, lang: str = "zh", assets: Assets | None = None) -> folium.Map:
    """The folium map of ``layers``: no tiles, local Leaflet, a layer control and a legend."""
    assets = assets or Assets()
    m = folium.Map(location=XUZHOU_CENTRE, zoom_start=9, tiles=None, zoom_snap=0.25)
    # Instance-level: folium's class defaults point at CDNs (and load jQuery, Bootstrap and
    # Font Awesome this map does not use).
    m.default_js = assets.js()
    m.default_css = assets.css()
    _MapChrome().add_to(m)
    for layer in layers:
        _add_layer(m, layer)
    folium.LayerControl(collapsed=False).add_to(m)
    _Legend(legend_html(layers, lang), _bounds_latlon(layers)).add_to(m)
    return m
