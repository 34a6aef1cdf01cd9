"""``export``, ``report`` and ``indicators``: files to take away, the annual report, the plan's indicators.

The export and report libraries (openpyxl, matplotlib, WeasyPrint) take seconds to load, so they are
imported by the commands that use them, not whenever the CLI starts.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..dates import today_cst
from ..errors import UserError
from ..i18n import t
from ..indicators import IndicatorRow, Tracker, set_actual, tracker
from ..indicators.tracker import indicator, parse_value
from ..layers import all_layers
from ..services.auth import principal_of
from ..textfmt import table
from ..when import recorded_day
from .clocks import add_recorded_option
from .common import add_command, date_arg, opened_store, year_arg

FORMATS = ("xlsx", "csv", "csv-wide", "gpkg", "shp", "geojson", "kml")
LAYER_CRS = ("EPSG:4490", "EPSG:4527", "EPSG:4528", "EPSG:4548", "EPSG:4549")  # exports.options.LAYER_CRS
REPORT_SUFFIXES = {".pdf": "pdf", ".html": "html", ".htm": "html"}


def write_out(export, out: str) -> None:
    """Write to ``out``, or into it under the export's own name when it is a folder."""
    path = Path(out)
    if path.is_dir():
        path = path / export.filename
    try:
        path.write_bytes(export.data)
    except OSError as err:
        raise UserError("export.unwritable", path=path, reason=err.strerror or str(err)) from None
    print(t("export.written", path=path, size=f"{len(export.data):,}"))


def cmd_export(args: argparse.Namespace) -> int:
    from ..exports import LayerOptions, export_layer, export_rates, export_store
    from ..exports.options import FieldNames

    options = LayerOptions(
        crs=args.crs, as_of=args.as_of, names=FieldNames(args.field_names), known_at=args.as_recorded
    )
    with opened_store(args) as store:
        if args.rates:
            export = export_rates(store, args.rates, args.format, known_at=args.as_recorded)
        elif args.layer:
            export = export_layer(store, args.layer, args.format, options)
        else:
            export = export_store(store, args.format, options)
    write_out(export, args.out)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from ..report import build_report

    fmt = REPORT_SUFFIXES.get(Path(args.out).suffix.lower())
    if fmt is None:
        raise UserError("report.bad_suffix", path=args.out)
    with opened_store(args) as store:
        export = build_report(store, args.year, fmt, known_at=args.as_recorded)
    write_out(export, args.out)
    return 0


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}".rstrip("0").rstrip(".")


def _tracker_cells(r: IndicatorRow) -> list[str]:
    source = t(f"indicators.source.{r.reading.source.value}") if r.reading else ""
    ind = r.indicator
    return [str(ind.no), ind.name_zh, ind.unit, _number(r.target), _number(r.value), source,
            t(f"indicators.status.{r.status.value}")]  # fmt: skip


def render_tracker(tr: Tracker) -> str:
    counts = {s.value: n for s, n in tr.counts().items()}
    parts = [t("indicators.list_title", year=tr.year, **counts)]
    keys = ("no", "name", "unit", "target", "value", "source", "status")
    for sdg, rows in tr.by_sdg():
        cells = [_tracker_cells(r) for r in rows]
        parts.append(
            f"{sdg} {t(f'sdg.{sdg[3:]}')}\n{table([t(f'indicators.col.{k}') for k in keys], cells, 3)}"
        )
    return "\n\n".join(parts)


def cmd_indicators_list(args: argparse.Namespace) -> int:
    with opened_store(args) as store:
        tr = tracker(store, args.year or today_cst().year, recorded_day(args.as_recorded), args.as_recorded)
    print(json.dumps(tr.to_dict(), ensure_ascii=False, indent=2) if args.json else render_tracker(tr))
    return 0


def cmd_indicators_set(args: argparse.Namespace) -> int:
    value = parse_value(args.value)
    with opened_store(args) as store:
        recorded = set_actual(store, principal_of(store, args.as_user), args.no, args.year, value, args.note)
    ind = indicator(args.no)
    key = "indicators.set_done" if recorded else "indicators.unchanged"
    print(t(key, no=ind.no, name=ind.name_zh, year=args.year, value=_number(value), unit=ind.unit))
    return 0


def _indicator_no(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(t("indicators.bad_no", value=text))
    return int(text)


def _leaf(sub: argparse._SubParsersAction, name: str, func, help_key: str) -> argparse.ArgumentParser:
    """A sub-command of ``indicators`` with the shared ``--store`` option on itself (argparse would let a
    sub-command's default overwrite an option given before it)."""
    parser = sub.add_parser(name, help=t(help_key))
    parser.add_argument("--store", help=t("cli.help_store"))
    parser.set_defaults(func=func)
    return parser


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "export", cmd_export)
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--rates", type=year_arg, metavar="YEAR", help=t("export.help_rates"))
    what.add_argument("--layer", choices=list(all_layers()), help=t("export.help_layer"))
    what.add_argument("--all", action="store_true", help=t("export.help_all"))
    p.add_argument("--format", required=True, choices=FORMATS, help=t("export.help_format"))
    p.add_argument("--out", required=True, help=t("export.help_out"))
    add_recorded_option(p)
    layers = p.add_argument_group()  # layer and store exports
    layers.add_argument("--crs", default="EPSG:4490", choices=LAYER_CRS, help=t("pkg.export.help_crs"))
    layers.add_argument("--as-of", type=date_arg, metavar="YYYY-MM-DD", help=t("pkg.export.help_as_of"))
    layers.add_argument(
        "--field-names", choices=["zh", "en"], default="zh", help=t("pkg.export.help_field_names")
    )

    p = add_command(sub, "report", cmd_report)
    p.add_argument("--year", type=year_arg, required=True, help=t("report.help_year"))
    p.add_argument("--out", required=True, help=t("report.help_out"))
    add_recorded_option(p)

    p = sub.add_parser("indicators", help=t("cli.help_indicators"))
    actions = p.add_subparsers(dest="action", required=True, parser_class=type(p))
    q = _leaf(actions, "list", cmd_indicators_list, "indicators.help_list")
    q.add_argument("--year", type=year_arg, help=t("indicators.help_list_year"))
    q.add_argument("--json", action="store_true", help=t("cli.help_json"))
    add_recorded_option(q)
    q = _leaf(actions, "set", cmd_indicators_set, "indicators.help_set")
    q.add_argument("no", type=_indicator_no, help=t("indicators.help_no"))
    q.add_argument("year", type=year_arg, help=t("indicators.help_year"))
    q.add_argument("value", help=t("indicators.help_value"))
    q.add_argument("--as", dest="as_user", required=True, help=t("cli.help_as"))
    q.add_argument("--note", help=t("indicators.help_note"))
