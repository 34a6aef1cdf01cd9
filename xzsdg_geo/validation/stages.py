"""The steps from uploaded bytes to lon/lat features, each giving a result a check can report on.

Nothing here raises for bad input: a step that cannot proceed says why in its result, and the
check that owns that question turns it into a finding.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely

from .. import crs as crs_mod
from ..errors import UserError
from ..gcj02 import geometries_to_wgs84
from ..geo import STORE_CRS, area_ha, reproject
from ..layers import LayerSpec
from ..readers import ReadOptions, SourceLayer, budgets, read_file

ALLOWED_TYPES = {
    "Polygon": ("Polygon", "MultiPolygon"),
    "MultiPolygon": ("Polygon", "MultiPolygon"),
    "LineString": ("LineString", "MultiLineString"),
    "MultiLineString": ("LineString", "MultiLineString"),
    "Point": ("Point",),
}


def allowed_types(spec: LayerSpec) -> set[str]:
    """Geometry types a layer stores: polygon layers take multipolygons too, line layers multilines."""
    return {g for kind in spec.geometry for g in ALLOWED_TYPES[kind]}


@dataclass(frozen=True)
class ReadResult:
    layers: list[SourceLayer]
    error: UserError | None = None


def within_budget(layers: list[SourceLayer]) -> list[SourceLayer]:
    """The layers, if together they stay within the feature and vertex budgets (formats whose
    headers say nothing are counted here, before any reprojection, repair or check)."""
    budgets.check_features(sum(len(x.frame) for x in layers))
    budgets.check_vertices(
        sum(int(shapely.get_num_coordinates(x.frame.geometry.to_numpy()).sum()) for x in layers)
    )
    return layers


def read_upload(data: bytes, filename: str, options: ReadOptions) -> ReadResult:
    try:
        return ReadResult(within_budget(read_file(data, filename, options)))
    except UserError as err:
        return ReadResult([], err)
    except MemoryError:  # the worker's limit: reported by the worker, not as a reader fault
        raise
    except Exception as err:  # a sniff that crashed: still a refusal, not a traceback
        return ReadResult([], UserError("read.failed", filename=filename, format="?", detail=str(err)[:200]))


@dataclass(frozen=True)
class Choice:
    source: SourceLayer | None
    error: UserError | None = None


def _fits(layer: SourceLayer, spec: LayerSpec) -> bool:
    types = set(layer.frame.geometry.geom_type.dropna()) if len(layer.frame) else set()
    return bool(types) and types <= allowed_types(spec)


def choose_layer(layers: list[SourceLayer], spec: LayerSpec, wanted: str | None) -> Choice:
    """The named layer; else the only one; else the only one whose geometry fits the target layer."""
    names = "、".join(x.name for x in layers)
    if wanted:
        match = next((x for x in layers if x.name == wanted), None)
        if match is None:
            return Choice(None, UserError("import.no_such_layer", layer=wanted, names=names))
        return Choice(match)
    if len(layers) == 1:
        return Choice(layers[0])
    fitting = [x for x in layers if _fits(x, spec)]
    if len(fitting) == 1:
        return Choice(fitting[0])
    return Choice(None, UserError("upload.several_layers", names=names))


@dataclass(frozen=True)
class Placement:
    """How a layer's coordinates reach lon/lat: from which CRS, or why they cannot.

    ``problem`` is a finding code (crs_unknown, crs_invalid, crs_legacy, gcj02_projected) with its
    message parameters; ``notes`` are warning codes worth telling even when all is well.
    """

    transform_from: str | None
    label: str | None
    transform_to: str = STORE_CRS
    problem: str | None = None
    params: dict = field(default_factory=dict)
    notes: list[tuple[str, dict]] = field(default_factory=list)


def place(source: SourceLayer, legacy_towgs84: dict[str, tuple[float, ...]]) -> Placement:
    if source.crs is None:
        reason = "gk_no_zone" if source.crs_reason == "gk_no_zone" else "unknown"
        return Placement(None, None, problem="crs_unknown", params={"reason": reason})
    label = crs_mod.label(source.crs)
    if crs_mod.parse(source.crs) is None:
        return Placement(None, None, problem="crs_invalid", params={"crs": label})
    notes = [("crs_inferred", {"crs": label, "reason": source.crs_reason})] if source.crs_inferred else []
    transform_from, transform_to = source.crs, STORE_CRS
    if datum := crs_mod.legacy_datum(source.crs):
        if datum not in legacy_towgs84:
            return Placement(None, label, problem="crs_legacy", params={"crs": label, "datum": datum})
        transform_from = crs_mod.with_towgs84(source.crs, legacy_towgs84[datum])
        transform_to = crs_mod.BOUND_LONLAT
        notes.append(("legacy_transformed", {"crs": label, "datum": datum}))
    if source.gcj02:
        if not crs_mod.is_geographic(source.crs):
            return Placement(None, label, problem="gcj02_projected", params={"crs": label})
        notes.append(("gcj02_converted", {}))
    return Placement(transform_from, label, transform_to, notes=notes)


def to_lonlat(geoms: np.ndarray, placement: Placement, gcj02: bool) -> np.ndarray:
    """2-D geometries in the store's lon/lat, GCJ-02 offset removed when the file carries it."""
    flat = shapely.force_2d(geoms)
    lonlat = reproject(flat, placement.transform_from, placement.transform_to)
    return geometries_to_wgs84(lonlat) if gcj02 else lonlat


@dataclass(frozen=True)
class Repair:
    """Geometries after ``make_valid``, and for each one repaired its hectares before and after."""

    geoms: np.ndarray
    changed: dict[int, tuple[float, float]]


def finite(geoms: np.ndarray) -> np.ndarray:
    """Geometries whose every coordinate is a number (a CRS's outside gives infinities)."""
    coords, index = shapely.get_coordinates(geoms, return_index=True)
    bad = np.bincount(index, weights=~np.isfinite(coords).all(axis=1), minlength=len(geoms))
    return bad == 0


def _make_valid(geom: shapely.Geometry) -> shapely.Geometry:
    try:
        return shapely.make_valid(geom, method="structure", keep_collapsed=False)
    except shapely.errors.GEOSException:  # beyond repair: left as it is, and refused by the check
        return geom


def repair(geoms: np.ndarray) -> Repair:
    present = ~shapely.is_missing(geoms) & finite(geoms)
    invalid = np.flatnonzero(present & ~shapely.is_valid(geoms))
    if not len(invalid):
        return Repair(geoms, {})
    fixed = geoms.copy()
    fixed[invalid] = np.array([_make_valid(g) for g in geoms[invalid]], dtype=object)
    before, after = area_ha(geoms[invalid]), area_ha(fixed[invalid])
    after[~shapely.is_valid(fixed[invalid])] = np.nan
    changed = {int(i): (float(b), float(a)) for i, b, a in zip(invalid, before, after, strict=True)}
    return Repair(fixed, changed)
