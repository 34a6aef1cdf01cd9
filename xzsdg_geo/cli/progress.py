"""``progress``: quarry pits, river segments and buffer projects against the plan, per district.

``--json`` prints the service layer's report (the shape of ``rates --json``); the default is a
Chinese (or ``--lang en``) table. ``--priority`` lists the quarry pits to treat first.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from ..errors import UserError
from ..i18n import current_lang, t
from ..layers import get_layer
from ..progress import METRICS, ProgressReport, compute_progress, priority_list, progress_rules
from ..progress.buffers import ProjectAssessment
from ..progress.quarries import PriorityList, QuarryAssessment
from ..textfmt import fmt_num, table
from .clocks import add_when_options, when_of
from .common import add_command, opened_store

Column = tuple[str, Callable[[object], str]]  # catalog key of the header, cell of a totals row


def _pct(value: float | None) -> str:
    return fmt_num(value, 1) + ("%" if value is not None else "")


def _of(part: int, whole: int) -> str:
    return f"{part}/{whole}"


def enum_label(layer: str, field: str, code: str | None) -> str:
    """An enum value as the layer file names it in the current language."""
    if code is None:
        return "—"
    value = get_layer(layer).field(field).value(code)
    return value.zh if current_lang() == "zh" else value.en


COLUMNS: dict[str, list[Column]] = {
    "quarries": [
        ("progress.col.count", lambda q: str(q.count)),
        ("progress.col.treated", lambda q: str(q.treated)),
        ("progress.col.in_progress", lambda q: str(q.in_progress)),
        ("progress.col.untreated", lambda q: str(q.untreated)),
        ("progress.col.treated_pct", lambda q: _pct(q.treated_pct)),
        ("progress.col.area_ha", lambda q: fmt_num(q.area_ha)),
        ("progress.col.treated_area_ha", lambda q: fmt_num(q.treated_area_ha)),
        ("progress.col.treated_area_pct", lambda q: _pct(q.treated_area_pct)),
        ("progress.col.near", lambda q: _of(q.near_treated, q.near)),
        ("progress.col.far", lambda q: _of(q.far_treated, q.far)),
        ("progress.col.high_risk_untreated", lambda q: str(q.high_risk_untreated)),
        ("progress.col.measure_mismatch", lambda q: str(q.measure_mismatch)),
    ],
    "river_segments": [
        ("progress.col.segments", lambda r: str(r.count)),
        ("progress.col.length_km", lambda r: fmt_num(r.length_km)),
        ("progress.col.accepted", lambda r: str(r.accepted)),
        ("progress.col.accepted_pct", lambda r: _pct(r.accepted_pct)),
        ("progress.col.building", lambda r: str(r.building)),
        ("progress.col.not_started", lambda r: str(r.not_started)),
        ("progress.col.accepted_length_km", lambda r: fmt_num(r.accepted_length_km)),
        ("progress.col.good_water_pct", lambda r: _pct(r.good_water_pct)),
    ],
    "buffer_projects": [
        ("progress.col.projects", lambda b: str(b.count)),
        ("progress.col.area_ha", lambda b: fmt_num(b.area_ha)),
        ("progress.col.approved", lambda b: str(b.approved)),
        ("progress.col.building", lambda b: str(b.building)),
        ("progress.col.finished", lambda b: str(b.finished)),
        ("progress.col.behind", lambda b: str(b.at_risk + b.overdue + b.late)),
        ("progress.col.mean_percent", lambda b: _pct(b.mean_percent)),
    ],
}


def _river_title(report: ProgressReport) -> str:
    target = report.target
    lines = [
        t(
            "progress.title.river_segments",
            date=report.as_of.isoformat(),
            year=target.target_year,
            target=target.target_accepted,
            accepted=target.accepted,
            remaining=target.remaining,
        )
    ]
    if target.needed_per_year:
        lines.append(t("progress.river_pace", n=fmt_num(target.needed_per_year, 1)))
    pct, goal = _pct(report.city.good_water_pct), _pct(target.good_water_target_pct)
    lines.append(t("progress.river_water", pct=pct, target=goal))
    return "\n".join(lines)


def _title(report: ProgressReport) -> str:
    day, target = report.as_of.isoformat(), report.target
    if report.layer == "quarries":
        km = fmt_num(progress_rules().quarries.near_city_m / 1000, 1)
        return t("progress.title.quarries", date=day, km=km)
    if report.layer == "river_segments":
        return _river_title(report)
    return t("progress.title.buffer_projects", date=day, year=target.target_year, due=target.due,
             finished=target.finished)  # fmt: skip


def render_table(report: ProgressReport) -> str:
    """Districts holding features of the layer, then the city total."""
    columns = COLUMNS[report.layer]
    header = [t("col.district"), *(t(key) for key, _ in columns)]
    rows = [[d.name, *(cell(d.totals) for _, cell in columns)] for d in report.districts if d.totals.count]
    rows.append([t("col.city"), *(cell(report.city) for _, cell in columns)])
    parts = [f"{_title(report)}　{report.when.recorded_label()}", table(header, rows)]
    if report.layer == "buffer_projects":
        parts.append(render_projects(report.items))
    return "\n\n".join(parts)


def _project_row(p: ProjectAssessment) -> list[str]:
    return [
        p.name,
        p.district or "—",
        enum_label("buffer_projects", "stage", p.stage),
        t(f"progress.timeliness.{p.timeliness}"),
        _pct(p.percent_complete),
        _pct(p.expected_pct),
        p.due_on.isoformat() if p.due_on else "—",
    ]


def render_projects(projects: list[ProjectAssessment]) -> str:
    keys = ("name", "district", "stage", "timeliness", "percent", "expected", "due_on")
    return table([t(f"progress.col.{k}") for k in keys], [_project_row(p) for p in projects], right_from=4)


def _priority_row(rank: int, q: QuarryAssessment) -> list[str]:
    return [
        str(rank),
        f"{q.feature_id} {q.name}",
        q.district or "—",
        enum_label("quarries", "hazard_type", q.hazard_type),
        t(f"progress.level.{q.hazard_level}"),
        t(f"progress.location.{q.location}"),
        enum_label("quarries", "measure", q.strategy),
        enum_label("quarries", "status", q.status),
        fmt_num(q.distance_m / 1000, 1),
        fmt_num(q.area_ha),
        fmt_num(q.priority) if q.priority is not None else t("progress.no_outline"),
    ]


def render_priority(plist: PriorityList) -> str:
    keys = ("rank", "quarry", "district", "hazard_type", "hazard_level", "location", "strategy", "status",
            "distance_km", "area_ha", "priority")  # fmt: skip
    rows = [_priority_row(n, q) for n, q in enumerate(plist.items, start=1)]
    title = t("progress.title.priority", date=plist.as_of.isoformat(), n=plist.waiting)
    return f"{title}\n\n{table([t(f'progress.col.{k}') for k in keys], rows, right_from=8)}"


def _notes(report: ProgressReport) -> list[str]:
    """What the totals leave out, said once under the table (on stderr, like ``rates``)."""
    city = report.city
    notes = []
    if city.undated:
        notes.append(t(f"progress.note.undated.{report.layer}", n=city.undated))
    if getattr(city, "points", 0):
        notes.append(t("progress.note.points", n=city.points))
    if report.outside_districts:
        notes.append(t("progress.note.outside", n=report.outside_districts))
    if report.layer == "quarries":
        notes.append(t("progress.note.built_up"))
    return notes


def cmd_progress(args: argparse.Namespace) -> int:
    when = when_of(args)
    if args.priority and args.layer != "quarries":
        raise UserError("progress.priority_quarries_only")
    with opened_store(args) as store:
        if args.priority:
            plist = priority_list(store, when, limit=args.top)
            print(
                json.dumps(plist.to_dict(), ensure_ascii=False, indent=2)
                if args.json
                else render_priority(plist)
            )
            return 0
        report = compute_progress(store, args.layer, when)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(render_table(report))
    for note in _notes(report):
        print(note, file=sys.stderr)
    return 0


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(t("progress.bad_top", value=text))
    return int(text)


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "progress", cmd_progress)
    p.add_argument("--layer", required=True, choices=list(METRICS), help=t("progress.help_layer"))
    add_when_options(p)
    p.add_argument("--json", action="store_true", help=t("cli.help_json"))
    p.add_argument("--priority", action="store_true", help=t("progress.help_priority"))
    p.add_argument("--top", type=_positive, help=t("progress.help_top"))
