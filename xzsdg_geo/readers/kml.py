"""KML and KMZ, including Ovital's ``.ovkml``/``.ovkmz`` exports (whose coordinates are GCJ-02).

Parsed here rather than by GDAL so that the XML never reaches a parser that expands entities:
defusedxml refuses any DTD, hence entity bombs and external entities. Each Placemark is a
feature: its ``<name>``, ``<description>``, folder path and every ExtendedData value (``Data`` and
``SchemaData``) become columns. GBK-declared files are decoded here (expat reads no multi-byte
encodings besides UTF-8/16).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import PurePath, PurePosixPath

import geopandas as gpd
import shapely
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from ..crs import LONLAT
from ..errors import UserError
from . import encoding as enc
from .base import ReadOptions, SourceLayer, make_layer
from .safe_zip import read_members, zip_names

KML_SUFFIXES = (".kml", ".ovkml")
GCJ02_SUFFIXES = (".ovkml", ".ovkmz")
_DECLARED_ENCODING = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_PROLOG = re.compile(r"^\s*<\?xml[^>]*\?>")
_CONTAINERS = {"Document", "Folder"}


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(elem: ET.Element, name: str) -> ET.Element | None:
    return next((c for c in elem if _local(c.tag) == name), None)


def _text(elem: ET.Element | None) -> str | None:
    return elem.text.strip() if elem is not None and elem.text else None


class KmlReader:
    """``.kml``/``.ovkml`` XML and ``.kmz``/``.ovkmz`` archives holding one."""

    name = "kml"

    def sniff(self, data: bytes, filename: str) -> bool:
        if filename.lower().endswith((*KML_SUFFIXES, ".kmz", ".ovkmz")):
            return True
        if any(n.lower().endswith(KML_SUFFIXES) for n in zip_names(data)):
            return True
        head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
        return head.startswith(b"<") and b"<kml" in head

    def read(self, data: bytes, filename: str, options: ReadOptions) -> list[SourceLayer]:
        gcj02 = filename.lower().endswith(GCJ02_SUFFIXES)
        if data.startswith(b"PK"):
            member, data = _main_document(data)
            gcj02 = gcj02 or member.lower().endswith(GCJ02_SUFFIXES)
        text, codec = _decode(data, options.encoding)
        frame = _placemarks(_parse(text))
        name = PurePath(filename).stem
        return [make_layer(name, frame, options, declared=LONLAT, encoding=codec, gcj02=gcj02)]


def _main_document(data: bytes) -> tuple[str, bytes]:
    """The KML inside a KMZ: ``doc.kml`` when present, else the one nearest the root."""
    members = read_members(data, KML_SUFFIXES)
    if not members:
        raise UserError("kml.no_document")
    name = min(members, key=lambda n: (PurePosixPath(n).name.lower() != "doc.kml", n.count("/"), n))
    return name, members[name]


def _decode(data: bytes, chosen: str | None) -> tuple[str, str]:
    declared = _DECLARED_ENCODING.match(data)
    label = chosen or (declared.group(1).decode() if declared else None)
    text, codec = enc.decode(data, label)
    return _PROLOG.sub("", text, count=1), codec


def _parse(text: str) -> ET.Element:
    try:
        return fromstring(text.encode("utf-8"), forbid_dtd=True)
    except DefusedXmlException:
        raise UserError("kml.unsafe") from None
    except ET.ParseError as err:
        raise UserError("kml.broken", detail=str(err)[:120]) from None


def _placemarks(root: ET.Element) -> gpd.GeoDataFrame:
    rows, geoms = [], []

    def walk(elem: ET.Element, path: tuple[str, ...]) -> None:
        for child in elem:
            kind = _local(child.tag)
            if kind in _CONTAINERS:
                folder = _text(_child(child, "name"))
                walk(child, (*path, folder) if kind == "Folder" and folder else path)
            elif kind == "Placemark":
                rows.append(_attributes(child, path))
                geoms.append(_geometry_of(child, rows[-1]["name"]))

    walk(root, ())
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=LONLAT) if rows else gpd.GeoDataFrame(geometry=[])


def _attributes(placemark: ET.Element, path: tuple[str, ...]) -> dict[str, object]:
    row: dict[str, object] = {
        "name": _text(_child(placemark, "name")),
        "description": _text(_child(placemark, "description")),
        "folder": "/".join(path) or None,
    }
    extended = _child(placemark, "ExtendedData")
    for item in extended.iter() if extended is not None else ():
        kind = _local(item.tag)
        if kind == "Data" and item.get("name"):
            row[item.get("name")] = _text(_child(item, "value"))
        elif kind == "SimpleData" and item.get("name"):
            row[item.get("name")] = _text(item)
    return row


_GEOMETRY_TAGS = {"Point", "LineString", "LinearRing", "Polygon", "MultiGeometry"}


def _geometry_of(placemark: ET.Element, name: str | None) -> shapely.Geometry | None:
    elem = next((c for c in placemark if _local(c.tag) in _GEOMETRY_TAGS), None)
    if elem is None:
        return None
    try:
        return _geometry(elem)
    except (ValueError, IndexError, shapely.errors.GEOSException):
        raise UserError("kml.bad_geometry", name=name or "—") from None


def _coordinates(elem: ET.Element | None) -> list[tuple[float, float]]:
    text = _text(_child(elem, "coordinates")) if elem is not None else None
    if not text:
        raise ValueError("no coordinates")
    tokens = re.sub(r"\s*,\s*", ",", text).split()
    return [(float(t.split(",")[0]), float(t.split(",")[1])) for t in tokens]


def _ring(boundary: ET.Element | None) -> list[tuple[float, float]]:
    return _coordinates(_child(boundary, "LinearRing") if boundary is not None else None)


def _geometry(elem: ET.Element) -> shapely.Geometry:
    kind = _local(elem.tag)
    if kind == "Point":
        return shapely.Point(_coordinates(elem)[0])
    if kind == "LineString":
        return shapely.LineString(_coordinates(elem))
    if kind == "LinearRing":
        return shapely.Polygon(_coordinates(elem))
    if kind == "Polygon":
        holes = [_ring(b) for b in elem if _local(b.tag) == "innerBoundaryIs"]
        return shapely.Polygon(_ring(_child(elem, "outerBoundaryIs")), holes)
    parts = [_geometry(c) for c in elem if _local(c.tag) in _GEOMETRY_TAGS]
    return _collect(parts)


def _collect(parts: list[shapely.Geometry]) -> shapely.Geometry:
    """A MultiGeometry as the matching multi type, or a collection when its parts are mixed."""
    kinds = {p.geom_type for p in parts}
    if kinds <= {"Polygon", "MultiPolygon"} and parts:
        return shapely.MultiPolygon(list(shapely.get_parts(parts))) if len(parts) > 1 else parts[0]
    if kinds == {"LineString"}:
        return shapely.MultiLineString(parts)
    if kinds == {"Point"}:
        return shapely.MultiPoint(parts)
    return shapely.GeometryCollection(parts)
