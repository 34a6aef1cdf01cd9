"""Indicators measured from the maps rather than typed in: #20 from the layers, #19 from rasters.

A provider answers "what was the value at the end of this day, as the store knew it then?" (a
:class:`~xzsdg_geo.when.When`: real-world day and record time) from the store, or ``None`` when it
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
from ..when import When

RESTORATION_RATE = 20  # 采煤沉陷区治理和生态修复率
FOREST_COVER = 19  # 林木覆盖率


@dataclass(frozen=True)
class Measured:
    value: float
    as_of: dt.date  # the day the figure describes


Provider = Callable[[Store, When], Measured | None]


def restoration_rate(store: Store, when: When) -> Measured | None:
    """The city's restoration rate from the subsidence zones and restoration parcels (the rate engine)."""
    try:
        report = compute_rates(store, when)
    except UserError:  # no district boundaries at that date: nothing to measure in
        return None
    rate = report.city.rate_pct
    return None if rate is None else Measured(rate, when.on)


def forest_cover(store: Store, when: When) -> Measured | None:
    """Forest and tree cover (%) of the city from the latest land-cover raster acquired by
    ``when.on`` (None, so 无数据, when no image covers the city then), dated by that image. The
    raster catalog is append-only, so an image registered later than ``when.known_at`` is the one
    record-time difference; the boundaries are read as known then."""
    try:
        report = raster_forest_cover(store, as_of=when.on, known_at=when.known_at)
    except UserError:  # no boundaries at that date
        return None
    if report.city.forest_pct is None:
        return None
    dates = [d.landcover_on for d in report.districts if d.landcover_on]
    return Measured(report.city.forest_pct, max(dates) if dates else when.on)


PROVIDERS: dict[int, Provider] = {RESTORATION_RATE: restoration_rate, FOREST_COVER: forest_cover}
