"""What every command shares: argument types, the store option, one-line usage errors."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ..attributes import match_columns
from ..config import store_location
from ..dates import parse_date
from ..errors import UserError
from ..i18n import t
from ..layers import get_layer
from ..readers import ReadOptions
from ..store import Store, open_store
from ..store.gpkg import damage_reported

EXIT_USER_ERROR = 2
EXIT_INTERNAL = 3


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake in one translated line."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(t("cli.usage_error", message=message, prog=self.prog), file=sys.stderr)
        sys.exit(EXIT_USER_ERROR)


# Dates a command takes: wide enough for any record of the bureau, narrow enough that a day's
# bounds in China time stay inside what Python's dates can hold (0001-01-01 and 9999-12-31 do not).
FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2100, 12, 31)


def date_arg(text: str) -> dt.date:
    """A whole date (any spelling :func:`parse_date` takes, nothing after it) within the years we serve."""
    if (day := parse_date(text)) is None:
        raise argparse.ArgumentTypeError(t("cli.bad_date", value=text))
    if not FIRST_DATE <= day <= LAST_DATE:
        raise argparse.ArgumentTypeError(
            t("cli.date_out_of_range", value=text, first=FIRST_DATE.isoformat(), last=LAST_DATE.isoformat())
        )
    return day


def year_arg(text: str) -> int:
    if not text.isdigit() or not 1949 <= int(text) <= 2100:
        raise argparse.ArgumentTypeError(t("cli.bad_year", value=text))
    return int(text)


def add_command(
    sub: argparse._SubParsersAction, name: str, func: Callable[[argparse.Namespace], int]
) -> argparse.ArgumentParser:
    """A sub-command with the shared ``--store`` option."""
    parser = sub.add_parser(name, help=t(f"cli.help_{name}"))
    parser.add_argument("--store", help=t("cli.help_store"))
    parser.set_defaults(func=func)
    return parser


@contextmanager
def opened_store(args: argparse.Namespace) -> Iterator[Store]:
    """The store for a command; a damaged page met anywhere in it is told as a damaged store."""
    location = store_location(args.store)
    with damage_reported(location):
        store = open_store(location)
        try:
            yield store
        finally:
            store.close()


def add_read_options(parser: argparse.ArgumentParser) -> None:
    """What an uploader may say about a file: CRS, encoding, GCJ-02, layer, missing attributes,
    and which column holds which field."""
    parser.add_argument("--crs", help=t("cli.help_crs"))
    parser.add_argument("--encoding", help=t("cli.help_encoding"))
    parser.add_argument("--gcj02", action="store_true", help=t("cli.help_gcj02"))
    parser.add_argument("--source-layer", help=t("cli.help_source_layer"))
    parser.add_argument("--set", action="append", default=[], metavar="字段=值", help=t("cli.help_set"))
    parser.add_argument("--map", action="append", default=[], metavar="字段=列名", help=t("ff.help_map"))


def _pairs(items: list[str], layer: str, key: str) -> tuple[tuple[str, str], ...]:
    """``字段=值`` items whose names are fields of the layer; a usage error names the bad one."""
    out = []
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not match_columns(get_layer(layer), [name.strip()]):
            raise UserError(key, item=item, layer=layer)
        out.append((name.strip(), value.strip()))
    return tuple(out)


def read_options(args: argparse.Namespace) -> ReadOptions:
    """The options of :func:`add_read_options`; ``--set``/``--map`` names must be fields of the layer."""
    defaults = _pairs(args.set, args.layer, "cli.bad_set")
    columns = _pairs(args.map, args.layer, "ff.bad_map")
    return ReadOptions(crs=args.crs, encoding=args.encoding, gcj02=args.gcj02,
                       source_layer=args.source_layer, defaults=defaults, columns=columns)  # fmt: skip
