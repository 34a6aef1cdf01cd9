"""What the providers share: ``datetime`` read as calendar days, and the output CRS transform."""

from __future__ import annotations

import datetime as dt
import functools
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


@functools.lru_cache(maxsize=16)
def _transformer(source_wkt: str, target_wkt: str) -> tuple[pyproj.Transformer, bool]:
    """Made once per pair: finding the operation takes pyproj about a second, and pygeoapi makes a
    new provider for every request."""
    source, target = pyproj.CRS.from_wkt(source_wkt), pyproj.CRS.from_wkt(target_wkt)
    return pyproj.Transformer.from_crs(source, target), _north_first(source)


def warm_transform(storage_crs: str, output_crs: str) -> None:
    """Find the operation between these CRSs now (see ``_transformer``)."""
    _transformer(get_crs_from_uri(storage_crs).to_wkt(), get_crs_from_uri(output_crs).to_wkt())


def output_transform(crs_transform_spec, storage_crs: str) -> Callable:
    """The function taking stored geometries (one or an array) to the response CRS, in that CRS's
    axis order: the storage CRS when the request names none other (pygeoapi then passes no spec).

    Stored coordinates are x = longitude; pygeoapi's own transform would read them in the CRS's
    axis order (latitude first for EPSG:4490), so the source side is read x/y here.
    """
    source = get_crs_from_uri(storage_crs).to_wkt()
    target = source if crs_transform_spec is None else crs_transform_spec.target_crs_wkt
    transformer, swap = _transformer(source, target)

    def move(xy: np.ndarray) -> np.ndarray:
        a, b = (xy[:, 1], xy[:, 0]) if swap else (xy[:, 0], xy[:, 1])
        return np.column_stack(transformer.transform(a, b))

    return lambda geoms: shapely.transform(geoms, move)
