"""``user add`` / ``user list``: accounts. The first administrator needs no login."""

from __future__ import annotations

import argparse
import getpass
import sys

from ..errors import UserError
from ..i18n import t
from ..services.accounts import add_user
from ..services.auth import principal_of
from ..textfmt import table
from .common import add_command, opened_store


def _password() -> str:
    """Prompted twice on a terminal; otherwise one line from standard input."""
    if sys.stdin.isatty():
        first = getpass.getpass(t("cli.password_prompt"))
        if first != getpass.getpass(t("cli.password_again")):
            raise UserError("auth.password_mismatch")
        return first
    return sys.stdin.readline().rstrip("\n")


def cmd_user(args: argparse.Namespace) -> int:
    with opened_store(args) as store:
        if args.action == "list":
            rows = [[u.username, t(f"role.{u.role}"), u.district or "", t("cli.yes") if u.disabled else ""]
                    for u in store.users()]  # fmt: skip
            print(table([t(f"col.user_{c}") for c in ("name", "role", "district", "disabled")], rows, 99))
            return 0
        if not args.name or not args.role:
            raise UserError("cli.user_add_needs")
        actor = principal_of(store, args.as_user) if args.as_user else None
        add_user(store, actor, args.name, args.role, _password(), args.district)
    print(t("cli.user_added", user=args.name, role=t(f"role.{args.role}")))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "user", cmd_user)
    p.add_argument("action", choices=["add", "list"])
    p.add_argument("name", nargs="?")
    p.add_argument("--role", choices=["admin", "reviewer", "field_team", "district_head"])
    p.add_argument("--district", help=t("cli.help_district"))
    p.add_argument("--as", dest="as_user", help=t("cli.help_as"))
