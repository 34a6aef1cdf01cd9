"""``raster add`` / ``raster list``, ``verify`` and ``forest-cover``: the remote-sensing checks.

``raster add`` registers a GeoTIFF (an administrator's act, like ``import``); ``verify`` gives each
completed restoration parcel a verdict from the images and sums them per district; ``forest-cover``
measures forest cover per district on the latest land-cover raster. ``--json`` prints the service
layer's report.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections import Counter
from pathlib import Path

from ..errors import UserError
from ..i18n import t
from ..progress.report import ProgressReport
from ..rasters.catalog import KINDS, add_raster
from ..rasters.forest_cover import Cover, ForestReport, forest_cover
from ..rasters.images import images
from ..rasters.verify import ParcelCheck, VerifyTotals, verify_parcels
from ..services.auth import principal_of
from ..store.base import RasterEntry
from ..textfmt import fmt_num, table
from .common import add_command, date_arg, opened_store
from .progress import enum_label


def _pct(value: float | None, digits: int = 1) -> str:
    return fmt_num(value, digits) + ("%" if value is not None else "")


# -- raster add / list ------------------------------------------------------------------------------
def _where(entry: RasterEntry) -> str:
    return t("raster.in_store") if entry.in_store else t("raster.beside_store")


def _crs(entry: RasterEntry) -> str:
    return entry.crs if entry.crs.startswith("EPSG:") else "WKT"


def _raster_row(e: RasterEntry) -> list[str]:
    kind, size = t(f"raster.kind.{e.kind}"), f"{e.width}×{e.height}"
    return [
        str(e.id),
        kind,
        e.acquired_on,
        e.filename,
        _crs(e),
        size,
        f"{e.res_x:g}",
        _where(e),
        e.registered_by,
    ]


def cmd_raster(args: argparse.Namespace) -> int:
    with opened_store(args) as store:
        if args.action == "list":
            keys = ("id", "kind", "date", "file", "crs", "size", "res", "where", "by")
            print(table([t(f"raster.col.{k}") for k in keys], [_raster_row(e) for e in store.rasters()], 99))
            return 0
        if not (args.file and args.kind and args.date):
            raise UserError("raster.add_needs")
        actor = principal_of(store, args.as_user) if args.as_user else None
        entry = add_raster(store, Path(args.file), args.kind, args.date, actor=actor)
    print(t("raster.added", id=entry.id, file=entry.filename, kind=t(f"raster.kind.{entry.kind}"),
            date=entry.acquired_on, crs=_crs(entry), width=entry.width,
            height=entry.height, where=_where(entry)))  # fmt: skip
    return 0


# -- verify -----------------------------------------------------------------------------------------
def _verify_cells(v: VerifyTotals) -> list[str]:
    return [str(v.parcels), fmt_num(v.restored_ha), fmt_num(v.checked_ha), fmt_num(v.verified_ha),
            _pct(v.verified_pct), fmt_num(v.unverified_ha), fmt_num(v.contradicted_ha),
            str(v.counts["contradicted"]), fmt_num(v.excluded_ha)]  # fmt: skip


def _value(check: ParcelCheck, value: float | None) -> str:
    if value is None:
        return "—"
    return _pct(100 * value) if check.signal == "water" else fmt_num(value, 3)


def _day(day: dt.date | None) -> str:
    return day.isoformat() if day else "—"


def _contradicted_row(c: ParcelCheck, names: dict[str, str]) -> list[str]:
    measure = enum_label("restoration_parcels", "measure", c.measure)
    before, after = _value(c, c.before.value), _value(c, c.after.value)
    return [c.feature_id, c.name, names.get(c.adcode, "—"), measure, _day(c.completed_on),
            t(f"verify.signal.{c.signal}"), before, after, _day(c.after.on)]  # fmt: skip


def render_verify(report: ProgressReport) -> str:
    keys = ("parcels", "restored_ha", "checked_ha", "verified_ha", "verified_pct", "unverified_ha",
            "contradicted_ha", "contradicted", "excluded_ha")  # fmt: skip
    header = [t("col.district"), *(t(f"verify.col.{k}") for k in keys)]
    rows = [[d.name, *_verify_cells(d.totals)] for d in report.districts if d.totals.parcels]
    rows.append([t("col.city"), *_verify_cells(report.city)])
    parts = [t("verify.title", date=report.as_of.isoformat()), table(header, rows)]
    contradicted = [i for i in report.items if i.verdict == "contradicted"]
    if contradicted:
        keys = (
            "parcel",
            "name",
            "district",
            "measure",
            "completed_on",
            "signal",
            "before",
            "after",
            "after_on",
        )
        parts.append(t("verify.contradicted_title", n=len(contradicted)))
        names = {d.adcode: d.name for d in report.districts}
        rows = [_contradicted_row(c, names) for c in contradicted]
        parts.append(table([t(f"verify.col.{k}") for k in keys], rows, right_from=6))
    return "\n\n".join(parts)


def _verify_notes(store, report: ProgressReport) -> list[str]:
    """Why parcels were left unverified, and which signals have no image at all (on stderr)."""
    reasons = Counter(i.reason for i in report.items if i.verdict == "unverified")
    notes = [t("verify.note.reason", n=n, reason=t(f"verify.reason.{r}")) for r, n in sorted(reasons.items())]
    signals = sorted({i.signal for i in report.items if i.signal})
    notes += [
        t("verify.note.no_images", signal=t(f"verify.signal.{s}")) for s in signals if not images(store, s)
    ]
    return [*notes, t("verify.note.rate_unchanged")]


def cmd_verify(args: argparse.Namespace) -> int:
    with opened_store(args) as store:
        report = verify_parcels(store, args.district)
        notes = _verify_notes(store, report)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(render_verify(report))
    for note in notes:
        print(note, file=sys.stderr)
    return 0


# -- forest-cover -----------------------------------------------------------------------------------
def _meets(cover: Cover) -> str:
    if cover.meets_target is None:
        return t("forest.no_data")
    return t("forest.meets") if cover.meets_target else t("forest.short")


def _cover_cells(c: Cover) -> list[str]:
    return [_pct(c.forest_pct, 2), _meets(c), fmt_num(c.gap_pct), fmt_num(c.measured_ha), fmt_num(c.area_ha)]


def render_forest(report: ForestReport) -> str:
    keys = ("forest_pct", "meets", "gap", "measured_ha", "area_ha", "landcover_on")
    header = [t("col.district"), *(t(f"forest.col.{k}") for k in keys)]
    rows = [[d.name, *_cover_cells(d.cover), _day(d.landcover_on)] for d in report.districts]
    rows.append([t("col.city"), *_cover_cells(report.city), ""])
    title = t("forest.title", date=report.as_of.isoformat(), target=fmt_num(report.target_pct))
    return f"{title}\n\n{table(header, rows)}"


def cmd_forest_cover(args: argparse.Namespace) -> int:
    with opened_store(args) as store:
        report = forest_cover(store)
    print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) if args.json else render_forest(report))
    if report.city.forest_pct is None and not args.json:
        print(t("forest.note.no_landcover"), file=sys.stderr)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "raster", cmd_raster)
    p.add_argument("action", choices=["add", "list"], help=t("raster.help_action"))
    p.add_argument("file", nargs="?", help=t("raster.help_file"))
    p.add_argument("--kind", choices=KINDS, help=t("raster.help_kind"))
    p.add_argument("--date", type=date_arg, help=t("raster.help_date"))
    p.add_argument("--as", "--by", dest="as_user", help=t("cli.help_import_as"))

    p = add_command(sub, "verify", cmd_verify)
    p.add_argument("--district", help=t("verify.help_district"))
    p.add_argument("--json", action="store_true", help=t("cli.help_json"))

    p = add_command(sub, "forest-cover", cmd_forest_cover)
    p.add_argument("--json", action="store_true", help=t("cli.help_json"))
