"""The indicator tracker: each indicator's value for a year, its target and its status.

A year's value is, in order: measured from the maps (indicators in :data:`computed.PROVIDERS`),
else the actual an administrator entered, else, for the plan's base year, the plan's own figure.
Status: 达标 (met) when the value reaches the target in force (or stays under it, for indicators
where lower is better), 滞后 (behind) when it does not, 无数据 (no data) without a value, and
无目标 (no target) for monitoring-only indicators and years before the first target.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import re
from dataclasses import dataclass

from ..dates import today_cst
from ..errors import Term, UserError
from ..services import audit
from ..services.auth import Permission, Principal, require
from ..store import Store
from ..store.base import IndicatorValue
from ..when import When, store_stamp
from .catalog import Indicator, indicators
from .computed import PROVIDERS

TOLERANCE = 1e-9
# A number as people type it: digits, thousands separators only in groups of three, a decimal part.
_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$|^[+-]?\.\d+$")
# Percentages that measure a change, not a share: a growth can exceed 100 % but not fall below
# -100 %; a reduction cannot exceed 100 %.
_CHANGE_BOUNDS = {"增速": (-100.0, None), "增长率": (-100.0, None), "降低": (None, 100.0)}


class Status(enum.StrEnum):
    MET = "met"
    BEHIND = "behind"
    NO_DATA = "no_data"
    NO_TARGET = "no_target"


class Source(enum.StrEnum):
    COMPUTED = "computed"  # measured from the store's layers (or rasters)
    ENTERED = "entered"  # typed in by an administrator
    PLAN = "plan"  # the plan's published base-year figure


@dataclass(frozen=True)
class Reading:
    """A year's value and where it came from."""

    value: float
    source: Source
    as_of: dt.date | None = None  # the day a measured value describes
    entry: IndicatorValue | None = None  # the stored row of an entered value


@dataclass(frozen=True)
class IndicatorRow:
    indicator: Indicator
    year: int
    reading: Reading | None
    target: float | None
    target_year: int | None  # the year the target in force was set for (earlier when carried over)
    status: Status

    @property
    def value(self) -> float | None:
        return self.reading.value if self.reading else None

    @property
    def target_carried(self) -> bool:
        """The year has no target of its own; the last earlier one is in force."""
        return self.target_year is not None and self.target_year != self.year

    def to_dict(self) -> dict:
        ind, r = self.indicator, self.reading
        entry = r.entry if r else None
        return {
            "no": ind.no, "name_zh": ind.name_zh, "unit": ind.unit, "sdg": ind.sdg, "kind": ind.kind.value,
            "baseline_year": ind.baseline_year, "baseline": ind.baseline, "year": self.year,
            "value": self.value, "source": r.source.value if r else None,
            "as_of": r.as_of.isoformat() if r and r.as_of else None,
            "recorded_by": entry.recorded_by if entry else None,
            "recorded_at": entry.valid_from if entry else None, "note": entry.note if entry else None,
            "target": self.target, "target_year": self.target_year, "status": self.status.value,
        }  # fmt: skip


@dataclass(frozen=True)
class Tracker:
    year: int
    rows: list[IndicatorRow]
    when: When | None = None  # the instants the year was read at; None for a year not yet begun

    def by_sdg(self) -> list[tuple[str, list[IndicatorRow]]]:
        """Rows grouped by SDG, goals in number order, indicators in the plan's order within each."""
        goals = sorted({r.indicator.sdg for r in self.rows}, key=lambda s: int(s.removeprefix("SDG")))
        return [(g, [r for r in self.rows if r.indicator.sdg == g]) for g in goals]

    def counts(self) -> dict[Status, int]:
        return {s: sum(r.status is s for r in self.rows) for s in Status}

    def to_dict(self) -> dict:
        return {
            "year": self.year,
            **(self.when.to_dict() if self.when else {"as_of": None, "as_recorded": None}),
            "counts": {s.value: n for s, n in self.counts().items()},
            "indicators": [r.to_dict() for r in self.rows],
        }


def judge(indicator: Indicator, value: float | None, target: float | None) -> Status:
    if value is None:
        return Status.NO_DATA
    if target is None:
        return Status.NO_TARGET
    if indicator.lower_is_better:
        return Status.MET if value <= target + TOLERANCE else Status.BEHIND
    return Status.MET if value >= target - TOLERANCE else Status.BEHIND


def as_of_for(year: int, today: dt.date | None = None) -> dt.date | None:
    """The day a year's measured figure describes: its last day, or today for the year under way;
    ``None`` for a year not yet begun."""
    today = today or today_cst()
    return None if year > today.year else min(dt.date(year, 12, 31), today)


def read_value(
    store: Store, ind: Indicator, year: int, entered: IndicatorValue | None, when: When | None
) -> Reading | None:
    provider = PROVIDERS.get(ind.no)
    if provider is not None:
        measured = provider(store, when) if when else None
        if measured is not None:
            return Reading(measured.value, Source.COMPUTED, as_of=measured.as_of)
    elif entered is not None:
        return Reading(entered.value, Source.ENTERED, entry=entered)
    if year == ind.baseline_year and ind.baseline is not None:
        return Reading(ind.baseline, Source.PLAN)
    return None


def tracker(
    store: Store, year: int, today: dt.date | None = None, known_at: dt.datetime | None = None
) -> Tracker:
    """Every indicator's value, target and status for ``year`` as the store held them at
    ``known_at`` (default now): entered actuals then in force, measured ones read then."""
    stamp = None if known_at is None else store_stamp(known_at)
    entered = {v.no: v for v in store.indicator_values(year=year, at=stamp)}
    day = as_of_for(year, today)
    when = None if day is None else When(day, known_at)
    rows = []
    for no, ind in indicators().items():
        reading = read_value(store, ind, year, entered.get(no), when)
        target, target_year = ind.target_for(year)
        status = judge(ind, reading.value if reading else None, target)
        rows.append(IndicatorRow(ind, year, reading, target, target_year, status))
    return Tracker(year, rows, when)


def indicator(no: int) -> Indicator:
    try:
        return indicators()[no]
    except KeyError:
        raise UserError("indicators.unknown", no=no, last=max(indicators())) from None


@dataclass(frozen=True)
class ValueRange:
    """The values an indicator can take (``None``: unbounded on that side)."""

    low: float | None
    high: float | None

    def holds(self, value: float) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)


def value_range(ind: Indicator) -> ValueRange:
    """From the unit and the name: a share in % lies in 0–100 (unless the plan's own figures exceed
    100, as an insurance coverage counting people twice does); a change in % per
    :data:`_CHANGE_BOUNDS`; counts, amounts and ratios are never negative."""
    if ind.unit != "%":
        return ValueRange(0.0, None)
    for word, (low, high) in _CHANGE_BOUNDS.items():
        if word in ind.name_zh:
            return ValueRange(low, high)
    plan = [v for v in (ind.baseline, *ind.targets.values()) if v is not None]
    return ValueRange(0.0, None if any(v > 100 for v in plan) else 100.0)


def parse_value(text: str) -> float:
    """An indicator value typed as text, the whole of it: ``1,234.5`` is accepted, ``1,0,0,0``,
    ``12abc`` and ``nan`` are not."""
    cleaned = text.strip()
    if not _NUMBER.match(cleaned):
        raise UserError("indicators.bad_number", value=text)
    return float(cleaned.replace(",", ""))


def set_actual(
    store: Store,
    principal: Principal,
    no: int,
    year: int,
    value: float,
    note: str | None = None,
    today: dt.date | None = None,
) -> IndicatorValue | None:
    """Record an administrator's actual for ``year``; ``None`` when that value is already in force.

    Refused: indicators measured from the maps, years before the plan's base year or still to come,
    and values that are not finite numbers.
    """
    require(principal, Permission.EDIT_TARGETS)
    ind = indicator(no)
    if no in PROVIDERS:
        raise UserError(
            "indicators.computed", no=no, name=ind.name_zh, method=Term(f"indicators.provider.{no}")
        )
    this_year = (today or today_cst()).year
    if not ind.baseline_year <= year <= this_year:
        raise UserError("indicators.bad_year", year=year, first=ind.baseline_year, last=this_year)
    if not math.isfinite(value):
        raise UserError("indicators.bad_value", value=value)
    if not (bounds := value_range(ind)).holds(value):
        low, high = ("—" if b is None else f"{b:g}" for b in (bounds.low, bounds.high))
        raise UserError("indicators.out_of_range", no=no, name=ind.name_zh, value=f"{value:g}", unit=ind.unit,
                        low=low, high=high)  # fmt: skip
    note = (note or "").strip() or None
    with store.transaction():
        before = next((v.value for v in store.indicator_values(year=year) if v.no == no), None)
        recorded = store.record_indicator_value(no, year, value, by=principal.username, note=note)
        if recorded is not None:
            detail = {"no": no, "year": year, "value": value, "before": before, "note": note}
            audit.record(store, principal.username, "indicator_set", detail=detail)
    return recorded


def history(store: Store, no: int, year: int | None = None) -> list[IndicatorValue]:
    """Every entered version of an indicator's actuals, oldest first (for the tracker page)."""
    indicator(no)
    return store.indicator_history(no, year)
