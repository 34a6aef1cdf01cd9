"""``predict``, ``stability``, ``fit-parameters`` and ``observations``: the underground meets the surface.

``predict`` writes the basin of the working faces at a date (GeoTIFF, mm) or its zones by severity
(GeoPackage) and prints what the new subsidence does to each district's rate at the plan's end;
``stability`` gives 稳沉 per monitoring point and zone; ``fit-parameters`` fits a face's parameters
to its observations; ``observations add`` records a CSV/xlsx of observations (administrators).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
from collections import Counter
from pathlib import Path

from ..config import targets
from ..errors import UserError
from ..i18n import t
from ..services import prediction as svc
from ..services.auth import principal_of
from ..textfmt import fmt_num, table
from .common import add_command, date_arg, opened_store

OUTPUTS = {".tif": svc.write_raster, ".tiff": svc.write_raster, ".gpkg": svc.write_zones}


def _pct(value: float | None) -> str:
    return fmt_num(value, 2) + ("%" if value is not None else "")


def _effects_text(effects: list[svc.DistrictEffect], year: int) -> list[str]:
    lines = []
    for e in effects:
        if e.new_ha > 0:
            lines.append(
                t(
                    "predict.effect",
                    district=e.name,
                    new=fmt_num(e.new_ha),
                    year=year,
                    before=_pct(e.rate_pct),
                    after=_pct(e.rate_with_new_pct),
                )
            )
    return lines or [t("predict.no_effect", year=year)]


def _prediction_json(p: svc.Prediction, effects: list[svc.DistrictEffect], out: str | None) -> dict:
    return {
        "date": p.on.isoformat() if p.on else None,
        "crs": p.grid_crs,
        "cell_m": p.grid.cell,
        "faces": [q.face.face_id for q in p.panels],
        "skipped_faces": p.skipped,
        "max_mm": p.max_mm,
        "zones": [{"severity": z.severity, "area_ha": z.area_ha} for z in p.zones],
        "comparison": dataclasses.asdict(p.comparison) if p.comparison else None,
        "districts": [dataclasses.asdict(e) for e in effects],
        "out": out,
    }


def cmd_predict(args: argparse.Namespace) -> int:
    writer = None
    if args.out:
        writer = OUTPUTS.get(Path(args.out).suffix.lower())
        if writer is None:
            raise UserError("predict.bad_out", file=args.out)
    faces = [f.strip() for f in args.faces.split(",")] if args.faces else None
    year = targets().final_year
    with opened_store(args) as store:
        prediction = svc.predict(store, args.date, face_ids=faces, cell_m=args.cell)
        effects = svc.rate_consequence(store, prediction, year)
    if writer is not None:
        writer(prediction, Path(args.out))
    if args.json:
        print(json.dumps(_prediction_json(prediction, effects, args.out), ensure_ascii=False, indent=2))
        return 0
    c = prediction.comparison
    print(
        t(
            "predict.title",
            date=args.date.isoformat() if args.date else t("predict.final"),
            faces=len(prediction.panels),
            max=fmt_num(prediction.max_mm, 0),
        )
    )
    rows = [[t(f"predict.severity.{z.severity}"), fmt_num(z.area_ha)] for z in prediction.zones]
    print(table([t("predict.col.severity"), t("predict.col.area_ha")], rows))
    if c is not None:
        print(
            t(
                "predict.compare",
                predicted=fmt_num(c.predicted_ha),
                overlap=fmt_num(c.overlap_ha),
                new=fmt_num(c.new_ha),
            )
        )
    print("\n".join(_effects_text(effects, year)))
    if args.out:
        print(t("predict.written", file=args.out))
    return 0


def cmd_stability(args: argparse.Namespace) -> int:
    day = args.date or dt.date.today()
    with opened_store(args) as store:
        report = svc.stability(store, day)
    if args.json:
        print(json.dumps(dataclasses.asdict(report), ensure_ascii=False, indent=2, default=str))
        return 0
    points = Counter(p.verdict.value for p in report.points)
    zones = Counter(z.verdict.value for z in report.zones)
    print(t("stability.title", date=day.isoformat()))
    print(t("stability.points", stable=points["stable"], moving=points["moving"], unknown=points["unknown"]))
    print(
        t(
            "stability.zones",
            stable=zones["stable"],
            moving=zones["moving"],
            unknown=zones["unknown"],
            under=sum(z.under_faces for z in report.zones),
        )
    )
    rows = [
        [
            z.zone_id,
            z.name,
            t(f"stability.verdict.{z.verdict.value}"),
            str(z.points),
            t("stability.yes") if z.under_faces else "",
        ]
        for z in report.zones
        if z.verdict.value != "unknown" or z.under_faces
    ]
    if rows:
        keys = ("zone", "name", "verdict", "points", "under")
        print(table([t(f"stability.col.{k}") for k in keys], rows))
    print(
        t(
            "stability.planned",
            n=len(report.planned_on_unstable),
            ids="、".join(report.planned_on_unstable[:20]),
        )
    )
    print(
        t(
            "stability.restored",
            n=len(report.restored_over_faces),
            ids="、".join(report.restored_over_faces[:20]),
        )
    )
    return 0


def cmd_fit(args: argparse.Namespace) -> int:
    with opened_store(args) as store:
        fit = svc.fit_face(store, args.face)
    values = {n: getattr(fit.parameters, n) for n in fit.fitted}
    if args.json:
        print(
            json.dumps(
                {"face": args.face, "fitted": values, "rmse_mm": fit.rmse_mm, "n": fit.n},
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    print(t("fit.title", face=args.face, n=fit.n, rmse=fmt_num(fit.rmse_mm, 1)))
    print(
        table(
            [t("fit.col.name"), t("fit.col.value")],
            [[t(f"fit.param.{k}"), f"{v:.4f}"] for k, v in values.items()],
        )
    )
    return 0


def cmd_observations(args: argparse.Namespace) -> int:
    with opened_store(args) as store:
        actor = principal_of(store, args.as_user) if args.as_user else None
        written = svc.add_observations(store, Path(args.file), actor=actor)
    print(t("observations.added", n=written, file=Path(args.file).name))
    return 0


def _cell(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(t("predict.bad_cell", value=text)) from None
    if not 1.0 <= value <= 500.0:
        raise argparse.ArgumentTypeError(t("predict.bad_cell", value=text))
    return value


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "predict", cmd_predict)
    p.add_argument("--date", type=date_arg, help=t("predict.help_date"))
    p.add_argument("--faces", help=t("predict.help_faces"))
    p.add_argument("--cell", type=_cell, help=t("predict.help_cell"))
    p.add_argument("--out", help=t("predict.help_out"))
    p.add_argument("--json", action="store_true", help=t("cli.help_json"))

    p = add_command(sub, "stability", cmd_stability)
    p.add_argument("--date", type=date_arg, help=t("stability.help_date"))
    p.add_argument("--json", action="store_true", help=t("cli.help_json"))

    p = add_command(sub, "fit-parameters", cmd_fit)
    p.add_argument("--face", required=True, help=t("fit.help_face"))
    p.add_argument("--json", action="store_true", help=t("cli.help_json"))

    p = add_command(sub, "observations", cmd_observations)
    p.add_argument("action", choices=["add"], help=t("observations.help_action"))
    p.add_argument("file", help=t("observations.help_file"))
    p.add_argument("--as", "--by", dest="as_user", help=t("cli.help_import_as"))
