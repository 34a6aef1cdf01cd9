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

Header lines come in three layouts, told apart by where the shape kind (面/线/点) stands: the
standard eight values; the land-consolidation thirteen (five more after the land-class code:
图斑类型, 地类, 改造前/后质量等别, 备注); and the provincial/ministry reporting layout (报省部标)
with the township's code and name before the parcel's number and name, which must not be taken
for the parcel's. Any other layout is refused naming the line, not guessed.
"""

from __future__ import annotations

import math
import re
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
CONSOLIDATION_COLUMNS = ("图斑类型", "地类", "改造前质量等别", "改造后质量等别", "备注")
TOWNSHIP_COLUMNS = ("乡镇代码", "乡镇名称")
SHAPE_KINDS = ("面", "线", "点")
AREA_COLUMN = "面积(公顷)"
ZONE_WIDTH_KEYS = ("几度分带", "分带", "投影带", "分带方式")
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


def header_columns(values: list[str], line_no: int) -> tuple[str, ...]:
    """The column of each header value, by where the shape kind stands (see the module docstring)."""
    kind_at = next((i for i, v in enumerate(values) if v in SHAPE_KINDS and i >= 2), None)
    if kind_at is None and len(values) > 3 and _is_township(values[2], values[3]):
        kind_at = 6
    standard = HEADER_COLUMNS + CONSOLIDATION_COLUMNS
    if kind_at in (4, None) and len(values) <= len(standard):
        return standard[: len(values)]
    if kind_at == 6 and len(values) <= len(HEADER_COLUMNS) + 2:
        return (*HEADER_COLUMNS[:2], *TOWNSHIP_COLUMNS, *HEADER_COLUMNS[2:])[: len(values)]
    raise UserError("txt.header_layout", line=line_no, n=len(values), at=kind_at + 1 if kind_at else "—")


def _is_township(code: str, name: str) -> bool:
    """A township's 9- or 12-digit code and its name (…镇, …乡, …街道), as 报省部标 lines start."""
    return bool(re.fullmatch(r"\d{9}|\d{12}", code)) and name.endswith(("镇", "乡", "街道", "办事处"))


def _header(fields: list[str], line_no: int) -> Parcel:
    values = fields[: fields.index("@")]
    return Parcel(header=dict(zip(header_columns(values, line_no), values, strict=True)), line=line_no)


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


def _zone_width(attributes: dict[str, str]) -> int | None:
    """3 or 6 from 几度分带=3, 分带=3度带, 投影带=6度 …; None when not said (or not 3 or 6)."""
    text = next((attributes[k] for k in ZONE_WIDTH_KEYS if attributes.get(k)), "")
    digits = re.match(r"\s*([36])\s*(度|°)?", text)
    return int(digits.group(1)) if digits else None


def _northing_like(v: float) -> bool:
    return 2e6 <= v < 7e6  # GK northings over China (latitudes 18°–54°)


def _easting_like(v: float) -> bool:
    return v < 1e6 or v >= 1.2e7  # without a zone prefix, or with one of zones 13–45


def check_axes(northings: list[float], eastings: list[float]) -> None:
    """Refuse a file whose X column holds eastings and Y column northings: "X/Y 颠倒"."""
    if not northings:
        return
    if all(map(_easting_like, northings)) and all(map(_northing_like, eastings)):
        raise UserError("txt.xy_swapped")


def survey_crs(attributes: dict[str, str], eastings: list[float], northings: list[float] = ()) -> str | None:
    """The GK system the attributes name; None when they do not name one completely.

    A zone number in front of the eastings must agree with 带号 when both are given; an
    easting-first file is refused as such before the zone is compared (its "zone" would be
    the northing's leading digit).
    """
    if not _is_metres(attributes.get("计量单位")):
        raise UserError("txt.units", unit=attributes.get("计量单位"))
    check_axes(list(northings), eastings)
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
    width = _zone_width(attributes) or zone_width(zone) or 3
    return gk_epsg(datum, width, zone=zone, prefixed=prefixed)


def to_frame(survey: SurveyFile) -> gpd.GeoDataFrame:
    """One row per parcel: the standard columns always, the variants' extra ones when present."""
    extra = [
        c for c in (*TOWNSHIP_COLUMNS, *CONSOLIDATION_COLUMNS) if any(c in p.header for p in survey.parcels)
    ]
    rows = [{c: p.header.get(c) for c in (*HEADER_COLUMNS, *extra)} for p in survey.parcels]
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
        northings = [x for p in survey.parcels for _, ring in p.rings for x, _ in ring]
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
                declared=survey_crs(survey.attributes, eastings, northings),
                encoding=codec,
                notes=notes,
                declared_area_column=AREA_COLUMN,
            )
        ]
