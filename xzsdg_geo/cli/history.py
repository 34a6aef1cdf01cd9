"""``history`` (a feature's versions) and ``audit`` (every write, exportable as CSV)."""

from __future__ import annotations

import argparse
import sys

from ..i18n import t
from ..services import audit
from ..services.auth import principal_of
from ..services.history import timeline
from ..textfmt import fmt_num, table
from .common import add_command, date_arg, opened_store


def cmd_history(args: argparse.Namespace) -> int:
    with opened_store(args) as store:
        rows = timeline(store, args.feature_id, args.layer)
    header = [t(f"col.hist_{c}") for c in ("layer", "version", "from", "to", "by", "source", "measure")]
    body = [[r.layer, str(r.version), r.valid_from[:19].replace("T", " "),
             (r.valid_to or "")[:19].replace("T", " "), r.recorded_by, r.source, fmt_num(r.measure)]
            for r in rows]  # fmt: skip
    print(table(header, body, right_from=99))
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    with opened_store(args) as store:
        rows = audit.entries(store, principal_of(store, args.as_user), args.since)
    if args.csv:
        sys.stdout.write(audit.to_csv(rows))
        return 0
    header = [t(f"col.audit_{c}") for c in ("id", "at", "actor", "action", "submission", "features")]
    body = [[str(e.id), e.at[:19].replace("T", " "), e.actor, e.action, str(e.submission_id or ""),
             str(len(e.feature_ids))] for e in rows]  # fmt: skip
    print(table(header, body, right_from=99))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "history", cmd_history)
    p.add_argument("feature_id")
    p.add_argument("--layer")

    p = add_command(sub, "audit", cmd_audit)
    p.add_argument("--since", type=date_arg)
    p.add_argument("--csv", action="store_true", help=t("cli.help_csv"))
    p.add_argument("--as", dest="as_user", default="admin", help=t("cli.help_as"))
