"""Administrator bulk import: a file becomes approved features, recorded with its provenance.

The file goes through the same readers and checks as a field team's upload (so a guessed CRS,
a legacy datum or a bad attribute is caught the same way); what differs is that an accepted file
is written at once instead of queued for review.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..dates import now_utc, start_of_day_utc, today_cst
from ..errors import UserError
from ..i18n import t
from ..layers import LayerSpec, all_layers, get_layer
from ..readers import ReadOptions
from ..readers.budgets import read_file_within_limit
from ..store import ImportRecord, NewFeature, Store, WriteResult
from ..validation import ValidationReport, validate_upload
from . import audit
from .auth import Permission, Principal, administrator_name
from .layer_access import LayerAction, require_layer


@dataclass(frozen=True)
class ImportSummary:
    import_id: int
    layer: str
    n_features: int
    source_crs: str
    result: WriteResult
    report: ValidationReport  # warnings worth showing even though the file was accepted


def layer_spec(name: str) -> LayerSpec:
    try:
        return get_layer(name)
    except KeyError:
        raise UserError("layer.unknown", layer=name, known="、".join(all_layers())) from None


def _refusal(report: ValidationReport) -> UserError:
    """One line naming the first problems, each with the feature it concerns (counted from 1)."""
    texts = [
        e.message() if e.feature is None else t("attr.at_feature", n=e.feature + 1, text=e.message())
        for e in report.errors[:5]
    ]
    details = "；".join(texts)
    return UserError("import.refused", count=len(report.errors), details=details)


def import_file(
    store: Store,
    path: Path,
    layer: str,
    *,
    actor: Principal | None,
    valid_from: dt.date | None = None,
    options: ReadOptions | None = None,
) -> ImportSummary:
    """Read, check and store a file as approved features of ``layer``, all or nothing.

    ``actor`` None is the console operator: whoever has shell access to the store file.
    """
    by = administrator_name(actor, Permission.IMPORT)
    spec = layer_spec(layer)
    if actor is not None:  # the console operator is the store's owner
        require_layer(actor, spec, LayerAction.APPROVE)
    if valid_from is not None and valid_from > (today := today_cst()):  # closed before it began
        raise UserError("import.future_valid_from", date=valid_from.isoformat(), today=today.isoformat())
    data = read_file_within_limit(path)
    report = validate_upload(data, Path(path).name, layer, options or ReadOptions(), store)
    if not report.ok:
        raise _refusal(report)
    features = [NewFeature(f.feature_id, f.geometry, f.properties) for f in report.features]
    stamp = start_of_day_utc(valid_from) if valid_from else now_utc()
    crs = report.source_crs or "—"
    record = ImportRecord(layer=layer, filename=Path(path).name, sha256=hashlib.sha256(data).hexdigest(),
                          source_crs=crs, by=by, valid_from=stamp, n_features=len(features))  # fmt: skip
    with store.transaction():
        import_id = store.add_import(record)
        result = store.write_features(layer, features, by=by, source=f"import:{import_id}",
                                      valid_from=stamp, replace_all=spec.replace_on_import)  # fmt: skip
        changed = [*result.created, *result.updated, *result.retired]
        audit.record(store, by, "import", layer=layer, feature_ids=changed,
                     detail={"import_id": import_id, "file": record.filename})  # fmt: skip
    return ImportSummary(import_id, layer, len(features), crs, result, report)
