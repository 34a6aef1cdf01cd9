"""KML and KMZ, including Ovital's ``.ovkml``/``.ovkmz`` exports.

Ovital (奥维互动地图) says per placemark, or for a whole folder or document, which coordinates it
wrote: ``<OvCoordType>`` CGCS2000, WGS84 or GCJ-02. CGCS2000 and WGS84 are taken as they are (they
differ by centimetres); GCJ-02 placemarks are converted here, one by one, so a mixed file lands
right. An Ovital file that declares nothing keeps the old assumption (GCJ-02, Ovital's default web
map) and says so; the uploader's "GCJ-02" choice applies to the whole file instead.

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
import numpy as np
import shapely
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from ..crs import LONLAT
from ..errors import UserError
from ..gcj02 import geometries_to_wgs84
from . import encoding as enc
from .base import Note, ReadOptions, SourceLayer, make_layer
from .safe_zip import read_members, zip_names

KML_SUFFIXES = (".kml", ".ovkml")
GCJ02_SUFFIXES = (".ovkml", ".ovkmz")
_DECLARED_ENCODING = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_PROLOG = re.compile(r"^\s*<\?xml[^>]*\?>")
_CONTAINERS = {"Document", "Folder"}
COORD_TYPE_TAG = "OvCoordType"
# Ovital's spellings of its coordinate types → ours; BD-09 and others are refused, not guessed.
_COORD_TYPES = {"cgcs2000": "cgcs2000", "wgs84": "wgs84", "gcj02": "gcj02"}
ASSUMED = "assumed"  # an Ovital placemark that declares no type (taken as GCJ-02)


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
        ovital = filename.lower().endswith(GCJ02_SUFFIXES)
        if data.startswith(b"PK"):
            member, data = _main_document(data)
            ovital = ovital or member.lower().endswith(GCJ02_SUFFIXES)
        text, codec = _decode(data, options.encoding)
        frame, types = _placemarks(_parse(text))
        notes: list[Note] = []
        if not options.gcj02:  # the uploader's choice covers the whole file, in the validation stage
            frame, notes = _apply_coord_types(frame, types, ovital)
        name = PurePath(filename).stem
        return [make_layer(name, frame, options, declared=LONLAT, encoding=codec, notes=notes)]


def _apply_coord_types(
    frame: gpd.GeoDataFrame, types: list[str | None], ovital: bool
) -> tuple[gpd.GeoDataFrame, list[Note]]:
    """GCJ-02 placemarks moved to their real place; a note saying what each type counted."""
    resolved = [t or (ASSUMED if ovital else None) for t in types]
    moved = [t in ("gcj02", ASSUMED) for t in resolved]
    if any(moved):
        geoms = frame.geometry.to_numpy().copy()
        mask = np.array(moved)
        geoms[mask] = geometries_to_wgs84(geoms[mask])
        frame = frame.set_geometry(gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs))
    counts = {t: resolved.count(t) for t in ("cgcs2000", "wgs84", "gcj02", ASSUMED)}
    notes = []
    if any(counts[t] for t in ("cgcs2000", "wgs84", "gcj02")):
        notes.append(Note("ovital_coord_types", {k: counts[k] for k in ("cgcs2000", "wgs84", "gcj02")}))
    if counts[ASSUMED]:
        notes.append(Note("ovital_assumed_gcj02", {"n": counts[ASSUMED]}))
    return frame, notes


def _coord_type(elem: ET.Element, inherited: str | None) -> str | None:
    """The element's own ``<OvCoordType>`` in our spelling, else what it inherits."""
    text = _text(_child(elem, COORD_TYPE_TAG))
    if text is None:
        return inherited
    key = re.sub(r"[^a-z0-9]", "", text.lower())
    if key not in _COORD_TYPES:
        raise UserError("kml.ov_coord_unknown", value=text[:40])
    return _COORD_TYPES[key]


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


def _placemarks(root: ET.Element) -> tuple[gpd.GeoDataFrame, list[str | None]]:
    """Every placemark as a row, and each one's declared Ovital coordinate type (None: none)."""
    rows, geoms, types = [], [], []

    def walk(elem: ET.Element, path: tuple[str, ...], coord_type: str | None) -> None:
        for child in elem:
            kind = _local(child.tag)
            if kind in _CONTAINERS:
                folder = _text(_child(child, "name"))
                inner = (*path, folder) if kind == "Folder" and folder else path
                walk(child, inner, _coord_type(child, coord_type))
            elif kind == "Placemark":
                rows.append(_attributes(child, path))
                geoms.append(_geometry_of(child, rows[-1]["name"]))
                types.append(_coord_type(child, coord_type))

    walk(root, (), _coord_type(root, None))
    if not rows:
        return gpd.GeoDataFrame(geometry=[]), []
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=LONLAT), types


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
