"""The plan's 40 indicators (附件指标): definitions, entered actuals with history, and status per year.

:mod:`.catalog` reads the definitions, :mod:`.computed` measures the two geographic ones from the
maps, :mod:`.tracker` resolves each year's value and judges it against the target in force.
"""

from __future__ import annotations

from .catalog import Indicator, Kind, indicators, plan_years
from .computed import FOREST_COVER, PROVIDERS, RESTORATION_RATE, Measured
from .tracker import IndicatorRow, Reading, Source, Status, Tracker, history, judge, set_actual, tracker

__all__ = [
    "FOREST_COVER",
    "PROVIDERS",
    "RESTORATION_RATE",
    "Indicator",
    "IndicatorRow",
    "Kind",
    "Measured",
    "Reading",
    "Source",
    "Status",
    "Tracker",
    "history",
    "indicators",
    "judge",
    "plan_years",
    "set_actual",
    "tracker",
]
