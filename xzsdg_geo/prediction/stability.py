"""稳沉: has the ground stopped moving? From the monitoring points' observations.

A point is stable at a date when its subsidence over the preceding ``months`` months is at most
``max_mm`` (``config/prediction.toml``: 30 mm in 6 months, the end-of-movement criterion of the
2017 规范). That needs an observation at or before the window's start and one inside it near the
date; without both the verdict is "unknown", never a guess. A zone is unstable if any point in it
is, stable if it has points and all are stable, else unknown.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass

from ..store.base import Observation
from .parameters import Stability


class Verdict(enum.StrEnum):
    STABLE = "stable"
    MOVING = "moving"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class PointStability:
    point_id: str
    verdict: Verdict
    window_mm: float | None  # subsidence over the window, where measurable
    first: str | None  # the observations the verdict rests on (ISO dates)
    last: str | None


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months earlier (clamped to the month's last day)."""
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    m += 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(y, m, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def point_stability(
    point_id: str, series: Sequence[Observation], on: dt.date, rule: Stability
) -> PointStability:
    """The verdict of one point from its observations (any order), at ``on``.

    The window runs from ``months`` months before ``on`` to ``on``; its start is read from the last
    observation at or before it, its end from the last one up to ``on`` (no older than
    ``rule.max_gap_days``, so a point last surveyed long ago is not called stable).
    """
    start = months_before(on, rule.months)
    dated = sorted((dt.date.fromisoformat(o.observed_on), o.subsidence_mm) for o in series)
    before = [(d, v) for d, v in dated if d <= start]
    upto = [(d, v) for d, v in dated if d <= on]
    if not before or not upto or upto[-1][0] <= start or (on - upto[-1][0]).days > rule.max_gap_days:
        return PointStability(point_id, Verdict.UNKNOWN, None, None, None)
    moved = upto[-1][1] - before[-1][1]
    verdict = Verdict.STABLE if moved <= rule.max_mm else Verdict.MOVING
    return PointStability(point_id, verdict, moved, before[-1][0].isoformat(), upto[-1][0].isoformat())


def zone_verdict(points: Sequence[PointStability]) -> Verdict:
    if any(p.verdict is Verdict.MOVING for p in points):
        return Verdict.MOVING
    if points and all(p.verdict is Verdict.STABLE for p in points):
        return Verdict.STABLE
    return Verdict.UNKNOWN
