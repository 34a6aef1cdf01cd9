"""Administrator bulk import: a file becomes approved features, recorded with its provenance."""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..attributes import AttributeProblem, map_attributes
from ..dates import now_utc, start_of_day_utc
from ..errors import UserError
from ..geo import STORE_CRS, reproject
from ..i18n import t
from ..layers import LayerSpec, all_layers, get_layer
from ..readers import ReadOptions, SourceLayer, read_file
from ..store import ImportRecord, NewFeature, Store, WriteResult
from . import audit
from .auth import Permission, Principal, require

_ALLOWED_TYPES = {
    "Polygon": ("Polygon", "MultiPolygon"),
    "MultiPolygon": ("Polygon", "MultiPolygon"),
    "LineString": ("LineString", "MultiLineString"),
    "MultiLineString": ("LineString", "MultiLineString"),
    "Point": ("Point",),
}


@dataclass(frozen=True)
class ImportSummary:
    import_id: int
    layer: str
    n_features: int
    source_crs: str
    result: WriteResult


def layer_spec(name: str) -> LayerSpec:
    try:
        return get_layer(name)
    except KeyError:
        raise UserError("layer.unknown", layer=name, known="、".join(all_layers())) from None


def pick_layer(layers: list[SourceLayer], wanted: str | None) -> SourceLayer:
    if wanted:
        for layer in layers:
            if layer.name == wanted:
                return layer
        raise UserError("import.no_such_layer", layer=wanted, names="、".join(x.name for x in layers))
    if len(layers) > 1:
        raise UserError("import.several_layers", names="、".join(x.name for x in layers))
    return layers[0]


def _problem_text(spec: LayerSpec, p: AttributeProblem) -> str:
    field = spec.field(p.field)
    allowed = "、".join(v.zh for v in field.values)
    bounds = f"{'' if field.min is None else field.min}–{'' if field.max is None else field.max}"
    text = t(f"attr.{p.kind}", field=field.label_zh, value=p.value, allowed=allowed, range=bounds)
    return text if p.feature is None else t("attr.at_feature", n=p.feature + 1, text=text)


def to_features(spec: LayerSpec, source: SourceLayer, crs: str) -> list[NewFeature]:
    """Canonical features in the store's CRS, or a :class:`UserError` naming every problem."""
    frame = source.frame
    if frame.empty:
        raise UserError("import.empty")
    geoms = frame.geometry.to_numpy()
    allowed = {g for kind in spec.geometry for g in _ALLOWED_TYPES[kind]}
    bad = [i for i, g in enumerate(geoms) if g is None or g.geom_type not in allowed]
    if bad:
        found = geoms[bad[0]].geom_type if geoms[bad[0]] is not None else "—"
        raise UserError("import.wrong_geometry", n=bad[0] + 1, found=found, expected="/".join(spec.geometry))
    records, problems = map_attributes(spec, frame)
    if problems:
        lines = [_problem_text(spec, p) for p in problems[:10]]
        raise UserError("import.bad_attributes", count=len(problems), details="；".join(lines))
    lonlat = reproject(np.asarray(geoms, dtype=object), crs, STORE_CRS)
    return [NewFeature(str(rec[spec.id_field]), geom, rec) for rec, geom in zip(records, lonlat, strict=True)]


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
    if actor is not None:
        require(actor, Permission.IMPORT)
    by = actor.username if actor else f"console:{getpass.getuser()}"
    spec = layer_spec(layer)
    options = options or ReadOptions()
    try:
        data = Path(path).read_bytes()
    except OSError:
        raise UserError("file.unreadable", path=path) from None
    source = pick_layer(read_file(data, Path(path).name, options), options.source_layer)
    crs = source.crs or options.crs
    if crs is None:
        raise UserError("import.no_crs")
    features = to_features(spec, source, crs)
    stamp = start_of_day_utc(valid_from) if valid_from else now_utc()
    record = ImportRecord(
        layer=layer,
        filename=Path(path).name,
        sha256=hashlib.sha256(data).hexdigest(),
        source_crs=crs if crs.startswith("EPSG") else "WKT",
        by=by,
        valid_from=stamp,
        n_features=len(features),
    )
    with store.transaction():
        import_id = store.add_import(record)
        result = store.write_features(
            layer,
            features,
            by=by,
            source=f"import:{import_id}",
            valid_from=stamp,
            replace_all=spec.replace_on_import,
        )
        changed = [*result.created, *result.updated, *result.retired]
        audit.record(store, by, "import", layer=layer, feature_ids=changed,
                     detail={"import_id": import_id, "file": record.filename})  # fmt: skip
    return ImportSummary(import_id, layer, len(features), crs, result)
