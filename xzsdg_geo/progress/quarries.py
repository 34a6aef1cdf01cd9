"""Quarry pits (采石宕口): what is treated, how dangerous each pit is, and which to treat first.

The plan ties the treatment of a pit to its collapse or landslide risk and the threat it poses, and
its approach to its place: pits near the city (近郊) are engineered (工程修复) to widen the city's
ecological space, remote ones (远郊) recover naturally (自然恢复) without over-engineering. The rules
(distances, thresholds, the level matrix, the priority weights) are in ``config/progress.toml``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..geo import area_ha
from ..store import Store
from ..when import When
from .places import built_up_area, distance_m
from .report import ProgressReport, build_report, plain, share_pct
from .settings import ProgressRules, QuarryRules, progress_rules
from .snapshot import Snapshot, optional, stored_date, take

LAYER = "quarries"
THREATS = ("none", "minor", "major")
STRATEGY = {"near": "engineering", "far": "natural"}  # location class → the plan's approach


@dataclass(frozen=True)
class QuarryAssessment:
    feature_id: str
    name: str
    adcode: str | None
    district: str | None
    hazard_type: str
    threat: str  # one of THREATS
    hazard_level: str  # low / medium / high
    distance_m: float  # to the built-up area
    location: str  # near (近郊) / far (远郊)
    strategy: str  # engineering / natural: what the plan calls for here
    measure: str | None  # the declared measure, if any
    measure_matches: bool | None  # None when no measure is declared
    status: str  # untreated / in_progress / treated, as of the date
    completed_on: dt.date | None
    undated: bool  # stored as treated but with no completion date, so not counted as treated
    is_point: bool  # no outline surveyed yet: counted, but without area
    area_ha: float | None
    priority: float | None  # risk × proximity × area; None once treated or for a point


@dataclass(frozen=True)
class QuarryTotals:
    count: int
    treated: int
    in_progress: int
    untreated: int
    treated_pct: float | None
    area_ha: float
    treated_area_ha: float
    treated_area_pct: float | None
    near: int
    near_treated: int
    far: int
    far_treated: int
    high_risk: int
    high_risk_untreated: int  # high hazard and not yet treated
    measure_mismatch: int  # declared measure differs from the plan's approach for the location
    points: int  # pits without outline (area unknown)
    undated: int


def threat_of(people: int | None, property_wan: float | None, distance: float, rules: QuarryRules) -> str:
    """What a pit threatens: declared people and property, and the built-up area's roads and buildings."""
    people, property_wan = people or 0, property_wan or 0.0
    if people >= rules.major_threat_people or property_wan >= rules.major_threat_property_wan:
        return "major"
    if people > 0 or property_wan > 0 or distance <= rules.threat_distance_m:
        return "minor"
    return "none"


def hazard_level(hazard_type: str, threat: str, rules: QuarryRules) -> str:
    return rules.hazard_levels[hazard_type][THREATS.index(threat)]


def priority_of(level: str, distance: float, area: float | None, rules: QuarryRules) -> float | None:
    """Risk weight × proximity × area: high-risk, near, large pits first."""
    if area is None:
        return None
    proximity = rules.near_city_m / (rules.near_city_m + distance)
    return rules.risk_weights[level] * proximity * area


def _status(stored: str, completed: bool) -> str:
    """The status on the date: a pit stored as treated but completed later was still being treated."""
    if stored == "treated":
        return "treated" if completed else "in_progress"
    return stored


def _assess(
    snap: Snapshot, i: int, distance: float, area: float | None, rules: QuarryRules
) -> QuarryAssessment:
    row = snap.features.iloc[i]
    completed = stored_date(row["completed_on"])
    threat = threat_of(optional(row["threat_people"]), optional(row["threat_property_wan"]), distance, rules)
    level = hazard_level(row["hazard_type"], threat, rules)
    location = "near" if distance <= rules.near_city_m else "far"
    measure = optional(row["measure"])
    status = _status(row["status"], completed is not None and completed <= snap.as_of)
    adcode, district = snap.district_of(i)
    return QuarryAssessment(
        feature_id=row["feature_id"],
        name=row["name"],
        adcode=adcode,
        district=district,
        hazard_type=row["hazard_type"],
        threat=threat,
        hazard_level=level,
        distance_m=float(distance),
        location=location,
        strategy=STRATEGY[location],
        measure=measure,
        measure_matches=None if measure is None else measure == STRATEGY[location],
        status=status,
        completed_on=completed,
        undated=row["status"] == "treated" and completed is None,
        is_point=area is None,
        area_ha=area,
        priority=None if status == "treated" else priority_of(level, distance, area, rules),
    )


def _areas(geoms: np.ndarray, points: np.ndarray) -> list[float | None]:
    areas = np.full(len(geoms), np.nan)
    areas[~points] = area_ha(geoms[~points])
    return [None if p else float(a) for p, a in zip(points, areas, strict=True)]


def _assess_all(snap: Snapshot, rules: ProgressRules) -> list[QuarryAssessment]:
    geoms = snap.features.geometry.to_numpy()
    if len(geoms) == 0:
        return []
    distances = distance_m(geoms, built_up_area(snap.districts, rules.built_up), rules.built_up)
    areas = _areas(geoms, np.asarray(snap.features.geom_type == "Point"))
    return [_assess(snap, i, float(distances[i]), areas[i], rules.quarries) for i in range(len(geoms))]


def assess(store: Store, when: When, rules: ProgressRules | None = None) -> list[QuarryAssessment]:
    """Every pit in the store as known at ``when.known_at``, judged on ``when.on`` by the rules
    (for maps and lists)."""
    return _assess_all(take(store, LAYER, when), rules or progress_rules())


def summarise(items: Sequence[QuarryAssessment]) -> QuarryTotals:
    treated = [q for q in items if q.status == "treated"]
    area = sum((q.area_ha or 0.0 for q in items), 0.0)
    treated_area = sum((q.area_ha or 0.0 for q in treated), 0.0)
    near = [q for q in items if q.location == "near"]
    high = [q for q in items if q.hazard_level == "high"]
    return QuarryTotals(
        count=len(items),
        treated=len(treated),
        in_progress=sum(q.status == "in_progress" for q in items),
        untreated=sum(q.status == "untreated" for q in items),
        treated_pct=share_pct(len(treated), len(items)),
        area_ha=area,
        treated_area_ha=treated_area,
        treated_area_pct=share_pct(treated_area, area),
        near=len(near),
        near_treated=sum(q.status == "treated" for q in near),
        far=len(items) - len(near),
        far_treated=len(treated) - sum(q.status == "treated" for q in near),
        high_risk=len(high),
        high_risk_untreated=sum(q.status != "treated" for q in high),
        measure_mismatch=sum(q.measure_matches is False for q in items),
        points=sum(q.is_point for q in items),
        undated=sum(q.undated for q in items),
    )


def quarry_progress(
    store: Store, when: When, rules: ProgressRules | None = None
) -> ProgressReport[QuarryTotals, QuarryAssessment]:
    """Pits treated against all pits, by count and area, per district and for the city."""
    snap = take(store, LAYER, when)
    return build_report(when, LAYER, snap.districts, _assess_all(snap, rules or progress_rules()), summarise)


@dataclass(frozen=True)
class PriorityList:
    """Pits not yet treated, most urgent first; pits without outline (no area) last."""

    when: When
    waiting: int  # pits not treated on the date, all of them, however many are listed
    items: list[QuarryAssessment]

    def to_dict(self) -> dict:
        return {**self.when.to_dict(), "layer": LAYER, "waiting": self.waiting,
                "items": [plain(i) for i in self.items]}  # fmt: skip

    @property
    def as_of(self) -> dt.date:
        return self.when.on


def priority_list(
    store: Store, when: When, rules: ProgressRules | None = None, limit: int | None = None
) -> PriorityList:
    """The bureau's work list: pits not treated on ``when.on``, the first ``limit`` of them if given."""
    waiting = [q for q in assess(store, when, rules) if q.status != "treated"]
    waiting.sort(key=lambda q: (q.priority is None, -(q.priority or 0.0), q.feature_id))
    return PriorityList(when, len(waiting), waiting[:limit] if limit else waiting)
