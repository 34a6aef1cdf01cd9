"""One indicator's values year by year beside its target: the 指标 page's trend chart.

Read the way the yearly table reads them (:func:`xzsdg_geo.indicators.tracker.read_value`): computed
indicators from the layers and rasters, entered ones from the store, the plan's baseline for its year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..store import Store
from ..when import When
from .catalog import Indicator, plan_years
from .tracker import as_of_for, read_value


@dataclass(frozen=True)
class TrendPoint:
    year: int
    value: float | None
    target: float | None


def trend(store: Store, ind: Indicator, today: dt.date | None = None) -> list[TrendPoint]:
    """The indicator in each of the plan's years from its baseline on; years not begun have only a target."""
    years = sorted({ind.baseline_year, *plan_years()})
    points = []
    for year in years:
        entered = next((v for v in store.indicator_values(year=year) if v.no == ind.no), None)
        day = as_of_for(year, today)
        reading = read_value(store, ind, year, entered, When(day) if day else None)
        points.append(TrendPoint(year, reading.value if reading else None, ind.target_for(year)[0]))
    return points
