"""KML for Google Earth and 奥维 (Ovital): lon/lat on WGS 84; each placemark named after its feature
and styled as the web map styles it (the layer's colour classes, stroke width and fill opacity).

GDAL writes the placemarks; the ``<Style>`` elements and each placemark's ``<styleUrl>`` are added
to its document afterwards, since GDAL's KML writer takes no per-feature style from a data frame.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pandas as pd
import pyogrio

from ..layers import LayerSpec
from ..store import Store
from ..store.layer_styles import StyleClass, style_classes
from .base import scratch
from .frames import headers, layer_frame
from .geojson import WGS84
from .options import FieldNames, LayerOptions

KML_NS = "http://www.opengis.net/kml/2.2"
_K = f"{{{KML_NS}}}"


def name_field(spec: LayerSpec) -> str:
    return "name" if "name" in spec.field_names else spec.id_field


def _kml_color(hex_color: str, opacity: float) -> str:
    """KML's aabbggrr."""
    red, green, blue = hex_color[1:3], hex_color[3:5], hex_color[5:7]
    return f"{round(255 * opacity):02x}{blue}{green}{red}"


def _style(document: ET.Element, index: int, spec: LayerSpec, c: StyleClass) -> None:
    style = ET.Element(f"{_K}Style", id=f"class{index}")
    line = ET.SubElement(style, f"{_K}LineStyle")
    ET.SubElement(line, f"{_K}color").text = _kml_color(c.color, 1.0)
    ET.SubElement(line, f"{_K}width").text = str(spec.style.get("weight", 1))
    poly = ET.SubElement(style, f"{_K}PolyStyle")
    ET.SubElement(poly, f"{_K}color").text = _kml_color(c.color, float(spec.style.get("fill_opacity", 0.5)))
    document.insert(index, style)


def _class_of_rows(spec: LayerSpec, frame: pd.DataFrame, classes: list[StyleClass]) -> list[int]:
    """Each row's class index: its value's class, else the last one (every other value)."""
    if "field" not in spec.style:
        return [0] * len(frame)
    index = {c.value: i for i, c in enumerate(classes) if c.value is not None}
    values = frame[spec.style["field"]].astype("string")
    return [index.get(v, len(classes) - 1) if not pd.isna(v) else len(classes) - 1 for v in values]


def _styled(data: bytes, spec: LayerSpec, rows: list[int], classes: list[StyleClass]) -> bytes:
    ET.register_namespace("", KML_NS)
    root = ET.fromstring(data)
    document = root.find(f"{_K}Document")
    assert document is not None  # GDAL always writes one
    for i, c in enumerate(classes):
        _style(document, i, spec, c)
    for placemark, row in zip(root.iter(f"{_K}Placemark"), rows, strict=True):
        for inline in placemark.findall(f"{_K}Style"):  # GDAL's own default would win over ours
            placemark.remove(inline)
        url = ET.Element(f"{_K}styleUrl")
        url.text = f"#class{row}"
        placemark.insert(1 if placemark.find(f"{_K}name") is not None else 0, url)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def kml(store: Store, spec: LayerSpec, options: LayerOptions | None = None) -> bytes:
    options = options or LayerOptions()
    frame = layer_frame(store, spec, options)
    classes = style_classes(spec, values_named=options.names == FieldNames.ZH)
    rows = _class_of_rows(spec, frame, classes)
    names = headers(spec, options.names)
    with scratch() as tmp:
        path = tmp / f"{spec.name}.kml"
        pyogrio.write_dataframe(
            frame.rename(columns=names).to_crs(WGS84),
            path,
            layer=spec.title_zh,
            driver="KML",
            use_arrow=True,
            dataset_options={"NameField": names[name_field(spec)]},
        )
        return _styled(path.read_bytes(), spec, rows, classes)
