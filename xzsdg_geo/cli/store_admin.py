"""``migrate``: the owner's command. Opening a store as the app never changes its schema (reads take
no lock, and on a database server the app's role may not); the owner brings it up to date here
and grants the app role what it needs."""

from __future__ import annotations

import argparse

from ..config import store_location
from ..errors import UserError
from ..i18n import t
from ..store import open_store
from ..store.postgis_conn import is_postgres_url, redact
from .common import add_command


def cmd_migrate(args: argparse.Namespace) -> int:
    location = store_location(args.store)
    if args.grant_to and not is_postgres_url(location):
        raise UserError("store.grant_needs_server", role=args.grant_to)
    store = open_store(location, as_owner=True)
    try:
        if args.grant_to:
            store.grant_app_role(args.grant_to)  # type: ignore[attr-defined] (PostGIS only, checked above)
            print(t("cli.granted", role=args.grant_to))
        print(t("cli.migrate_done", path=redact(location), version=store.schema_version()))
    finally:
        store.close()
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "migrate", cmd_migrate)
    p.add_argument("--grant-to", metavar="ROLE", help=t("cli.help_grant_to"))
