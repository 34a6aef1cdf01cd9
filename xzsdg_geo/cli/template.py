"""``template``: the empty upload file of a layer (Chinese columns, value lists, CRS)."""

from __future__ import annotations

import argparse

from ..i18n import t
from ..services.importing import layer_spec
from ..templates import TEMPLATE_FORMATS, template
from .exports import write_out


def cmd_template(args: argparse.Namespace) -> int:
    write_out(template(layer_spec(args.layer), args.format, args.crs), args.out)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("template", help=t("template.help"), description=t("template.help"))
    p.set_defaults(func=cmd_template)
    p.add_argument("--layer", required=True, help=t("cli.help_layer"))
    p.add_argument("--format", required=True, choices=TEMPLATE_FORMATS, help=t("template.help_format"))
    p.add_argument("--crs", help=t("template.help_crs"))
    p.add_argument("--out", default=".", help=t("template.help_out"))
