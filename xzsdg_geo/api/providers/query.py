"""What the providers share: ``datetime`` read as calendar days, and the output CRS transform."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyproj
import shapely
from pygeoapi.provider.base import ProviderInvalidQueryError
from pygeoapi.util import get_crs_from_uri

OPEN = ".."


@dataclass(frozen=True)
class DateWindow:
    """An inclusive range of calendar days; ``None``: open on that side."""

    first: dt.date | None
    last: dt.date | None


def _day(text: str) -> dt.date | None:
    if text in (OPEN, ""):
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise ProviderInvalidQueryError(user_msg=f"datetime: {text!r} is not an RFC 3339 date") from None


def date_window(datetime_: str | None) -> DateWindow | None:
    """The days a ``datetime`` instant or interval covers, or ``None`` for no filter.

    The layers' real-world dates are calendar days, so a timestamp counts by its date part.
    """
    if datetime_ is None or datetime_ == f"{OPEN}/{OPEN}":
        return None
    if "/" not in datetime_:
        day = _day(datetime_)
        return DateWindow(day, day)
    first, last = datetime_.split("/", 1)
    return DateWindow(_day(first), _day(last))


def _north_first(crs: pyproj.CRS) -> bool:
    return crs.axis_info[0].direction in ("north", "south")


def bbox_xy(bbox: list[float], storage_crs: str) -> tuple[float, float, float, float]:
    """``bbox`` as min x, min y, max x, max y of the stored geometries.

    pygeoapi hands the bbox over in the storage CRS's axis order (latitude first for EPSG:4490),
    while stores keep x = longitude whatever the CRS says (as GeoPackage and PostGIS do).
    """
    values = [float(v) for v in bbox]
    a, b, c, d = values[0:2] + values[3:5] if len(values) == 6 else values
    return (b, a, d, c) if _north_first(get_crs_from_uri(storage_crs)) else (a, b, c, d)


def _swap(xy: np.ndarray) -> np.ndarray:
    return xy[:, ::-1]


@functools.lru_cache(maxsize=16)
def _mover(source_wkt: str, target_wkt: str) -> Callable[[np.ndarray], np.ndarray] | None:
    """What to do to stored x/y coordinates for the target CRS: nothing (``None``), swap the axes,
    or run pyproj's operation. Made once per pair: finding the operation takes pyproj about a
    second and pygeoapi makes a new provider for every request; and CGCS2000 to CRS84 (the
    default output) is no operation at all, so the coordinates are not even copied then."""
    source, target = pyproj.CRS.from_wkt(source_wkt), pyproj.CRS.from_wkt(target_wkt)
    transformer = pyproj.Transformer.from_crs(source, target)
    swap_in = _north_first(source)  # stored x/y read in the source's axis order
    operation = transformer.definition.split()[0]
    if operation in ("proj=noop", "proj=axisswap") and (
        operation == "proj=noop" or "order=2,1" in transformer.definition
    ):
        return _swap if swap_in != (operation == "proj=axisswap") else None

    def move(xy: np.ndarray) -> np.ndarray:
        a, b = (xy[:, 1], xy[:, 0]) if swap_in else (xy[:, 0], xy[:, 1])
        return np.column_stack(transformer.transform(a, b))

    return move


def warm_transform(storage_crs: str, output_crs: str) -> None:
    """Find the operation between these CRSs now (see ``_mover``)."""
    _mover(get_crs_from_uri(storage_crs).to_wkt(), get_crs_from_uri(output_crs).to_wkt())


def output_transform(crs_transform_spec, storage_crs: str) -> Callable:
    """The function taking stored geometries (one or an array) to the response CRS, in that CRS's
    axis order: the storage CRS when the request names none other (pygeoapi then passes no spec).

    Stored coordinates are x = longitude; pygeoapi's own transform would read them in the CRS's
    axis order (latitude first for EPSG:4490), so the source side is read x/y here.
    """
    source = get_crs_from_uri(storage_crs).to_wkt()
    target = source if crs_transform_spec is None else crs_transform_spec.target_crs_wkt
    move = _mover(source, target)
    if move is None:
        return lambda geoms: geoms
    return lambda geoms: shapely.transform(geoms, move)


GEOJSON_TYPES = {
    0: "Point", 1: "LineString", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString", 6: "MultiPolygon",
}  # fmt: skip


def geojson_geometries(geoms: np.ndarray) -> list[dict | None]:
    """GeoJSON geometry objects of a page of geometries, built from one coordinate array.

    ``shapely.geometry.mapping`` walks every ring in Python and is the largest cost of a page, so
    a page of one geometry type is nested from ``to_ragged_array``'s offsets instead; a page that
    mixes types (or has empty geometries) takes the per-geometry way.
    """
    types = shapely.get_type_id(geoms)
    if len(geoms) == 0 or len(set(types.tolist())) != 1 or int(types[0]) not in GEOJSON_TYPES:
        return [None if g is None or shapely.is_empty(g) else shapely.geometry.mapping(g) for g in geoms]
    if shapely.is_empty(geoms).any():
        return [None if shapely.is_empty(g) else shapely.geometry.mapping(g) for g in geoms]
    _, coords, offsets = shapely.to_ragged_array(geoms)
    items = coords.tolist()
    for level in offsets:
        bounds = level.tolist()
        items = [items[a:b] for a, b in itertools.pairwise(bounds)]
    name = GEOJSON_TYPES[int(types[0])]
    return [{"type": name, "coordinates": c} for c in items]
