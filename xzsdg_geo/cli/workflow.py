"""``submit``, ``submissions``, ``review``, ``undo``: the review workflow from the shell.

``--as``/``--by`` name the account whose role the services check; shell access to the store is
trusted to say who is acting (the app authenticates with passwords).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..config import settings
from ..i18n import t
from ..readers.budgets import read_file_within_limit
from ..services import review, submissions
from ..services.auth import principal_of
from ..services.review_plan import Choices
from ..store.base import SUBMISSION_STATUSES
from ..textfmt import fmt_num, table
from .common import add_command, add_read_options, opened_store, read_options


def _read(path: str) -> bytes:
    return read_file_within_limit(path)


def cmd_submit(args: argparse.Namespace) -> int:
    options = read_options(args)
    with opened_store(args) as store:
        who = principal_of(store, args.by)
        result = submissions.submit(store, who, _read(args.file), Path(args.file).name, args.layer,
                                    note=args.note, answers=args.answers, options=options)  # fmt: skip
    if args.json:
        out = {"upload_id": result.upload.id, "submission_id": result.submission and result.submission.id,
               "report": result.report.to_dict()}  # fmt: skip
        print(json.dumps(out, ensure_ascii=False, indent=2))
    elif result.submission:
        print(t("cli.submitted", id=result.submission.id, n=len(result.report.features),
                warnings=len(result.report.warnings)))  # fmt: skip
    else:
        print(t("cli.submit_refused", upload=result.upload.id), file=sys.stderr)
        for finding in result.report.errors:
            print(f"  - {finding.message()}", file=sys.stderr)
    return 0 if result.submission else 1


def cmd_submissions(args: argparse.Namespace) -> int:
    with opened_store(args) as store:
        rows = submissions.visible_submissions(store, principal_of(store, args.as_user), args.status)
    header = [t(f"col.sub_{c}") for c in ("id", "layer", "by", "at", "status", "answers", "reviewer")]
    body = [[str(s.id), s.layer, s.submitted_by, s.submitted_at[:16].replace("T", " "),
             t(f"status.{s.status}"), str(s.answers or ""), s.reviewed_by or ""] for s in rows]  # fmt: skip
    print(table(header, body, right_from=99) if body else t("cli.no_submissions"))
    return 0


def _print_preview(p: review.Preview) -> None:
    counts = {k: p.count(k) for k in ("new", "changed", "unchanged", "removed")}
    print(
        t(
            "cli.preview",
            id=p.submission.id,
            layer=p.submission.layer,
            delta=fmt_num(p.area_delta_ha),
            **counts,
        )
    )
    for d in p.diffs:
        if d.kind != "unchanged":
            print(
                t(
                    "cli.preview_change",
                    id=d.feature_id,
                    kind=t(f"pages.change_{d.kind}"),
                    details=_details(d),
                )
            )
    share = fmt_num(100 * settings().review.match_overlap, 0)
    for m in p.matches:
        print(t("cli.preview_match", n=m.index + 1, id=m.feature_id, share=fmt_num(100 * m.share, 1)))
    if p.suggested_closes:
        print(t("cli.preview_suggest", share=share, ids="、".join(p.suggested_closes)))
    for e in p.rate_effects:
        print(t("cli.rate_effect", name=e.name, before=fmt_num(e.before_pct), after=fmt_num(e.after_pct),
                year=p.as_of.year))  # fmt: skip
    if p.city_effect:
        c = p.city_effect
        print(
            t(
                "cli.city_rate_effect",
                year=p.as_of.year,
                before=fmt_num(c.before_pct),
                after=fmt_num(c.after_pct),
            )
        )


def _details(d: review.FeatureDiff) -> str:
    """What changed in one feature: the boundary, and old -> new for each field."""
    parts = [t("acct.geometry_changed")] if d.geometry_changed else []
    parts += [
        t("acct.field_change", field=f.field, before=_shown(f.before), after=_shown(f.after))
        for f in d.fields
    ]
    return f"（{'；'.join(parts)}）" if parts else ""


def _shown(value: object) -> str:
    return t("acct.empty_value") if value is None else str(value)


def _choices(args: argparse.Namespace) -> Choices:
    return Choices(frozenset(args.close or ()), frozenset(n - 1 for n in args.as_new or ()))


def cmd_review(args: argparse.Namespace) -> int:
    with opened_store(args) as store:
        who = principal_of(store, args.as_user)
        if args.decision is None:
            _print_preview(review.preview(store, who, args.id, choices=_choices(args)))
            return 0
        sub = review.decide(store, who, args.id, args.decision, args.comment, _choices(args))
    print(t("cli.reviewed", id=sub.id, status=t(f"status.{sub.status}")))
    return 0


def cmd_undo(args: argparse.Namespace) -> int:
    with opened_store(args) as store:
        sub = review.undo(store, principal_of(store, args.as_user), args.id)
    print(t("cli.undone", id=sub.id))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "submit", cmd_submit)
    p.add_argument("file")
    p.add_argument("--layer", required=True)
    p.add_argument("--by", required=True, help=t("cli.help_as"))
    p.add_argument("--note")
    p.add_argument("--answers", type=int, help=t("cli.help_answers"))
    add_read_options(p)
    p.add_argument("--json", action="store_true", help=t("cli.help_json"))

    p = add_command(sub, "submissions", cmd_submissions)
    p.add_argument("action", nargs="?", choices=["list"], default="list")
    p.add_argument("--status", choices=SUBMISSION_STATUSES)
    p.add_argument("--as", dest="as_user", default="admin", help=t("cli.help_as"))

    p = add_command(sub, "review", cmd_review)
    p.add_argument("id", type=int)
    decision = p.add_mutually_exclusive_group()
    for flag, value in (
        ("--approve", "approve"),
        ("--reject", "reject"),
        ("--needs-changes", "needs_changes"),
    ):
        decision.add_argument(flag, dest="decision", action="store_const", const=value)
    p.add_argument("--comment")
    p.add_argument("--close", action="append", metavar="ID", help=t("cli.help_close"))
    p.add_argument(
        "--as-new", dest="as_new", action="append", type=int, metavar="N", help=t("cli.help_as_new")
    )
    p.add_argument("--as", dest="as_user", required=True, help=t("cli.help_as"))

    p = add_command(sub, "undo", cmd_undo)
    p.add_argument("id", type=int)
    p.add_argument("--as", dest="as_user", required=True, help=t("cli.help_as"))
