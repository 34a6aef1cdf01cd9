"""Indicators measured from the maps rather than typed in: #20 from the layers, #19 from rasters.

A provider answers "what was the value at the end of this day?" from the store, or ``None`` when it
cannot (no data yet). The tracker refuses typed entries for these numbers: the figure must come from
the same data the maps show.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import UserError
from ..rasters.forest_cover import forest_cover as raster_forest_cover
from ..rates import compute_rates
from ..store import Store

RESTORATION_RATE = 20  # 采煤沉陷区治理和生态修复率
FOREST_COVER = 19  # 林木覆盖率


@dataclass(frozen=True)
class Measured:
    value: float
    as_of: dt.date  # the day the figure describes


Provider = Callable[[Store, dt.date], Measured | None]


def restoration_rate(store: Store, as_of: dt.date) -> Measured | None:
    """The city's restoration rate from the subsidence zones and restoration parcels (the rate engine)."""
    try:
        report = compute_rates(store, as_of)
    except UserError:  # no district boundaries at that date: nothing to measure in
        return None
    rate = report.city.rate_pct
    return None if rate is None else Measured(rate, as_of)


def forest_cover(store: Store, as_of: dt.date) -> Measured | None:
    """Forest and tree cover (%) of the city from the latest land-cover raster up to ``as_of``
    (None, so 无数据, when no image covers the city then), dated by that image."""
    try:
        report = raster_forest_cover(store, as_of=as_of)
    except UserError:  # no boundaries at that date
        return None
    if report.city.forest_pct is None:
        return None
    dates = [d.landcover_on for d in report.districts if d.landcover_on]
    return Measured(report.city.forest_pct, max(dates) if dates else as_of)


PROVIDERS: dict[int, Provider] = {RESTORATION_RATE: restoration_rate, FOREST_COVER: forest_cover}
