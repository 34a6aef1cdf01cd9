"""What the providers share: ``datetime`` read as calendar days, and the output CRS transform."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyproj
import shapely
from pygeoapi.provider.base import ProviderInvalidQueryError

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


def output_transform(crs_transform_spec) -> Callable | None:
    """The function taking stored geometries (one or an array) to the response CRS, or ``None``.

    Stores keep x = longitude whatever the CRS's axis order (as GeoPackage and PostGIS do), while
    pygeoapi's own transform reads coordinates in the CRS's axis order (latitude first for
    EPSG:4490), so the source side is read x/y here and the output written in the target's order.
    """
    if crs_transform_spec is None:
        return None
    source = pyproj.CRS.from_wkt(crs_transform_spec.source_crs_wkt)
    target = pyproj.CRS.from_wkt(crs_transform_spec.target_crs_wkt)
    transformer = pyproj.Transformer.from_crs(source, target)
    north_first = source.axis_info[0].direction in ("north", "south")

    def move(xy: np.ndarray) -> np.ndarray:
        a, b = (xy[:, 1], xy[:, 0]) if north_first else (xy[:, 0], xy[:, 1])
        return np.column_stack(transformer.transform(a, b))

    return lambda geoms: shapely.transform(geoms, move)
