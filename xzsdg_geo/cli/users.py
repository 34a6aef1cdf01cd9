"""``user add|list|reset-password|unlock|disable|enable|passwd``: accounts, through
:mod:`xzsdg_geo.services.accounts`. The first administrator needs no login; without ``--as`` the
console operator (who has the store file) administers, as for every administrative command."""

from __future__ import annotations

import argparse
import getpass
import sys

from ..errors import UserError
from ..i18n import t
from ..services import accounts
from ..services.auth import Principal, principal_of
from ..store import Store
from ..textfmt import table
from .common import add_command, opened_store

ACTIONS = ("add", "list", "reset-password", "unlock", "disable", "enable", "passwd")


def _password(prompt: str = "cli.password_prompt", twice: bool = True) -> str:
    """Prompted (twice for a new one) on a terminal; otherwise one line from standard input."""
    if sys.stdin.isatty():
        first = getpass.getpass(t(prompt))
        if twice and first != getpass.getpass(t("cli.password_again")):
            raise UserError("auth.password_mismatch")
        return first
    return sys.stdin.readline().rstrip("\n")


def _list(store: Store, actor: Principal | None) -> str:
    rows = [[u.username, t(f"role.{u.role}"), u.district or "", t("cli.yes") if u.disabled else "",
             t("cli.yes") if u.must_change_password else ""]
            for u in accounts.list_users(store, actor)]  # fmt: skip
    header = [t(f"col.user_{c}") for c in ("name", "role", "district", "disabled")] + [
        t("acct.col_must_change")
    ]
    return table(header, rows, 99)


def _add(store: Store, actor: Principal | None, args: argparse.Namespace) -> str:
    if not args.name or not args.role:
        raise UserError("cli.user_add_needs")
    accounts.add_user(store, actor, args.name, args.role, _password(), args.district)
    return t("cli.user_added", user=accounts.normalized_name(args.name), role=t(f"role.{args.role}"))


def _administer(store: Store, actor: Principal | None, action: str, name: str) -> str:
    if action == "reset-password":
        return t("cli.temporary_password", user=name, password=accounts.reset_password(store, actor, name))
    if action == "unlock":
        accounts.unlock(store, actor, name)
        return t("cli.user_unlocked", user=name)
    accounts.set_disabled(store, actor, name, action == "disable")
    return t("cli.user_disabled" if action == "disable" else "cli.user_enabled", user=name)


def _passwd(store: Store, name: str) -> str:
    """One's own password: the current one proves who is asking."""
    current = _password("cli.current_password_prompt", twice=False)
    accounts.change_password(store, principal_of(store, name), current, _password())
    return t("cli.password_changed", user=name)


def cmd_user(args: argparse.Namespace) -> int:
    with opened_store(args) as store:
        actor = principal_of(store, args.as_user) if args.as_user else None
        if args.action == "list":
            print(_list(store, actor))
            return 0
        if args.action == "add":
            print(_add(store, actor, args))
            return 0
        if not args.name:
            raise UserError("cli.user_needs_name", action=args.action)
        print(
            _passwd(store, args.name)
            if args.action == "passwd"
            else _administer(store, actor, args.action, args.name)
        )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "user", cmd_user)
    p.add_argument("action", choices=ACTIONS)
    p.add_argument("name", nargs="?")
    p.add_argument("--role", choices=["admin", "reviewer", "field_team", "district_head"])
    p.add_argument("--district", help=t("cli.help_district"))
    p.add_argument("--as", dest="as_user", help=t("cli.help_as"))
