"""The command line: ``python -m xzsdg_geo`` (installed as ``xzsdg``). Thin over the services.

Each command group is a module with a ``register(subparsers)`` function, listed in ``COMMANDS``.
Every failure a user can cause ends in one line on stderr and a non-zero exit, never a traceback;
an internal error (a bug) too, its traceback written to the log (``var/log/xzsdg.log``) instead.
``--verbose`` prints the log on stderr as well.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

from ..errors import UserError
from ..i18n import t
from ..logs import setup_logging
from .common import EXIT_INTERNAL, EXIT_USER_ERROR, Parser

# Command modules, in the order ``-h`` lists them. Adding a command is adding a module here.
COMMANDS = [
    "setup",
    "store_admin",
    "rates",
    "progress",
    "validate",
    "template",
    "workflow",
    "history",
    "users",
    "exports",
    "rasters",
    "prediction",
    "serve",
    "serve_api",
    "map_print",
]
LOGGER = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="xzsdg", description=t("cli.description"))
    parser.add_argument("--lang", choices=["zh", "en"], help=t("cli.help_lang"))
    parser.add_argument("-v", "--verbose", action="store_true", help=t("pkg.cli.help_verbose"))
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for name in COMMANDS:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--lang" in argv[:-1]:
        os.environ["XZSDG_LANG"] = argv[argv.index("--lang") + 1]
    args = build_parser().parse_args(argv)
    log = setup_logging(verbose=args.verbose)
    LOGGER.debug("xzsdg %s", " ".join(argv))
    try:
        return args.func(args)
    except UserError as err:
        print(t("cli.error", message=err.message()), file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into head and the like: not an error
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (silences the flush at exit)
        return 0
    except Exception as err:  # a bug: one line for the user, the traceback for the log
        LOGGER.exception("internal error in %r", argv)
        if os.environ.get("XZSDG_DEBUG"):
            raise
        detail = f"{type(err).__name__}: {err}"
        message = (
            t("pkg.cli.internal_error", detail=detail, log=log)
            if log
            else t("cli.internal_error", detail=detail)
        )
        print(message, file=sys.stderr)
        return EXIT_INTERNAL
