"""What every command shares: argument types, the store option, one-line usage errors."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ..config import store_location
from ..dates import parse_date
from ..i18n import t
from ..store import Store, open_store

EXIT_USER_ERROR = 2
EXIT_INTERNAL = 3


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake in one translated line."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(t("cli.usage_error", message=message, prog=self.prog), file=sys.stderr)
        sys.exit(EXIT_USER_ERROR)


def date_arg(text: str) -> dt.date:
    if (day := parse_date(text)) is None:
        raise argparse.ArgumentTypeError(t("cli.bad_date", value=text))
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
    store = open_store(store_location(args.store))
    try:
        yield store
    finally:
        store.close()
