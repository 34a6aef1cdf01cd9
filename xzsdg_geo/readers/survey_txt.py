"""Land-survey boundary-point files (勘测定界 界址点坐标交换格式), GBK or UTF-8.

Layout::

    [属性描述]
    坐标系=2000国家大地坐标系
    几度分带=3
    投影类型=高斯克吕格
    计量单位=米
    带号=39
    [地块坐标]
    5,0.9034,P-001,潘安湖一号地块,面,I50G012034,生态修复,0101,@
    J1,1,3812345.120,39512345.670
    ...

Each parcel is a header line (point count, area in hectares, parcel number, name, shape kind 面/
线/点, map sheet, use, land-class code, ``@``) followed by its points ``name,ring,X,Y`` where X is
the northing and Y the easting (with the zone number in front when 带号 is given). Ring 1 is the
outer boundary, higher ring numbers are holes; each ring repeats its first point at its end.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import PurePath

import geopandas as gpd
import shapely

from ..crs import datum_from_text, gk_epsg, zone_width
from ..errors import UserError
from . import encoding as enc
from .base import Note, ReadOptions, SourceLayer, make_layer

ATTRIBUTES = "[属性描述]"
COORDINATES = "[地块坐标]"
HEADER_COLUMNS = ("点数", "面积(公顷)", "地块编号", "地块名称", "图形属性", "图幅号", "用途", "地类编码")
AREA_COLUMN = "面积(公顷)"
_METRE_WORDS = ("米", "m", "metre", "meter")


@dataclass
class Parcel:
    header: dict[str, str]
    line: int  # where its header is, for messages
    rings: list[tuple[int, list[tuple[float, float]]]] = field(default_factory=list)  # (ring no, X/Y)
    n_points: int = 0

    def add_point(self, ring: int, x: float, y: float) -> None:
        if not self.rings or self.rings[-1][0] != ring:
            self.rings.append((ring, []))
        self.rings[-1][1].append((x, y))
        self.n_points += 1


@dataclass
class SurveyFile:
    attributes: dict[str, str]
    parcels: list[Parcel]


def _fields(line: str) -> list[str]:
    return [f.strip() for f in line.replace("，", ",").split(",")]


def _number(text: str, line_no: int, line: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise UserError("txt.bad_line", line=line_no, text=line[:60]) from None
    if not math.isfinite(value):
        raise UserError("txt.bad_line", line=line_no, text=line[:60])
    return value


def _header(fields: list[str], line_no: int) -> Parcel:
    values = fields[: fields.index("@")]
    return Parcel(header=dict(zip(HEADER_COLUMNS, values, strict=False)), line=line_no)


def _point(fields: list[str], line_no: int, line: str) -> tuple[int, float, float]:
    if len(fields) < 4 or not fields[1].isdecimal():
        raise UserError("txt.bad_line", line=line_no, text=line[:60])
    return int(fields[1]), _number(fields[2], line_no, line), _number(fields[3], line_no, line)


def parse_survey_txt(text: str) -> SurveyFile:
    """The attributes and parcels of a survey file; a :class:`UserError` naming the line otherwise."""
    attributes: dict[str, str] = {}
    parcels: list[Parcel] = []
    section = None
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line
        elif section == ATTRIBUTES and "=" in line:
            key, value = line.split("=", 1)
            attributes[key.strip()] = value.strip()
        elif section == COORDINATES:
            fields = _fields(line)
            if "@" in fields:
                parcels.append(_header(fields, line_no))
            elif not parcels:
                raise UserError("txt.point_before_header", line=line_no)
            else:
                parcels[-1].add_point(*_point(fields, line_no, line))
    if not parcels:
        raise UserError("txt.no_parcels")
    return SurveyFile(attributes, parcels)


def _closed(ring: list[tuple[float, float]], parcel: Parcel, number: int) -> list[tuple[float, float]]:
    """Easting/northing pairs, closed; refused when fewer than three distinct points remain."""
    coords = [(y, x) for x, y in ring]
    if coords[0] != coords[-1]:
        coords.append(coords[0])
    if len(set(coords)) < 3:
        raise UserError("txt.short_ring", line=parcel.line, parcel=_label(parcel), ring=number)
    return coords


def _label(parcel: Parcel) -> str:
    return parcel.header.get("地块名称") or parcel.header.get("地块编号") or str(parcel.line)


def parcel_geometry(parcel: Parcel) -> shapely.Geometry | None:
    """Ring 1 (else the first) as the shell, the other rings as holes; lines and points likewise."""
    if not parcel.rings:
        return None
    kind = parcel.header.get("图形属性", "面")
    points = [(y, x) for _, ring in parcel.rings for x, y in ring]
    if kind == "点":
        return shapely.MultiPoint(points)
    if kind == "线":
        return shapely.LineString(points) if len(points) > 1 else None
    rings = sorted(parcel.rings, key=lambda r: r[0] != 1)
    shell, *holes = (_closed(ring, parcel, number) for number, ring in rings)
    return shapely.Polygon(shell, holes)


def _is_metres(unit: str | None) -> bool:
    return unit is None or unit.strip().lower() in _METRE_WORDS


def _integer(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdecimal() else None


def survey_crs(attributes: dict[str, str], eastings: list[float]) -> str | None:
    """The GK system the attributes name; None when they do not name one completely.

    A zone number in front of the eastings must agree with 带号 when both are given.
    """
    if not _is_metres(attributes.get("计量单位")):
        raise UserError("txt.units", unit=attributes.get("计量单位"))
    datum = datum_from_text(attributes.get("坐标系", ""))
    zone = _integer(attributes.get("带号"))
    prefixed = bool(eastings) and min(eastings) >= 1e6
    if prefixed:
        prefix, last = math.floor(min(eastings) / 1e6), math.floor(max(eastings) / 1e6)
        if (zone is not None and zone != prefix) or last != prefix:
            raise UserError("txt.zone_mismatch", zone=zone or last, prefix=prefix)
        zone = prefix
    if datum is None or zone is None:
        return None
    width = _integer(attributes.get("几度分带")) or zone_width(zone) or 3
    return gk_epsg(datum, width, zone=zone, prefixed=prefixed)


def to_frame(survey: SurveyFile) -> gpd.GeoDataFrame:
    rows = [{c: p.header.get(c) for c in HEADER_COLUMNS} for p in survey.parcels]
    return gpd.GeoDataFrame(rows, geometry=[parcel_geometry(p) for p in survey.parcels])


class SurveyTxtReader:
    name = "survey_txt"

    def sniff(self, data: bytes, filename: str) -> bool:
        head = data[:4096]
        markers = [m.encode(codec) for m in (ATTRIBUTES, COORDINATES) for codec in ("utf-8", "gbk")]
        return any(m in head for m in markers)

    def read(self, data: bytes, filename: str, options: ReadOptions) -> list[SourceLayer]:
        text, codec = enc.decode(data, options.encoding)
        survey = parse_survey_txt(text)
        frame = to_frame(survey)
        eastings = [y for p in survey.parcels for _, ring in p.rings for _, y in ring]
        notes = [
            Note("txt_point_count", {"parcel": _label(p), "declared": p.header["点数"], "found": p.n_points})
            for p in survey.parcels
            if _integer(p.header.get("点数")) not in (None, p.n_points)
        ]
        return [
            make_layer(
                PurePath(filename).stem,
                frame,
                options,
                declared=survey_crs(survey.attributes, eastings),
                encoding=codec,
                notes=notes,
                declared_area_column=AREA_COLUMN,
            )
        ]
