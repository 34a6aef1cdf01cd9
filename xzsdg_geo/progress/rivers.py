"""The built-up area's river and lake segments (河湖段) on their way to 幸福河湖.

Targets: every one of the 125 segments accepted as 幸福河湖 by the end of 2027, and the share of
segments at water class III or better (the plan's surface-water indicator). A segment is accepted on
a date when the store then held it as 已验收 with an acceptance year no later than the date's year.
Lengths are geodesic; a segment belongs to the district holding most of its length.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from ..geo import geodesic_length_m
from ..store import Store
from ..when import When
from .report import ProgressReport, build_report, share_pct
from .settings import ProgressRules, RiverRules, progress_rules
from .snapshot import Snapshot, optional, take

LAYER = "river_segments"
DIMENSIONS = ("safety", "health", "beauty", "culture", "development")  # 安澜 健康 美丽 文化 发展


@dataclass(frozen=True)
class SegmentAssessment:
    feature_id: str
    river: str
    name: str
    adcode: str | None
    district: str | None
    length_m: float
    water_class: str | None
    good_water: bool | None  # class III or better; None when no class is recorded
    status: str  # not_started / building / accepted, as of the date
    accepted_year: int | None
    undated: bool  # stored as accepted but with no year, so not counted as accepted
    scores: dict[str, float | None]  # the five dimensions, by DIMENSIONS


@dataclass(frozen=True)
class RiverTotals:
    count: int
    length_km: float
    accepted: int
    accepted_pct: float | None
    accepted_length_km: float
    building: int
    not_started: int
    classified: int  # segments with a water class
    good_water: int
    good_water_pct: float | None  # of the classified segments
    scored: int  # segments with at least one dimension scored
    mean_scores: dict[str, float | None]
    undated: int


@dataclass(frozen=True)
class RiverTarget:
    target_year: int
    target_accepted: int
    accepted: int
    remaining: int
    needed_per_year: float | None  # acceptances a year still needed; None when met or overdue
    met: bool
    good_water_target_pct: float | None
    good_water_met: bool | None


def _status(stored: str, year: int | None, as_of: dt.date) -> str:
    """Accepted only from its acceptance year on; before that it was still being built."""
    if stored != "accepted":
        return stored
    return "accepted" if year is not None and year <= as_of.year else "building"


def _assess(snap: Snapshot, i: int, rules: RiverRules) -> SegmentAssessment:
    row = snap.features.iloc[i]
    water, year = optional(row["water_class"]), optional(row["accepted_year"])
    year = None if year is None else int(year)
    adcode, district = snap.district_of(i)
    return SegmentAssessment(
        feature_id=row["feature_id"],
        river=row["river"],
        name=row["name"],
        adcode=adcode,
        district=district,
        length_m=geodesic_length_m(row.geometry),
        water_class=water,
        good_water=None if water is None else water in rules.good_classes,
        status=_status(row["happy_status"], year, snap.as_of),
        accepted_year=year,
        undated=row["happy_status"] == "accepted" and year is None,
        scores={d: optional(row[f"score_{d}"]) for d in DIMENSIONS},
    )


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def summarise(items: Sequence[SegmentAssessment]) -> RiverTotals:
    accepted = [s for s in items if s.status == "accepted"]
    classified = [s for s in items if s.good_water is not None]
    good = sum(s.good_water is True for s in classified)
    return RiverTotals(
        count=len(items),
        length_km=sum((s.length_m for s in items), 0.0) / 1000.0,
        accepted=len(accepted),
        accepted_pct=share_pct(len(accepted), len(items)),
        accepted_length_km=sum((s.length_m for s in accepted), 0.0) / 1000.0,
        building=sum(s.status == "building" for s in items),
        not_started=sum(s.status == "not_started" for s in items),
        classified=len(classified),
        good_water=good,
        good_water_pct=share_pct(good, len(classified)),
        scored=sum(any(v is not None for v in s.scores.values()) for s in items),
        mean_scores={d: _mean([s.scores[d] for s in items if s.scores[d] is not None]) for d in DIMENSIONS},
        undated=sum(s.undated for s in items),
    )


def _target(city: RiverTotals, as_of: dt.date, rules: RiverRules) -> RiverTarget:
    remaining = max(0, rules.target_accepted - city.accepted)
    years_left = (dt.date(rules.target_year, 12, 31) - as_of).days / 365.25
    good_target = rules.good_share_target(as_of.year)
    return RiverTarget(
        target_year=rules.target_year,
        target_accepted=rules.target_accepted,
        accepted=city.accepted,
        remaining=remaining,
        needed_per_year=remaining / years_left if remaining and years_left > 0 else None,
        met=remaining == 0,
        good_water_target_pct=good_target,
        good_water_met=None
        if good_target is None or city.good_water_pct is None
        else city.good_water_pct >= good_target - 1e-9,
    )


def _assess_all(snap: Snapshot, rules: RiverRules) -> list[SegmentAssessment]:
    return [_assess(snap, i, rules) for i in range(len(snap.features))]


def assess(store: Store, when: When, rules: ProgressRules | None = None) -> list[SegmentAssessment]:
    """Every segment in the store as known at ``when.known_at``, judged on ``when.on`` (for maps
    and lists)."""
    return _assess_all(take(store, LAYER, when), (rules or progress_rules()).rivers)


def river_progress(
    store: Store, when: When, rules: ProgressRules | None = None
) -> ProgressReport[RiverTotals, SegmentAssessment]:
    """Segments accepted as 幸福河湖 and at good water, per district and for the city, against the targets."""
    river_rules = (rules or progress_rules()).rivers
    snap = take(store, LAYER, when)
    return build_report(
        when,
        LAYER,
        snap.districts,
        _assess_all(snap, river_rules),
        summarise,
        lambda city: _target(city, when.on, river_rules),
    )
