"""``rates``: the restoration rate per district and for the city, as a table, JSON or CSV."""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import json
import sys

from ..dates import cst_date, today_cst
from ..i18n import t
from ..rates import DistrictRate, RateReport, compute_rates
from ..textfmt import fmt_num, table
from .common import add_command, date_arg, opened_store, year_arg

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
    return f"{title}\n\n{table([t(f'col.{c}') for c in _COLUMNS], rows)}"


def write_csv(report: RateReport) -> None:
    fields = [f.name for f in dataclasses.fields(DistrictRate)]
    writer = csv.writer(sys.stdout)
    writer.writerow(["as_of", *fields])
    for d in report.districts:
        values = dataclasses.astuple(d)
        writer.writerow([report.as_of.isoformat(), *("" if v is None else v for v in values)])


def cmd_rates(args: argparse.Namespace) -> int:
    as_of = dt.date(args.year, 12, 31) if args.year else (args.as_of or today_cst())
    with opened_store(args) as store:
        report = compute_rates(store, as_of)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    elif args.csv:
        write_csv(report)
    else:
        print(render_table(report))
    if report.zones_first_recorded:
        print(t("rates.no_zones_yet", first=cst_date(report.zones_first_recorded)), file=sys.stderr)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "rates", cmd_rates)
    when = p.add_mutually_exclusive_group()
    when.add_argument("--year", type=year_arg, help=t("cli.help_year"))
    when.add_argument("--as-of", type=date_arg, help=t("cli.help_as_of"))
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help=t("cli.help_json"))
    fmt.add_argument("--csv", action="store_true", help=t("cli.help_csv"))
