"""``rates``: the restoration rate per district and for the city, as a table, JSON or CSV."""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import sys

from ..dates import cst_date
from ..i18n import t
from ..rates import DistrictRate, RateReport, compute_rates
from ..textfmt import fmt_num, table
from .clocks import add_when_options, when_of
from .common import add_command, opened_store

_COLUMNS = ("district", "zone_ha", "restored_ha", "rate", "target", "gap_ha", "pace", "reaches")


def _pct(value: float | None, digits: int = 2) -> str:
    return fmt_num(value, digits) + ("%" if value is not None else "")


def _reaches(d: DistrictRate, final_year: int) -> str:
    if d.rate_pct is None:
        return t("rates.no_zones")
    return str(d.reaches_target_in) if d.reaches_target_in else t("rates.not_by", year=final_year)


def render_table(report: RateReport) -> str:
    rows = [
        [d.name, fmt_num(d.zone_ha), fmt_num(d.restored_ha), _pct(d.rate_pct), _pct(d.target_pct, 1),
         fmt_num(d.gap_ha), fmt_num(d.pace_ha_per_year), _reaches(d, report.final_year)]
        for d in report.districts
    ]  # fmt: skip
    c = report.city
    rows.append([t("col.city"), fmt_num(c.zone_ha), fmt_num(c.restored_ha), _pct(c.rate_pct),
                 _pct(report.target_pct, 1), fmt_num(c.gap_ha), "", ""])  # fmt: skip
    title = t("rates.title", date=report.as_of.isoformat(), final=report.final_target_pct,
              year=report.final_year)  # fmt: skip
    return f"{title}　{report.when.recorded_label()}\n\n{table([t(f'col.{c}') for c in _COLUMNS], rows)}"


def write_csv(report: RateReport) -> None:
    fields = [f.name for f in dataclasses.fields(DistrictRate)]
    writer = csv.writer(sys.stdout)
    instants = report.when.to_dict()
    writer.writerow([*instants, *fields])
    for d in report.districts:
        values = dataclasses.astuple(d)
        writer.writerow([*(v or "" for v in instants.values()), *("" if v is None else v for v in values)])


def cmd_rates(args: argparse.Namespace) -> int:
    with opened_store(args) as store:
        report = compute_rates(store, when_of(args))
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    elif args.csv:
        write_csv(report)
    else:
        print(render_table(report))
    if report.zones_first_recorded:
        at, first = report.when.to_dict()["as_recorded"], cst_date(report.zones_first_recorded)
        print(t("clocks.no_zones_recorded", at=at, first=first), file=sys.stderr)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "rates", cmd_rates)
    add_when_options(p)
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help=t("cli.help_json"))
    fmt.add_argument("--csv", action="store_true", help=t("cli.help_csv"))
