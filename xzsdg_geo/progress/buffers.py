"""Ecological safety buffer projects (生态安全缓冲区): finished on time or not.

A project is finished on a date once the store then held it as 完工 with a 完工日期 on or before the
date. Until then its on-time status compares its percent complete with a straight-line schedule from
its start (开工日期, else the configured plan start) to its due date. Target: every project due by the
end of the target year (the plan's four: 2027) finished by then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..geo import area_ha
from ..store import Store
from ..when import When
from .report import ProgressReport, build_report
from .settings import BufferRules, ProgressRules, progress_rules
from .snapshot import Snapshot, optional, stored_date, take

LAYER = "buffer_projects"
# On-time statuses, from done to worrying.
TIMELINESS = ("on_time", "late", "on_track", "at_risk", "overdue", "no_due_date")


@dataclass(frozen=True)
class ProjectAssessment:
    feature_id: str
    name: str
    adcode: str | None
    district: str | None
    area_ha: float
    stage: str  # approved / building / finished, as of the date
    percent_complete: float | None
    started_on: dt.date | None
    due_on: dt.date | None
    finished_on: dt.date | None
    expected_pct: float | None  # where the straight-line schedule stands on the date
    timeliness: str  # one of TIMELINESS
    undated: bool  # stored as finished but with no 完工日期, so not counted as finished


@dataclass(frozen=True)
class BufferTotals:
    count: int
    area_ha: float
    approved: int
    building: int
    finished: int
    on_time: int
    late: int
    on_track: int
    at_risk: int
    overdue: int
    no_due_date: int
    mean_percent: float | None  # over projects reporting a percentage
    undated: int


@dataclass(frozen=True)
class BufferTarget:
    target_year: int
    due: int  # projects due by the end of the target year
    finished: int  # of those, finished by the date
    remaining: int
    met: bool


def expected_pct(start: dt.date, due: dt.date, as_of: dt.date) -> float:
    """Percent complete a straight-line schedule from ``start`` to ``due`` expects on ``as_of``."""
    if due <= start:
        return 100.0
    return float(np.clip(100.0 * (as_of - start).days / (due - start).days, 0.0, 100.0))


def timeliness(
    finished_on: dt.date | None,
    due: dt.date | None,
    pct: float | None,
    expected: float | None,
    as_of: dt.date,
    margin_pct: float,
) -> str:
    """One of TIMELINESS: finished on or after the due date, or how an unfinished project stands."""
    if finished_on is not None:
        return "on_time" if due is None or finished_on <= due else "late"
    if due is None:
        return "no_due_date"
    if as_of > due:
        return "overdue"
    if pct is not None and expected is not None and pct < expected - margin_pct:
        return "at_risk"
    return "on_track"


def _stage_on(stored: str, started_on: dt.date | None, finished_on: dt.date | None, as_of: dt.date) -> str:
    """Finished only from its 完工日期 on, building from its 开工日期 on, approved before that: the
    record may be newer than the day judged (a project finished in 2027 read for 2024)."""
    if stored == "finished" and finished_on is not None and finished_on <= as_of:
        return "finished"
    if stored in ("building", "finished") and started_on is not None and started_on > as_of:
        return "approved"
    return "building" if stored == "finished" else stored


def _percent(stored: float | None, stage: str, stored_stage: str) -> float | None:
    """The stored percentage while the project is at the stage it was recorded in; otherwise (the
    record is newer than the day judged) what the stage implies: 0 approved, unknown while building."""
    if stored is not None and stage == stored_stage:
        return float(stored)
    return {"approved": 0.0, "finished": 100.0}.get(stage)


def _assess(snap: Snapshot, i: int, area: float, rules: BufferRules) -> ProjectAssessment:
    row = snap.features.iloc[i]
    as_of = snap.as_of
    started, due, finished = (stored_date(row[f]) for f in ("started_on", "due_on", "finished_on"))
    stage = _stage_on(row["stage"], started, finished, as_of)
    done_on = finished if stage == "finished" else None
    pct = _percent(optional(row["percent_complete"]), stage, row["stage"])
    expected = None if due is None or done_on else expected_pct(started or rules.default_start, due, as_of)
    adcode, district = snap.district_of(i)
    return ProjectAssessment(
        feature_id=row["feature_id"],
        name=row["name"],
        adcode=adcode,
        district=district,
        area_ha=area,
        stage=stage,
        percent_complete=pct,
        started_on=started,
        due_on=due,
        finished_on=done_on,
        expected_pct=expected,
        timeliness=timeliness(done_on, due, pct, expected, as_of, rules.at_risk_margin_pct),
        undated=row["stage"] == "finished" and finished is None,
    )


def _assess_all(snap: Snapshot, rules: BufferRules) -> list[ProjectAssessment]:
    areas = area_ha(snap.features.geometry.to_numpy()) if len(snap.features) else []
    return [_assess(snap, i, float(a), rules) for i, a in enumerate(areas)]


def summarise(items: Sequence[ProjectAssessment]) -> BufferTotals:
    pcts = [p.percent_complete for p in items if p.percent_complete is not None]
    count = {status: sum(p.timeliness == status for p in items) for status in TIMELINESS}
    return BufferTotals(
        count=len(items),
        area_ha=sum((p.area_ha for p in items), 0.0),
        approved=sum(p.stage == "approved" for p in items),
        building=sum(p.stage == "building" for p in items),
        finished=sum(p.stage == "finished" for p in items),
        **count,
        mean_percent=sum(pcts) / len(pcts) if pcts else None,
        undated=sum(p.undated for p in items),
    )


def _target(items: Sequence[ProjectAssessment], rules: BufferRules) -> BufferTarget:
    deadline = dt.date(rules.target_year, 12, 31)
    due = [p for p in items if p.due_on is not None and p.due_on <= deadline]
    finished = sum(p.stage == "finished" for p in due)
    return BufferTarget(rules.target_year, len(due), finished, len(due) - finished, finished == len(due))


def assess(store: Store, when: When, rules: ProgressRules | None = None) -> list[ProjectAssessment]:
    """Every project in the store as known at ``when.known_at``, judged on ``when.on`` (for maps
    and lists)."""
    return _assess_all(take(store, LAYER, when), (rules or progress_rules()).buffers)


def buffer_progress(
    store: Store, when: When, rules: ProgressRules | None = None
) -> ProgressReport[BufferTotals, ProjectAssessment]:
    """Projects by stage and on-time status, per district and for the city, against the target."""
    buffer_rules = (rules or progress_rules()).buffers
    snap = take(store, LAYER, when)
    items = _assess_all(snap, buffer_rules)
    return build_report(
        when, LAYER, snap.districts, items, summarise, lambda _city: _target(items, buffer_rules)
    )
