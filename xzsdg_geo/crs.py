"""Coordinate systems of field files: Gauss-Krüger zones, inference from coordinates, legacy datums.

Chinese survey data is Gauss-Krüger (GK) on CGCS2000, Xi'an 1980 or Beijing 1954, in 3° or 6°
zones. An easting may carry the zone number in front (39 512 345.6 m: zone 39, 12 345.6 m east of
the false easting's origin) or not (512 345.6 m: the central meridian must then be known). The EPSG
codes of all these systems follow fixed runs, tabled below (checked against pyproj in the tests).
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass
from functools import cache

from pyproj import CRS
from pyproj.exceptions import CRSError

LONLAT = "EPSG:4490"  # CGCS2000 geographic: what files in lon/lat are taken to be
# CGCS2000 lon/lat bound to WGS84 with a null shift (they agree to well under a metre): the
# target that lets PROJ apply a legacy system's towgs84 parameters instead of ignoring them.
BOUND_LONLAT = "+proj=longlat +ellps=GRS80 +towgs84=0,0,0 +no_defs +type=crs"
DATUMS = ("cgcs2000", "xian1980", "beijing1954")
LEGACY_DATUMS = ("xian1980", "beijing1954")

# (datum, zone width, zone number in the easting) -> (first zone or central meridian, first EPSG, last)
_GK_RUNS = {
    ("cgcs2000", 3, True): (25, 4513, 4533),
    ("cgcs2000", 3, False): (75, 4534, 4554),
    ("cgcs2000", 6, True): (13, 4491, 4501),
    ("cgcs2000", 6, False): (75, 4502, 4512),
    ("xian1980", 3, True): (25, 2349, 2369),
    ("xian1980", 3, False): (75, 2370, 2390),
    ("xian1980", 6, True): (13, 2327, 2337),
    ("xian1980", 6, False): (75, 2338, 2348),
    ("beijing1954", 3, True): (25, 2401, 2421),
    ("beijing1954", 3, False): (75, 2422, 2442),
    ("beijing1954", 6, True): (13, 21413, 21423),
    ("beijing1954", 6, False): (75, 21473, 21483),
}
ZONES_3 = range(25, 46)  # 3° zones over China (central meridians 75°E..135°E)
ZONES_6 = range(13, 24)  # 6° zones over China

CHINA_LONLAT = (73.0, 3.0, 136.0, 54.0)  # west, south, east, north
NORTHINGS = (300_000.0, 6_100_000.0)  # GK northings over China, m
EASTINGS_IN_ZONE = (100_000.0, 900_000.0)  # 500 km false easting ± the widest zone's half width


def central_meridian(zone: int, width: int) -> int:
    return zone * 3 if width == 3 else zone * 6 - 3


def gk_epsg(datum: str, width: int, *, zone: int, prefixed: bool) -> str | None:
    """The EPSG code of a GK system; None when no such system exists."""
    run = _GK_RUNS.get((datum, width, prefixed))
    if run is None:
        return None
    first, start, end = run
    if prefixed:
        code = start + zone - first
    else:
        step = 3 if width == 3 else 6
        code = start + (central_meridian(zone, width) - first) // step
    return f"EPSG:{code}" if start <= code <= end else None


def zone_width(zone: int) -> int | None:
    """3 or 6 for a zone number that occurs over China; the two ranges do not overlap."""
    return 3 if zone in ZONES_3 else 6 if zone in ZONES_6 else None


@dataclass(frozen=True)
class Guess:
    """What the coordinates alone say: a CRS when that is unambiguous, and why (a catalog suffix)."""

    crs: str | None
    reason: str  # lonlat | gk_zone | gk_no_zone | unknown
    swapped: bool = False  # the file's axes are the other way round (lat/lon, Y/X)


def _within(value_lo: float, value_hi: float, lo: float, hi: float) -> bool:
    return lo <= value_lo and value_hi <= hi


def _is_lonlat(x0: float, y0: float, x1: float, y1: float) -> bool:
    west, south, east, north = CHINA_LONLAT
    return _within(x0, x1, west, east) and _within(y0, y1, south, north)


def _zone_prefix(e0: float, e1: float) -> int | None:
    """The zone number in front of eastings from ``e0`` to ``e1``, if all carry the same one."""
    zone = math.floor(e0 / 1e6)
    if zone != math.floor(e1 / 1e6) or zone_width(zone) is None:
        return None
    return zone if _within(e0 - zone * 1e6, e1 - zone * 1e6, *EASTINGS_IN_ZONE) else None


def infer_crs(bounds: tuple[float, float, float, float]) -> Guess:
    """A CGCS2000 system that coordinates within ``bounds`` (minx, miny, maxx, maxy) can only be in.

    Lon/lat inside China's box → EPSG:4490; GK eastings with a zone prefix → that CGCS2000 zone
    (39xxxxxx → EPSG:4527, 40xxxxxx → EPSG:4528). Either with the axes swapped is also recognised
    (and flagged). GK eastings without a prefix leave the central meridian unknown: no guess.
    """
    x0, y0, x1, y1 = (float(v) for v in bounds)
    if not all(math.isfinite(v) for v in (x0, y0, x1, y1)):
        return Guess(None, "unknown")
    for swapped, (e0, n0, e1, n1) in ((False, (x0, y0, x1, y1)), (True, (y0, x0, y1, x1))):
        if _is_lonlat(e0, n0, e1, n1):
            return Guess(LONLAT, "lonlat", swapped)
        if (zone := _zone_prefix(e0, e1)) is not None and _within(n0, n1, *NORTHINGS):
            width = zone_width(zone) or 3
            return Guess(gk_epsg("cgcs2000", width, zone=zone, prefixed=True), "gk_zone", swapped)
    for e0, n0, e1, n1 in ((x0, y0, x1, y1), (y0, x0, y1, x1)):
        if _within(e0, e1, *EASTINGS_IN_ZONE) and _within(n0, n1, *NORTHINGS):
            return Guess(None, "gk_no_zone")
    return Guess(None, "unknown")


def normalize(text: str) -> str:
    """An uploader's CRS as PROJ takes it: a bare number is an EPSG code."""
    text = text.strip()
    return f"EPSG:{text}" if text.isdigit() else text


@cache
def parse(text: str) -> CRS | None:
    """The CRS a text names (EPSG code, WKT, PROJ string); None when PROJ cannot make one of it."""
    try:
        return CRS.from_user_input(normalize(text))
    except (CRSError, TypeError, ValueError):
        return None


def label(text: str) -> str:
    """What a report shows: ``EPSG:NNNN`` when there is such a code, else the CRS's name."""
    crs = parse(text)
    if crs is None:
        return text[:80]
    auth = crs.to_authority(min_confidence=70)
    return f"{auth[0]}:{auth[1]}" if auth else crs.name


def is_geographic(text: str) -> bool:
    crs = parse(text)
    return bool(crs and crs.is_geographic)


def _squash(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


def legacy_datum(text: str) -> str | None:
    """``beijing1954`` or ``xian1980`` when a CRS is on one of the legacy datums."""
    crs = parse(text)
    if crs is None or crs.geodetic_crs is None:
        return None
    name = _squash(crs.geodetic_crs.datum.name)
    return next((d for d in LEGACY_DATUMS if d in name), None)


def with_towgs84(text: str, params: tuple[float, ...]) -> str:
    """The CRS as a PROJ string carrying the configured shift to WGS84/CGCS2000.

    Transform it to :data:`BOUND_LONLAT`: towards a target without such a shift PROJ would fall
    back to a null ("ballpark") transformation, the very ~100 m error the parameters remove.
    """
    crs = parse(text)
    if crs is None:
        raise ValueError(text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # to_proj4 warns that PROJ strings lose information
        parts = [p for p in crs.to_proj4().split() if not p.startswith(("+towgs84", "+type"))]
    return " ".join([*parts, "+towgs84=" + ",".join(f"{v:.10g}" for v in params), "+type=crs"])


# How survey files name datums (坐标系 field): checked in this order, first match wins.
_DATUM_WORDS = (
    ("cgcs2000", ("2000", "cgcs")),
    ("xian1980", ("西安", "80", "xian")),
    ("beijing1954", ("北京", "54", "beijing")),
)


def datum_from_text(text: str) -> str | None:
    """``cgcs2000``, ``xian1980`` or ``beijing1954`` from names such as 2000国家大地坐标系, 西安80."""
    squashed = text.lower().replace(" ", "")
    return next((d for d, words in _DATUM_WORDS if any(w in squashed for w in words)), None)
