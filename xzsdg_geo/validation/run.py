"""``validate_upload``: bytes in, a :class:`ValidationReport` out, for any bytes whatsoever."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from ..layers import all_layers, get_layer
from ..readers import ReadOptions
from ..store import Store
from .context import Upload, UploadContext
from .findings import Finding, finding
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
    )


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
    boundaries are used.
    """
    try:
        spec = get_layer(layer)
    except KeyError:
        return ValidationReport.refused(
            layer, [finding("layer_unknown", layer=layer, known="、".join(all_layers()))]
        )
    try:
        upload = Upload(
            data, filename, spec, options or ReadOptions(), store, settings or validation_settings()
        )
        ctx = UploadContext(upload)
        findings, placed = run_checks(ctx)
        return build_report(ctx, findings, placed)
    except Exception as err:  # the report itself failed: still an answer, never a traceback
        LOGGER.exception("validating %s for %s failed", filename, layer)
        detail = f"{type(err).__name__}: {str(err)[:160]}"
        return ValidationReport.refused(
            layer, [finding("internal_error", check="report", detail_text=detail)]
        )
