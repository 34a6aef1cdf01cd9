"""``init`` and ``import``: creating a store and administrator bulk imports."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..config import settings, store_location
from ..i18n import t
from ..services.auth import principal_of
from ..services.importing import import_file, layer_spec
from ..services.setup import init_store
from ..store.postgis_conn import redact
from .common import add_command, add_read_options, date_arg, opened_store, read_options


def cmd_init(args: argparse.Namespace) -> int:
    store = init_store(store_location(args.store), with_sample=args.sample, demo_password=args.demo_password)
    print(t("cli.init_done", path=redact(store.location), sample=t("cli.with_sample") if args.sample else ""))
    if args.sample:
        names = "、".join(u.username for u in store.users())
        print(
            t("cli.demo_accounts", password=args.demo_password or settings().auth.demo_password, users=names)
        )
    store.close()
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    spec = layer_spec(args.layer)
    options = read_options(args)
    with opened_store(args) as store:
        actor = principal_of(store, args.as_user) if args.as_user else None
        summary = import_file(
            store, Path(args.file), args.layer, actor=actor, valid_from=args.valid_from, options=options
        )
    r = summary.result
    print(
        t("cli.import_done", n=summary.n_features, layer=spec.title(), id=summary.import_id,
          created=len(r.created), updated=len(r.updated), unchanged=len(r.unchanged),
          retired=len(r.retired), crs=summary.source_crs)
    )  # fmt: skip
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "init", cmd_init)
    p.add_argument("--sample", action="store_true", help=t("cli.help_sample"))
    p.add_argument("--demo-password", help=t("cli.help_demo_password"))

    p = add_command(sub, "import", cmd_import)
    p.add_argument("file")
    p.add_argument("--layer", required=True)
    p.add_argument("--as", "--by", dest="as_user", help=t("cli.help_import_as"))
    p.add_argument("--valid-from", type=date_arg, help=t("cli.help_valid_from"))
    add_read_options(p)
