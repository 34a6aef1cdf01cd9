"""The two time options every figure command shares: ``--year Y | --as-of D`` (real-world time,
default today) and ``--as-recorded T`` (record time, default now), combined into one
:class:`~xzsdg_geo.when.When`."""

from __future__ import annotations

import argparse
import datetime as dt

from ..dates import today_cst
from ..i18n import t
from ..when import When, parse_instant
from .common import date_arg, year_arg


def instant_arg(text: str) -> dt.datetime:
    if (instant := parse_instant(text)) is None:
        raise argparse.ArgumentTypeError(t("clocks.bad_instant", value=text))
    return instant


def add_when_options(parser: argparse.ArgumentParser) -> None:
    """``--year Y | --as-of D`` (real-world time) and ``--as-recorded T`` (record time)."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--year", type=year_arg, help=t("cli.help_year"))
    group.add_argument("--as-of", type=date_arg, help=t("clocks.help_as_of"))
    add_recorded_option(parser)


def add_recorded_option(parser: argparse.ArgumentParser) -> None:
    """``--as-recorded T`` alone, for commands whose real-world day is their ``--year``."""
    parser.add_argument("--as-recorded", type=instant_arg, metavar="T", help=t("clocks.help_as_recorded"))


def when_of(args: argparse.Namespace) -> When:
    """The instant the options name: the end of ``--year``, else ``--as-of``, else today, as
    recorded at ``--as-recorded`` (default now)."""
    day = dt.date(args.year, 12, 31) if args.year else (args.as_of or today_cst())
    return When(day, args.as_recorded)
