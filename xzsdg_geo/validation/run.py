"""``validate_upload``: bytes in, a :class:`ValidationReport` out, for any bytes whatsoever."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from ..i18n import LANGS, t
from ..layers import all_layers, get_layer
from ..readers import ReadOptions, budgets
from ..store import Store
from . import sandbox
from .checks.upload_size import UploadSize
from .context import StoreView, Upload, UploadContext
from .findings import Finding, Localized, finding
from .registry import VALIDATORS, Validator
from .report import FeatureReport, ValidationReport
from .settings import ValidationSettings, validation_settings

LOGGER = logging.getLogger(__name__)


def run_checks(
    ctx: UploadContext, validators: Sequence[Validator] = VALIDATORS
) -> tuple[list[Finding], bool]:
    """Every finding, and whether the run got past the gates (the features could be placed)."""
    findings: list[Finding] = []
    for validator in validators:
        try:
            found = validator.check(ctx)
        except MemoryError:  # the worker's limit, not the check's fault: the worker reports it
            raise
        except Exception as err:  # a crashing check refuses the file; it never escapes as a traceback
            LOGGER.exception("check %s crashed on %s", validator.code, ctx.upload.filename)
            found = [
                finding(
                    "internal_error",
                    detail={"check": validator.code},
                    check=validator.code,
                    detail_text=f"{type(err).__name__}: {str(err)[:160]}",
                )
            ]
        findings.extend(found)
        if validator.gate and any(f.blocking for f in found):
            return findings, False
    return findings, True


def _features(ctx: UploadContext, findings: list[Finding]) -> list[FeatureReport]:
    issues: dict[int, list[str]] = {}
    for f in findings:
        if f.feature is not None and f.code not in issues.setdefault(f.feature, []):
            issues[f.feature].append(f.code)
    area, length = ctx.area_ha, ctx.length_m
    return [
        FeatureReport(
            index=i,
            name=ctx.names[i],
            area_ha=None if np.isnan(area[i]) else float(area[i]),
            length_m=None if np.isnan(length[i]) else float(length[i]),
            issues=issues.get(i, []),
            geometry=ctx.geoms[i],
            properties=ctx.records[i],
            feature_id=ctx.feature_ids[i],
        )
        for i in range(len(ctx.geoms))
    ]


def build_report(ctx: UploadContext, findings: list[Finding], placed: bool) -> ValidationReport:
    source = ctx.choice.source if ctx.read.error is None else None
    return ValidationReport(
        ok=not any(f.blocking for f in findings),
        layer=ctx.spec.name,
        source_crs=ctx.placement.label if source else None,
        crs_inferred=bool(source and source.crs_inferred),
        encoding=source.encoding if source else None,
        features=_features(ctx, findings) if placed else [],
        errors=[f for f in findings if f.blocking],
        warnings=[f for f in findings if not f.blocking],
        measure="length_m" if ctx.spec.is_line else "area_ha",
        source_layers=[x.name for x in ctx.read.layers],
        features_read=len(source.frame) if source else 0,
        source_columns=[str(c) for c in source.frame.columns if c != "geometry"] if source else [],
    )


def check_upload(upload: Upload) -> ValidationReport:
    """Read and check in this process (the worker's job); a report whatever the bytes.

    Memory running out is not a finding but the worker's limit speaking: it is passed on.
    """
    budgets.activate(upload.settings.budgets)
    try:
        ctx = UploadContext(upload)
        findings, placed = run_checks(ctx)
        return build_report(ctx, findings, placed)
    except MemoryError:
        raise
    except Exception as err:  # the report itself failed: still an answer, never a traceback
        detail = f"{type(err).__name__}: {str(err)[:160]}"
        return ValidationReport.refused(
            upload.spec.name, [finding("internal_error", check="report", detail_text=detail)]
        )


def _limit_finding(result: sandbox.Result, limits: sandbox.Limits) -> Finding:
    params = {"seconds": f"{limits.seconds:g}", "mb": limits.memory_mb}
    key = f"secup.what.{result.outcome.value}"
    what = Localized(*(t(key, lang, **params) for lang in LANGS))
    detail = {"outcome": result.outcome.value, "exit_code": result.exit_code}
    return finding("resource_limit", detail=detail, what=what)


def validate_upload(
    data: bytes,
    filename: str,
    layer: str,
    options: ReadOptions | None = None,
    store: Store | None = None,
    *,
    settings: ValidationSettings | None = None,
) -> ValidationReport:
    """Read and check an upload for ``layer``; never raises, whatever the bytes.

    With ``store``, overlaps with the layer's approved features are checked and the store's
    district boundaries are used; without one, overlaps are not checked and the bundled
    boundaries are used. The size gate is decided here, before anything parses; the rest runs in
    the checking worker (:mod:`sandbox`), so a file that exhausts its budgets is one refusal.
    """
    try:
        spec = get_layer(layer)
    except KeyError:
        return ValidationReport.refused(
            layer, [finding("layer_unknown", layer=layer, known="、".join(all_layers()))]
        )
    settings = settings or validation_settings()
    upload = Upload(data, filename, spec, options or ReadOptions(), None, settings)
    if too_large := UploadSize().check(UploadContext(upload)):
        return ValidationReport.refused(layer, too_large)
    try:
        view = StoreView.of(store, spec) if store is not None else None
        limits = sandbox.Limits(settings.budgets.seconds, settings.budgets.memory_mb)
        result = sandbox.run_limited(check_upload, (replace(upload, store=view),), limits)
    except Exception as err:  # the worker could not even start: still an answer
        LOGGER.exception("validating %s for %s failed", filename, layer)
        detail = f"{type(err).__name__}: {str(err)[:160]}"
        return ValidationReport.refused(
            layer, [finding("internal_error", check="worker", detail_text=detail)]
        )
    if result.outcome is sandbox.Outcome.DONE:
        return result.value
    return ValidationReport.refused(layer, [_limit_finding(result, limits)])
