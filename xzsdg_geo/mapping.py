"""The overview map: the store's layers as trimmed, labelled GeoJSON, drawn by folium on local assets.

Kept free of streamlit so the app, the report and the tests build the same map, in two steps:
``map_layers`` turns GeoDataFrames into plain data (display-ready, HTML-escaped properties, one
feature collection per style class: cheap to cache), ``build_view`` / ``build_map`` draw that data.
Leaflet and its helpers come from ``static/vendor`` (Streamlit serves ``static`` at ``/app/static/``),
never from a CDN: the app runs on intranets where no CDN answers. The browser side is the app's own
``static/xz/map.js`` and ``map.css``; this module writes only calls into it with JSON data. Tiles
are fetched only when an online basemap (:mod:`xzsdg_geo.basemaps`) is chosen; by default the
district outlines and the lakes are the base.

What the browser receives is kept small, since it is most of the time to the first drawn map: each
style class is one compact JSON literal (geometries, then property values in the layer's field
order; Chinese as UTF-8, not ``\\uXXXX``), and popups are built from those values only when opened.
"""

from __future__ import annotations

import html
import json
import tomllib
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
from .geo import GEOD
from .i18n import t
from .layers import FieldSpec, LayerSpec, all_layers
from .paths import CONFIG_DIR
from .sample import DISTRICTS_FILE, LAKES_FILE
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
LAKE_STYLE = {"color": "#77AADD", "weight": 1, "fill_opacity": 0.5}  # Paul Tol's light blue
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
    """Where the browser finds the map's files: the URL ``static`` is served at. Vendored libraries
    first (Leaflet, proj4js for the Gauss-Krüger readout, GeographicLib for geodesic measuring),
    then the app's own map code, which needs them."""

    root: str = "/app/static"

    def js(self) -> list[tuple[str, str]]:
        vendor = f"{self.root}/vendor"
        return [
            ("leaflet", f"{vendor}/leaflet/leaflet.js"),
            ("proj4", f"{vendor}/proj4/proj4.js"),
            ("geographiclib", f"{vendor}/geographiclib/geographiclib-geodesic.min.js"),
            ("xz_map", f"{self.root}/xz/map.js"),
        ]

    def css(self) -> list[tuple[str, str]]:
        return [
            ("leaflet_css", f"{self.root}/vendor/leaflet/leaflet.css"),
            ("xz_map_css", f"{self.root}/xz/map.css"),
        ]


@dataclass(frozen=True)
class GKZone:
    """A CGCS2000 3° Gauss-Krüger zone of the coordinate readout (``config/map.toml``)."""

    zone: int
    cm: float  # central meridian, degrees east
    proj: str  # EPSG code
    definition: str  # PROJ string, as proj4js takes it


@dataclass(frozen=True)
class MapSettings:
    """``config/map.toml``: the 审图号, the attribution prefix, the readout's Gauss-Krüger zones."""

    review_number: str
    prefix: str
    gk_zones: tuple[GKZone, ...]

    def review_line(self, lang: str = "zh") -> str:
        """The line every map carries: its 审图号, or that it is an internal sketch map without one."""
        if self.review_number:
            return t("maptools.review_number", lang, number=self.review_number)
        return t("maptools.review_none", lang)


@cache
def map_settings() -> MapSettings:
    raw = tomllib.loads((CONFIG_DIR / "map.toml").read_text(encoding="utf-8"))
    zones = tuple(GKZone(**z) for z in raw.get("gk_zones", []))
    return MapSettings(str(raw.get("review_number", "")).strip(), str(raw.get("prefix", "Leaflet")), zones)


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
    search: tuple[int, ...] = ()  # the property indices the map's search box looks in (ID, name)
    places: tuple[dict, ...] = ()  # labelled features: {"name", "at": [lon, lat], "bounds"}; zoomed on click

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


def _search_fields(spec: LayerSpec) -> tuple[int, ...]:
    """Where the search box looks: the layer's ID field and its name, if it has them."""
    wanted = [spec.id_field, TOOLTIP_FIELD] if spec.id_field else [TOOLTIP_FIELD]
    return tuple(spec.field_names.index(n) for n in dict.fromkeys(wanted) if n in spec.field_names)


def _places(spec: LayerSpec, frame: gpd.GeoDataFrame, geoms: np.ndarray, lang: str) -> tuple[dict, ...]:
    """Label points (inside each feature) and bounds of the features of a layer whose style names a
    ``label`` field (the districts): the map labels them and zooms to one from a select or a click."""
    label = spec.style.get("label")
    if not label:
        return ()
    names = [display_value(spec.field(label), v, lang) for v in frame[label].tolist()]
    if lang != "zh" and spec.id_field in frame:  # the bundled English names, where the data has them
        english = english_names()
        ids = frame[spec.id_field].astype(str).tolist()
        names = [html.escape(english[i]) if i in english else n for i, n in zip(ids, names, strict=True)]
    points = shapely.point_on_surface(geoms)
    return tuple(
        {
            "name": n,
            "at": [round(p.x, DECIMALS), round(p.y, DECIMALS)],
            "bounds": list(_bounds(np.array([g]))),
        }
        for n, p, g in zip(names, points, geoms, strict=True)
    )


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
        search=_search_fields(spec),
        places=_places(spec, frame, geoms, lang),
    )


@cache
def english_names() -> dict[str, str]:
    """District adcode → ``name_en`` of the bundled boundaries (the store keeps the Chinese name only)."""
    raw = gpd.read_file(DISTRICTS_FILE, ignore_geometry=True)
    if "name_en" not in raw or "adcode" not in raw:
        return {}
    return {str(a): str(n) for a, n in zip(raw["adcode"], raw["name_en"], strict=True) if pd.notna(n)}


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


def chrome_options(lang: str = "zh") -> dict:
    """What ``xzSetup`` (static/xz/map.js) is given: the payload's scale and drawing chunk, the tools'
    texts in ``lang``, the attribution line, the readout's zones and the ellipsoid measured on."""
    cfg = map_settings()
    keys = ("north", "fullscreen", "coords_hint", "lonlat", "gk", "measure", "measure_clear", "measure_hint",
            "measure_length", "measure_area", "search_placeholder", "search_none", "zoom_district", "legend",
            "layers")  # fmt: skip
    return {
        "scale": _SCALE,
        "chunk": DRAW_CHUNK,
        "texts": {k: t(f"maptools.{k}", lang) for k in keys},
        "prefix": cfg.prefix,
        "review_line": cfg.review_line(lang),
        "gk": [
            {"zone": z.zone, "cm": z.cm, "proj": z.proj, "definition": z.definition} for z in cfg.gk_zones
        ],
        "ellipsoid": [GEOD.a, GEOD.f],
    }


class _Call(MacroElement):
    """One call into static/xz/map.js: ``fn(<the map>, *args)``, every argument a JSON literal.

    ``parent_group`` passes the enclosing feature group as the second argument (a legend goes with
    the group that holds it); ``add`` adds what the call returns to the enclosing group."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.fn }}({{ this.map_name() }}
        {%- if this.parent_group %}, {{ this._parent.get_name() }}{% endif %}
        {%- for a in this.args %}, {{ a }}{% endfor %})
        {%- if this.add %}.addTo({{ this._parent.get_name() }}){% endif %};
        {% endmacro %}
        """
    )

    def __init__(self, fn: str, *args: object, parent_group: bool = False, add: bool = False) -> None:
        super().__init__()
        self._name = fn
        self.fn = fn
        self.args = [script_json(a) for a in args]
        self.parent_group = parent_group
        self.add = add

    def map_name(self) -> str:
        parent = self._parent
        while not isinstance(parent, folium.Map):
            parent = parent._parent
        return parent.get_name()


def _chrome(lang: str) -> _Call:
    return _Call("xzSetup", chrome_options(lang))


def _overlay(layer: MapLayer, index: int, rank: int) -> _Call:
    """One style class of a layer, as ``xzOverlay`` draws it, in the pane of the layer's ``rank``."""
    tip = layer.fields.index(layer.tooltip) if layer.tooltip in layer.fields else -1
    extra = {"search": list(layer.search), "title": layer.title, "zoom": bool(layer.places)}
    call = _Call("xzOverlay", None, layer.classes[index].style, list(layer.labels), tip, layer.attribution,
                 rank, extra, add=True)  # fmt: skip
    call.args[0] = layer.payloads[index]  # already a JSON literal, computed once per layer
    return call


def _swatch(c: StyleClass) -> str:
    color = c.style["color"]
    if c.swatch == "line":
        return f'<i class="line" style="border-color:{color}"></i>'
    if c.swatch == "outline":
        return f'<i class="outline" style="border-color:{color}"></i>'
    return f'<i style="background:{color};border:1px solid {color}"></i>'


def legend_html(layers: Sequence[MapLayer], lang: str = "zh") -> str:
    """Top layer first, as a reader scans a map's legend."""
    parts = []
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
        group.add_child(_overlay(layer, i, rank))
    if layer.places:
        group.add_child(_Call("xzPlaces", list(layer.places)))
    return group


def _legend_group(layers: Sequence[MapLayer], lang: str) -> folium.FeatureGroup:
    """The legend, in a group of its own outside the layer control. The first legend also fits the
    map to the data; later ones leave the view where the user put it."""
    group = folium.FeatureGroup(name="legend", control=False)
    group.add_child(_Call("xzLegend", legend_html(layers, lang), _bounds_latlon(layers), parent_group=True))
    return group


def focus_group(
    geometry: dict | None, bounds: tuple[float, float, float, float] | None, fit: bool = True
) -> folium.FeatureGroup:
    """A feature outlined (``geometry``, GeoJSON; zoomed to if ``fit``), or a view zoomed to
    (``bounds``, lon/lat): added like a year's layers, so the map moves without being mounted again."""
    group = folium.FeatureGroup(name="focus", control=False)
    if geometry is not None:
        group.add_child(
            _Call("xzHighlight", {"type": "Feature", "geometry": geometry, "properties": {}}, fit)
        )
    elif bounds is not None:
        group.add_child(_Call("xzZoomTo", list(bounds)))
    return group


def _bounds_latlon(layers: Sequence[MapLayer]) -> list[list[float]] | None:
    """South-west and north-east corners of the districts (the lakes reach well beyond the city),
    else of all layers, as Leaflet takes them."""
    if not layers:
        return None
    districts = [x for x in layers if x.name == "districts"]
    b = np.array([x.bounds for x in districts or layers])
    return [[float(b[:, 1].min()), float(b[:, 0].min())], [float(b[:, 3].max()), float(b[:, 2].max())]]


def _base_map(assets: Assets, tiles: Tiles | None, lang: str) -> folium.Map:
    m = folium.Map(location=XUZHOU_CENTRE, zoom_start=9, tiles=None, zoom_snap=0.25)
    # Instance-level: folium's class defaults point at CDNs (and load jQuery, Bootstrap and
    # Font Awesome this map does not use).
    m.default_js = assets.js()
    m.default_css = assets.css()
    _chrome(lang).add_to(m)
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
    m = _base_map(assets or Assets(), tiles, lang)
    groups = []
    for rank, layer in enumerate(layers):
        group = _group(layer, rank)
        if layer.name in BASE_LAYERS:
            group.add_to(m)
        else:
            groups.append(group)
    groups.append(_legend_group(layers, lang))
    return MapView(m, groups, folium.LayerControl(collapsed=True))


def build_map(
    layers: Sequence[MapLayer], *, lang: str = "zh", assets: Assets | None = None, tiles: Tiles | None = None
) -> folium.Map:
    """The whole map in one piece (a page of its own, a report, a workflow preview)."""
    view = build_view(layers, lang=lang, assets=assets, tiles=tiles)
    for group in view.groups:
        group.add_to(view.map)
    view.control.add_to(view.map)
    return view.map
