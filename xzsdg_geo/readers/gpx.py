"""GPX from handheld GNSS receivers and phone apps: tracks, routes and waypoints, WGS84 lon/lat.

Parsed with defusedxml (as KML is) rather than GDAL's GPX driver so that no DTD or entity reaches
a parser. A track is one feature per ``<trk>`` (its segments as a multiline), a route one per
``<rte>``, a waypoint a point; ``<name>``/``<desc>`` become columns. A track walked round a parcel
ends where it began: for polygon layers the validation takes such closed lines as polygons.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import PurePath

import geopandas as gpd
import shapely
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from ..crs import LONLAT
from ..errors import UserError
from .base import ReadOptions, SourceLayer, make_layer
from .kml import _child, _local, _text


def _lonlat(point: ET.Element, owner: ET.Element) -> tuple[float, float]:
    try:
        return float(point.get("lon", "")), float(point.get("lat", ""))
    except ValueError:
        raise UserError("gpx.bad_point", name=_text(_child(owner, "name")) or "—") from None


def _points(elem: ET.Element, tag: str) -> list[tuple[float, float]]:
    return [_lonlat(p, elem) for p in elem if _local(p.tag) == tag]


def _feature(elem: ET.Element) -> tuple[dict[str, object], shapely.Geometry | None]:
    kind = _local(elem.tag)
    row = {"name": _text(_child(elem, "name")), "description": _text(_child(elem, "desc")), "kind": kind}
    if kind == "wpt":
        return row, shapely.Point(_lonlat(elem, elem))
    if kind == "rte":
        pts = _points(elem, "rtept")
        return row, shapely.LineString(pts) if len(pts) > 1 else None
    segments = [_points(seg, "trkpt") for seg in elem if _local(seg.tag) == "trkseg"]
    lines = [shapely.LineString(s) for s in segments if len(s) > 1]
    return row, (lines[0] if len(lines) == 1 else shapely.MultiLineString(lines) if lines else None)


class GpxReader:
    name = "gpx"

    def sniff(self, data: bytes, filename: str) -> bool:
        return filename.lower().endswith(".gpx") or b"<gpx" in data[:1024]

    def read(self, data: bytes, filename: str, options: ReadOptions) -> list[SourceLayer]:
        try:
            root = fromstring(data, forbid_dtd=True)
        except DefusedXmlException:
            raise UserError("kml.unsafe") from None
        except ET.ParseError as err:
            raise UserError("gpx.broken", detail=str(err)[:120]) from None
        rows, geoms = [], []
        for elem in root:
            if _local(elem.tag) in ("trk", "rte", "wpt"):
                row, geom = _feature(elem)
                rows.append(row)
                geoms.append(geom)
        frame = gpd.GeoDataFrame(rows, geometry=geoms, crs=LONLAT) if rows else gpd.GeoDataFrame(geometry=[])
        return [make_layer(PurePath(filename).stem, frame, options, declared=LONLAT, encoding="utf-8")]
