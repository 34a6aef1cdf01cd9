"""The command line: ``python -m xzsdg_geo`` (installed as ``xzsdg``). Thin over the services.

Each command group is a module with a ``register(subparsers)`` function, listed in ``COMMANDS``.
Every failure a user can cause ends in one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from ..errors import UserError
from ..i18n import t
from .common import EXIT_INTERNAL, EXIT_USER_ERROR, Parser

# Command modules, in the order ``-h`` lists them. Adding a command is adding a module here.
COMMANDS = [
    "setup",
    "rates",
    "progress",
    "validate",
    "workflow",
    "history",
    "users",
    "exports",
    "rasters",
    "map_print",
]


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="xzsdg", description=t("cli.description"))
    parser.add_argument("--lang", choices=["zh", "en"], help=t("cli.help_lang"))
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for name in COMMANDS:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--lang" in argv[:-1]:
        os.environ["XZSDG_LANG"] = argv[argv.index("--lang") + 1]
    args = build_parser().parse_args(argv)
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
    except Exception as err:  # a bug: say so in one line; the traceback only on request
        if os.environ.get("XZSDG_DEBUG"):
            raise
        print(t("cli.internal_error", detail=f"{type(err).__name__}: {err}"), file=sys.stderr)
        return EXIT_INTERNAL
