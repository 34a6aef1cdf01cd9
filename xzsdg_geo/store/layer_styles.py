"""QGIS styles for the store's layers, generated from ``layers/*.toml``: the ``layer_styles`` rows
QGIS reads when it opens a layer of a GeoPackage or PostGIS database, so a bureau's QGIS users see
each layer coloured as the web map colours it, fields under their Chinese names and enum codes shown
as Chinese values.

QML is QGIS's own format (a categorised renderer by the style field, field aliases, value maps); the
SLD beside it carries the same rules for other clients. Both are written here because no library
turns a style description into QML; the subset used is what QGIS 3.x writes itself.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from ..i18n import t
from ..layers import FieldSpec, LayerSpec

STYLE_NAME = "xzsdg"
OWNER = "xzsdg"
OTHER_COLOR = "#999999"  # the web map's colour for a value the style does not list
VERSION_COLUMNS = ("fid", "feature_id", "version", "valid_from", "valid_to", "recorded_by", "source")
_PX_TO_MM = 0.26  # Leaflet's stroke width is in pixels, QGIS's in millimetres (96 dpi)


@dataclass(frozen=True)
class StyleClass:
    """One legend entry: the value it colours (None: every feature, or the rest), label and colour."""

    value: str | None
    label: str
    color: str


@dataclass(frozen=True)
class Columns:
    """How a file names a layer's columns and enum values: the store's codes (the default), or an
    export's (Chinese headers and values)."""

    names: dict[str, str] | None = None
    values_named: bool = False

    def name(self, code: str) -> str:
        return (self.names or {}).get(code, code)


STORE_COLUMNS = Columns()


@dataclass(frozen=True)
class LayerStyle:
    """The row QGIS reads for one table or view."""

    table: str
    qml: str
    sld: str
    description: str


def _rgba(color: str, opacity: float) -> str:
    red, green, blue = (int(color.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    return f"{red},{green},{blue},{round(255 * opacity)}"


def style_classes(spec: LayerSpec, lang: str = "zh", values_named: bool = False) -> list[StyleClass]:
    """The web map's legend entries; ``value`` is the enum code, or its Chinese name when the file
    holds names (``values_named``)."""
    style = spec.style
    if "field" not in style:
        return [StyleClass(None, spec.title(lang), style.get("color", OTHER_COLOR))]
    by = spec.field(style["field"])
    labels = {v.code: (v.zh if lang == "zh" else v.en) for v in by.values}
    stored = {v.code: (v.zh if values_named else v.code) for v in by.values}
    classes = [StyleClass(stored.get(code, code), labels.get(code, code), color)
               for code, color in style["colors"].items()]  # fmt: skip
    return [*classes, StyleClass(None, t("pkg.qgis.other", lang), OTHER_COLOR)]


def _symbol(parent: ET.Element, spec: LayerSpec, name: str, color: str) -> None:
    style = spec.style
    line = spec.is_line and not spec.is_polygon
    symbol = ET.SubElement(parent, "symbol", type="line" if line else "fill", name=name, alpha="1",
                           clip_to_extent="1", force_rhr="0")  # fmt: skip
    layer = ET.SubElement(symbol, "layer", {"class": "SimpleLine" if line else "SimpleFill", "enabled": "1",
                                            "locked": "0", "pass": "0"})  # fmt: skip
    width = f"{float(style.get('weight', 1)) * _PX_TO_MM:.2f}"
    dashed = "dash_array" in style
    props = (
        {"line_color": _rgba(color, 1), "line_width": width, "line_width_unit": "MM",
         "line_style": "dash" if dashed else "solid", "capstyle": "round", "joinstyle": "round"}
        if line else
        {"color": _rgba(color, float(style.get("fill_opacity", 0.5))), "outline_color": _rgba(color, 1),
         "outline_width": width, "outline_width_unit": "MM", "outline_style": "dash" if dashed else "solid",
         "style": "solid" if float(style.get("fill_opacity", 0.5)) > 0 else "no", "joinstyle": "round"}
    )  # fmt: skip
    for key, value in props.items():
        ET.SubElement(layer, "prop", k=key, v=value)


def _renderer(root: ET.Element, spec: LayerSpec, classes: list[StyleClass], columns: Columns) -> None:
    if "field" not in spec.style:
        renderer = ET.SubElement(root, "renderer-v2", type="singleSymbol", symbollevels="0", forceraster="0")
        _symbol(ET.SubElement(renderer, "symbols"), spec, "0", classes[0].color)
        return
    attr = columns.name(spec.style["field"])
    renderer = ET.SubElement(root, "renderer-v2", type="categorizedSymbol", attr=attr, symbollevels="0",
                             forceraster="0", enableorderby="0")  # fmt: skip
    categories, symbols = ET.SubElement(renderer, "categories"), ET.SubElement(renderer, "symbols")
    for i, c in enumerate(classes):
        ET.SubElement(
            categories, "category", value=c.value or "", label=c.label, symbol=str(i), render="true"
        )
        _symbol(symbols, spec, str(i), c.color)


def _column_label(name: str, fields: dict[str, FieldSpec], lang: str) -> str:
    if name in fields:
        return fields[name].label_zh if lang == "zh" else fields[name].label_en
    return t(f"pkg.qgis.col.{name}", lang)


def _fields(root: ET.Element, spec: LayerSpec, lang: str, columns: Columns) -> None:
    """Aliases for every column, and a value map so an enum stored as a code shows (and is edited)
    by its name."""
    fields = {f.name: f for f in spec.fields}
    codes = [*VERSION_COLUMNS, *fields] if columns.names is None else list(columns.names)
    configuration = ET.SubElement(root, "fieldConfiguration")
    for name in codes:
        field = ET.SubElement(configuration, "field", name=columns.name(name), configurationFlags="None")
        spec_field = fields.get(name)
        if spec_field is None or spec_field.type != "enum" or columns.values_named:
            continue
        widget = ET.SubElement(field, "editWidget", type="ValueMap")
        options = ET.SubElement(ET.SubElement(widget, "config"), "Option", type="Map")
        listed = ET.SubElement(options, "Option", name="map", type="List")
        for value in spec_field.values:
            entry = ET.SubElement(listed, "Option", type="Map")
            ET.SubElement(entry, "Option", name=value.zh if lang == "zh" else value.en, type="QString",
                          value=value.code)  # fmt: skip
    aliases = ET.SubElement(root, "aliases")
    for index, name in enumerate(codes):
        label = _column_label(name, fields, lang) if columns.names is None else columns.name(name)
        ET.SubElement(aliases, "alias", field=columns.name(name), index=str(index), name=label)


def qml(spec: LayerSpec, lang: str = "zh", columns: Columns = STORE_COLUMNS) -> str:
    root = ET.Element("qgis", version="3.28.0", styleCategories="Symbology|Fields|Forms")
    _renderer(root, spec, style_classes(spec, lang, columns.values_named), columns)
    _fields(root, spec, lang, columns)
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(root, "unicode")


_SLD = "http://www.opengis.net/sld"
_OGC = "http://www.opengis.net/ogc"
_SE = "http://www.opengis.net/se"


def _svg(parent: ET.Element, **params: object) -> None:
    for name, value in params.items():
        ET.SubElement(parent, f"{{{_SE}}}SvgParameter", name=name.replace("_", "-")).text = str(value)


def sld(spec: LayerSpec, lang: str = "zh", columns: Columns = STORE_COLUMNS) -> str:
    """The same classes as SLD 1.1 rules (a rule per coloured value, then the rest)."""
    ET.register_namespace("", _SLD)
    ET.register_namespace("ogc", _OGC)
    ET.register_namespace("se", _SE)
    root = ET.Element(f"{{{_SLD}}}StyledLayerDescriptor", version="1.1.0")
    named = ET.SubElement(root, f"{{{_SLD}}}NamedLayer")
    ET.SubElement(named, f"{{{_SE}}}Name").text = spec.name
    feature_style = ET.SubElement(ET.SubElement(named, f"{{{_SLD}}}UserStyle"), f"{{{_SE}}}FeatureTypeStyle")
    style, line = spec.style, spec.is_line and not spec.is_polygon
    for c in style_classes(spec, lang, columns.values_named):
        rule = ET.SubElement(feature_style, f"{{{_SE}}}Rule")
        ET.SubElement(rule, f"{{{_SE}}}Name").text = c.label
        if c.value is not None:
            equal = ET.SubElement(ET.SubElement(rule, f"{{{_OGC}}}Filter"), f"{{{_OGC}}}PropertyIsEqualTo")
            ET.SubElement(equal, f"{{{_OGC}}}PropertyName").text = columns.name(style["field"])
            ET.SubElement(equal, f"{{{_OGC}}}Literal").text = c.value
        elif "field" in style:
            ET.SubElement(rule, f"{{{_SE}}}ElseFilter")
        symbolizer = ET.SubElement(rule, f"{{{_SE}}}{'Line' if line else 'Polygon'}Symbolizer")
        if not line and float(style.get("fill_opacity", 0.5)) > 0:
            _svg(
                ET.SubElement(symbolizer, f"{{{_SE}}}Fill"), fill=c.color, fill_opacity=style["fill_opacity"]
            )
        stroke = ET.SubElement(symbolizer, f"{{{_SE}}}Stroke")
        _svg(stroke, stroke=c.color, stroke_width=style.get("weight", 1))
        if "dash_array" in style:
            _svg(stroke, stroke_dasharray=style["dash_array"])
    return ET.tostring(root, "unicode", xml_declaration=True)


def layer_styles(specs: list[LayerSpec], lang: str = "zh") -> list[LayerStyle]:
    """A default style for each layer's current view and for its history table."""
    return [
        LayerStyle(
            table, qml(spec, lang), sld(spec, lang), t("pkg.qgis.style_description", lang, layer=spec.name)
        )
        for spec in specs
        for table in (f"{spec.name}_current", spec.name)
    ]
