"""The workflow pages' maps: an upload's features by verdict, and a submission over what it replaces.

Built from the overview's pieces (:class:`~xzsdg_geo.mapping.MapLayer` drawn by
:func:`~xzsdg_geo.mapping.build_map`: local Leaflet, a layer control, a legend, popups), so these
maps fetch nothing from outside either. Popups are HTML and their text comes from uploaded files:
everything is escaped here. Free of streamlit: the pages draw the result (and may cache the plain
data of :class:`PreviewMap`), tests build it alone.
"""

from __future__ import annotations

import dataclasses
import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import folium
import geopandas as gpd
import numpy as np
import shapely
from branca.element import MacroElement
from folium.template import Template
from shapely.geometry import mapping as geojson

from .i18n import t
from .layers import LayerSpec, get_layer
from .mapping import (
    MISSING,
    Assets,
    LayerStyle,
    MapLayer,
    StyleClass,
    build_map,
    display_value,
    layer_data,
    trim,
)
from .services.review import Preview
from .store import NewFeature, Store
from .textfmt import fmt_num
from .validation import FeatureReport, Finding, ValidationReport
from .validation.severity import BLOCKER, WARNING

OK = "ok"
VERDICT_COLORS = {OK: "#31a354", WARNING: "#f28e2b", BLOCKER: "#d62728"}
CHANGE_COLORS = {"new": "#1f77b4", "changed": "#f28e2b", "unchanged": "#31a354"}
BEFORE_STYLE = {"weight": 2, "fill_opacity": 0.0, "dash_array": "5 4"}
REMOVED_COLOR = "#d62728"
BEFORE_COLOR = "#444444"
NEARBY_COLOR = "#9e9e9e"
DRAWN_STYLE = {"weight": 2, "fill_opacity": 0.45}
NEARBY_STYLE = {"weight": 1, "fill_opacity": 0.15}
NEAR_DEG = 0.01  # about 1 km: how far around a submission the layer's other features are drawn
FIT_MARGIN = 0.15  # of the drawn extent, on each side
MIN_MARGIN_DEG = 0.002  # about 200 m, for a single small feature


@dataclass(frozen=True)
class Pin:
    """A numbered marker: where an issue's feature is (its number as in the report table)."""

    lat: float
    lon: float
    label: int
    color: str


class _Pins(MacroElement):
    """Numbered circles (``L.divIcon``): Leaflet's default marker is never created, so its icon images,
    which this app does not serve, are never asked for. They let clicks through to the feature."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.pins }}.forEach(function (p) {
            var look = "width:20px;height:20px;border-radius:10px;color:#fff;text-align:center;"
                + "font:600 11px/20px sans-serif;box-shadow:0 0 2px #000;background:" + p[3];
            var html = '<div style="' + look + '">' + p[2] + "</div>";
            L.marker([p[0], p[1]], {
                icon: L.divIcon({className: "xz-pin", html: html, iconSize: [20, 20], iconAnchor: [10, 10]}),
                interactive: false, keyboard: false
            }).addTo({{ this._parent.get_name() }});
        });
        {% endmacro %}
        """
    )

    def __init__(self, pins: Sequence[Pin]) -> None:
        super().__init__()
        self._name = "Pins"
        # numbers and "#rrggbb" colours only: nothing here needs escaping
        self.pins = json.dumps([[p.lat, p.lon, int(p.label), p.color] for p in pins])


@dataclass(frozen=True)
class PreviewMap:
    """A workflow map as plain, cacheable data; :meth:`build` draws it."""

    layers: list[MapLayer]
    pins: list[Pin] = field(default_factory=list)

    def build(self, lang: str = "zh", assets: Assets | None = None) -> folium.Map:
        m = build_map(self.layers, lang=lang, assets=assets)
        if self.pins:
            _Pins(self.pins).add_to(m)
        return m


def _bounds(geoms: Sequence[shapely.Geometry]) -> tuple[float, float, float, float]:
    """What the map fits: the features with a margin, so pins and outlines at the edge show whole."""
    x0, y0, x1, y1 = (float(v) for v in shapely.total_bounds(np.asarray(geoms, dtype=object)))
    dx, dy = max((x1 - x0) * FIT_MARGIN, MIN_MARGIN_DEG), max((y1 - y0) * FIT_MARGIN, MIN_MARGIN_DEG)
    return (x0 - dx, y0 - dy, x1 + dx, y1 + dy)


def _feature(props: Mapping[str, str], geom: shapely.Geometry) -> dict:
    return {"type": "Feature", "properties": dict(props), "geometry": geojson(geom)}


def _layer(
    name: str,
    title: str,
    spec: LayerSpec,
    fields: tuple[tuple[str, str], ...],
    classes: list[StyleClass],
    bounds: tuple[float, float, float, float],
) -> MapLayer:
    """A map layer whose popups show ``fields`` (key, label); ``title`` and labels get escaped."""
    return MapLayer(
        name=name,
        title=html.escape(title),
        control_name=html.escape(title),
        note=None,
        fields=tuple(k for k, _ in fields),
        labels=tuple(html.escape(label) for _, label in fields),
        classes=tuple(c for c in classes if c.features),
        points="Point" in spec.geometry,
        bounds=bounds,
    )


def _class(label: str, style: LayerStyle, color: str, features: list[dict]) -> StyleClass:
    return StyleClass(html.escape(label), style.path(color), style.swatch, features)


def _context(districts: gpd.GeoDataFrame | None, bounds: tuple, lang: str) -> list[MapLayer]:
    """District outlines for orientation; they take the drawn features' bounds, so the map fits those."""
    if districts is None or districts.empty:
        return []
    layer = layer_data(get_layer("districts"), districts, lang)
    return [dataclasses.replace(layer, bounds=bounds)] if layer else []


# -- an upload, by verdict ------------------------------------------------------------------------
def _verdict(findings: list[Finding]) -> str:
    if any(f.blocking for f in findings):
        return BLOCKER
    return WARNING if findings else OK


def _measure(report: ValidationReport, feature: FeatureReport) -> str:
    value = getattr(feature, report.measure)
    return fmt_num(value) if value is not None else MISSING


def _upload_props(report: ValidationReport, feature: FeatureReport, found: list[Finding], lang: str) -> dict:
    messages = "<br>".join(html.escape(f.message(lang)) for f in found)
    return {
        "n": str(feature.index + 1),
        "feature_id": html.escape(feature.feature_id or MISSING),
        "name": html.escape(feature.name or MISSING),
        "measure": _measure(report, feature),
        "issues": messages or html.escape(t("pages.map_no_issue", lang)),
    }


def _window(frame: gpd.GeoDataFrame | None, bounds: tuple) -> gpd.GeoDataFrame | None:
    """The rows of a store layer near the drawn extent (a whole city's zones are not needed)."""
    if frame is None or frame.empty:
        return None
    x0, y0, x1, y1 = bounds
    box = shapely.box(x0 - NEAR_DEG, y0 - NEAR_DEG, x1 + NEAR_DEG, y1 + NEAR_DEG)
    return frame[shapely.intersects(frame.geometry.to_numpy(), box)]


def _zones(zones: gpd.GeoDataFrame | None, bounds: tuple, lang: str) -> list[MapLayer]:
    near = _window(zones, bounds)
    layer = layer_data(get_layer("subsidence_zones"), near, lang) if near is not None else None
    return [dataclasses.replace(layer, bounds=bounds)] if layer else []


def conflicting(
    approved: gpd.GeoDataFrame | None, geoms: Sequence[shapely.Geometry]
) -> gpd.GeoDataFrame | None:
    """The approved features an upload's features share ground (or, for lines, any point) with."""
    if approved is None or approved.empty or not len(geoms):
        return None
    tree = shapely.STRtree(approved.geometry.to_numpy())
    drawn = np.asarray(geoms, dtype=object)
    pairs = tree.query(drawn, predicate="intersects")
    if not pairs.size:
        return None
    shared = shapely.intersection(drawn[pairs[0]], tree.geometries[pairs[1]])
    real = (shapely.area(shared) > 0) | (shapely.get_dimensions(drawn[pairs[0]]) < 2)
    rows = np.unique(pairs[1][real])
    return approved.iloc[rows] if len(rows) else None


def _conflicts(
    spec: LayerSpec, approved: gpd.GeoDataFrame | None, geoms: Sequence, bounds: tuple, lang: str
) -> list[MapLayer]:
    """The layer's approved features the upload overlaps, dashed red, with their attributes."""
    hit = conflicting(approved, geoms)
    if hit is None:
        return []
    label = t("ff.map_conflicts", lang)
    features = [
        _feature(_props(spec, row, label, None, lang), geom)
        for row, geom in zip(hit.to_dict("records"), trim(hit.geometry.to_numpy()), strict=True)
    ]
    style = LayerStyle({**BEFORE_STYLE, "weight": 3}, spec.is_line)
    labels = ((f.name, f.label_zh if lang == "zh" else f.label_en) for f in spec.fields)
    fields = (("change", t("pages.col_change", lang)), *labels)
    return [_layer("conflicts", label, spec, fields, [_class(label, style, REMOVED_COLOR, features)], bounds)]


def upload_map(
    report: ValidationReport,
    lang: str = "zh",
    districts: gpd.GeoDataFrame | None = None,
    zones: gpd.GeoDataFrame | None = None,
    approved: gpd.GeoDataFrame | None = None,
) -> PreviewMap | None:
    """The file's features coloured ok / warning / blocker, a numbered pin on each with an issue,
    over the district outlines, the subsidence zones nearby and the layer's ``approved`` features
    the upload overlaps (what an overlap finding is about, drawn where it is).

    ``None`` when no feature could be placed (the report then has only file-level findings).
    """
    spec = get_layer(report.layer)
    by_feature: dict[int, list[Finding]] = {}
    for finding in [*report.errors, *report.warnings]:
        if finding.feature is not None:
            by_feature.setdefault(finding.feature, []).append(finding)
    placed = [f for f in report.features if f.geometry is not None and not f.geometry.is_empty]
    if not placed:
        return None
    geoms = trim(np.array([f.geometry for f in placed], dtype=object))
    groups: dict[str, list[dict]] = {OK: [], WARNING: [], BLOCKER: []}
    pins = []
    for feature, geom in zip(placed, geoms, strict=True):
        found = by_feature.get(feature.index, [])
        verdict = _verdict(found)
        groups[verdict].append(_feature(_upload_props(report, feature, found, lang), geom))
        if found:
            spot = shapely.point_on_surface(feature.geometry)
            pins.append(Pin(spot.y, spot.x, feature.index + 1, VERDICT_COLORS[verdict]))
    style = LayerStyle(DRAWN_STYLE, spec.is_line)
    classes = [_class(t(f"pages.verdict_{v}", lang), style, VERDICT_COLORS[v], groups[v]) for v in groups]
    measure_label = t("pages.col_length" if report.measure == "length_m" else "pages.col_area", lang)
    fields = (("n", t("pages.col_feature", lang)), ("feature_id", t("pages.col_feature_id", lang)),
              ("name", t("pages.col_name", lang)), ("measure", measure_label),
              ("issues", t("pages.col_issues", lang)))  # fmt: skip
    bounds = _bounds([f.geometry for f in placed])
    layer = _layer(
        "upload", t("pages.map_upload", lang, layer=spec.title(lang)), spec, fields, classes, bounds
    )
    surroundings = [*_context(districts, bounds, lang), *_zones(zones, bounds, lang)]
    conflicts = _conflicts(spec, approved, [f.geometry for f in placed], bounds, lang)
    return PreviewMap([*surroundings, *conflicts, layer], pins)


# -- a submission over the features it would replace ---------------------------------------------
def _props(spec: LayerSpec, values: Mapping[str, object], change: str, area: float | None, lang: str) -> dict:
    props = {f.name: display_value(f, values.get(f.name), lang) for f in spec.fields}
    return {"change": html.escape(change), "area": fmt_num(area) if area is not None else MISSING, **props}


def _nearby(current: gpd.GeoDataFrame, bounds: tuple, skip: set[str]) -> gpd.GeoDataFrame:
    x0, y0, x1, y1 = bounds
    window = shapely.box(x0 - NEAR_DEG, y0 - NEAR_DEG, x1 + NEAR_DEG, y1 + NEAR_DEG)
    near = current[shapely.intersects(current.geometry.to_numpy(), window)]
    return near[~near["feature_id"].isin(skip)]


def _change_label(kind: str, lang: str) -> str:
    return t(f"pages.change_{kind}", lang)


def _proposed(spec: LayerSpec, submitted: list[NewFeature], diffs: dict, lang: str) -> list[StyleClass]:
    """The submitted features, one class per kind of change."""
    groups: dict[str, list[dict]] = {kind: [] for kind in CHANGE_COLORS}
    geoms = trim(np.array([f.geometry for f in submitted], dtype=object))
    for f, geom in zip(submitted, geoms, strict=True):
        d = diffs[f.feature_id]
        props = _props(spec, f.properties, _change_label(d.kind, lang), d.area_after_ha, lang)
        groups[d.kind].append(_feature(props, geom))
    style = LayerStyle(DRAWN_STYLE, spec.is_line)
    return [_class(_change_label(k, lang), style, color, groups[k]) for k, color in CHANGE_COLORS.items()]


def _existing(
    spec: LayerSpec, current: gpd.GeoDataFrame, diffs: dict, bounds: tuple, lang: str
) -> list[StyleClass]:
    """What is there now: the versions a change replaces, what approval retires, the rest nearby."""
    groups: dict[str, list[dict]] = {"nearby": [], "before": [], "removed": []}
    replaced = [
        d for d in diffs.values() if d.kind in ("changed", "removed") and d.feature_id in current.index
    ]
    rows = current.loc[[d.feature_id for d in replaced]]
    for d, row, geom in zip(replaced, rows.to_dict("records"), trim(rows.geometry.to_numpy()), strict=True):
        kind = "removed" if d.kind == "removed" else "before"
        groups[kind].append(
            _feature(_props(spec, row, _change_label(kind, lang), d.area_before_ha, lang), geom)
        )
    others = _nearby(current, bounds, set(diffs))
    for row, geom in zip(others.to_dict("records"), trim(others.geometry.to_numpy()), strict=True):
        groups["nearby"].append(_feature(_props(spec, row, _change_label("nearby", lang), None, lang), geom))
    looks = {"nearby": (NEARBY_STYLE, NEARBY_COLOR), "before": (BEFORE_STYLE, BEFORE_COLOR),
             "removed": (DRAWN_STYLE, REMOVED_COLOR)}  # fmt: skip
    return [
        _class(_change_label(kind, lang), LayerStyle(style, spec.is_line), color, groups[kind])
        for kind, (style, color) in looks.items()
    ]


def review_map(store: Store, preview: Preview, lang: str = "zh") -> PreviewMap:
    """Submitted features coloured new / changed / unchanged over the versions they replace (dashed),
    the features approval would retire (red) and the layer's other features nearby (grey)."""
    sub = preview.submission
    spec = get_layer(sub.layer)
    diffs = {d.feature_id: d for d in preview.diffs}
    submitted = preview.features
    current = store.features(sub.layer).set_index("feature_id", drop=False)
    replaced = [current.geometry[fid] for fid in diffs if fid in current.index]
    bounds = _bounds([f.geometry for f in submitted] + replaced)
    labels = ((f.name, f.label_zh if lang == "zh" else f.label_en) for f in spec.fields)
    fields = (("change", t("pages.col_change", lang)), ("area", t("pages.col_area", lang)), *labels)
    existing = _existing(spec, current, diffs, bounds, lang)
    proposed = _proposed(spec, submitted, diffs, lang)
    return PreviewMap([
        *_context(store.features("districts"), bounds, lang),
        _layer("existing", t("pages.map_existing", lang), spec, fields, existing, bounds),
        _layer("submitted", t("pages.map_submitted", lang, id=sub.id), spec, fields, proposed, bounds),
    ])  # fmt: skip
