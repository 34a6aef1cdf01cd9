"""``validate``: check an upload as the upload page would, without writing anything.

Exit 0 when the file would be accepted, 1 when it is refused (the report says why), 2 for a usage
mistake (unknown layer, unreadable file or store). Without ``--store`` the default store is used
when it exists; with none, overlaps with approved features are not checked (a note on stderr says
so) and the bundled district boundaries are used.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..config import store_location
from ..i18n import t
from ..readers.budgets import read_file_within_limit
from ..services.importing import layer_spec
from ..store import Store, open_store
from ..validation import Finding, ValidationReport, validate_upload
from ..validation.report import count_line
from .common import add_read_options, read_options

EXIT_REFUSED = 1


def _store(explicit: str | None) -> Store | None:
    """The named store; else the default one if it exists; else none."""
    location = store_location(explicit)
    if explicit or Path(location).is_file():
        return open_store(location)
    return None


def _line(report: ValidationReport, f: Finding) -> str:
    if f.feature is None:
        return f"  - {f.message()}"
    fid = report.features[f.feature].feature_id if f.feature < len(report.features) else None
    return "  - " + t(
        "validate.at_feature",
        n=f.feature + 1,
        id=t("validate.feature_id", id=fid) if fid else "",
        text=f.message(),
    )


def render(report: ValidationReport, filename: str) -> str:
    spec = layer_spec(report.layer)
    head = t(
        "validate.head",
        file=filename,
        layer=spec.title(),
        crs=report.source_crs or "—",
        inferred=t("validate.inferred") if report.crs_inferred else "",
        encoding=report.encoding or "—",
    )
    count = count_line(report.to_dict())
    lines = [head, count] if count else [head]
    for title, findings in (("validate.errors", report.errors), ("validate.warnings", report.warnings)):
        if findings:
            lines += [t(title, n=len(findings)), *(_line(report, f) for f in findings)]
    lines.append(t("validate.ok" if report.ok else "validate.refused"))
    return "\n".join(lines)


def cmd_validate(args: argparse.Namespace) -> int:
    layer_spec(args.layer)
    data = read_file_within_limit(args.file)
    options = read_options(args)
    store = _store(args.store)
    try:
        report = validate_upload(data, Path(args.file).name, args.layer, options, store)
    finally:
        if store is not None:
            store.close()
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(render(report, Path(args.file).name))
    if store is None:
        print(t("validate.no_store"), file=sys.stderr)
    return 0 if report.ok else EXIT_REFUSED


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate",
        help=t("cli.help_validate"),
        description=t("cli.help_validate"),
        epilog=t("validate.exit_codes"),
    )
    p.set_defaults(func=cmd_validate)
    p.add_argument("--store", help=t("cli.help_validate_store"))
    p.add_argument("file")
    p.add_argument("--layer", required=True, help=t("cli.help_layer"))
    add_read_options(p)
    p.add_argument("--json", action="store_true", help=t("cli.help_json"))
