"""``map-print``: the map of a view as a PDF or PNG page (the same page the overview's button makes)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import UserError
from ..i18n import current_lang, t
from ..map_print import Format, PrintRequest, orientation, paper, parse_bbox, print_map
from .common import add_command, date_arg, opened_store


def _format(out: Path) -> Format:
    try:
        return Format(out.suffix.lower().lstrip("."))
    except ValueError:
        raise UserError("maptools.bad_out", path=str(out)) from None


def cmd_map_print(args: argparse.Namespace) -> int:
    out = Path(args.out)
    request = PrintRequest(
        bbox=parse_bbox(args.bbox) if args.bbox else None,
        paper=paper(args.size),
        orientation=orientation(args.orientation),
        format=_format(out),
        lang=current_lang(),
        as_of=args.as_of,
    )
    with opened_store(args) as store:
        data = print_map(store, request)
    partial = out.with_name(out.name + ".part")  # never a half-written map under the name asked for
    partial.write_bytes(data)
    partial.replace(out)
    print(t("maptools.printed", path=str(out)))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "map-print", cmd_map_print)
    p.add_argument("--bbox", help=t("cli.help_map_bbox"))
    p.add_argument("--size", default="A4", help=t("cli.help_map_size"))
    p.add_argument("--orientation", default="landscape", help=t("cli.help_map_orientation"))
    p.add_argument("--as-of", type=date_arg, help=t("cli.help_as_of"))
    p.add_argument("--out", required=True, help=t("cli.help_map_out"))
