"""IDs for features that come without one (Google Earth, Ovital, phone apps and drawings have none).

An assigned ID reads ``<adcode>-<year>-<hash>``, e.g. ``320305-2026-3FA9C1``: the county the
feature lies in, the year it was uploaded, and six hex digits of its geometry. The hash (not a
running number) keeps the ID stable: the same boundary uploaded again gets the same ID, so a
re-upload is a change of that feature, while two teams' different parcels can never collide the
way two uploads numbering from 1 would. Each assigned ID is reported as a warning.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import numpy as np
import shapely

from ..attributes import AUTO_VALUES, AttributeProblem
from ..layers import LayerSpec
from ..sample import load_districts
from ..store import Store

CITY_ADCODE = "320300"  # Xuzhou: for a feature outside every county (refused later anyway)
_ID_PROBLEMS = ("missing_field", "missing_value")


def _districts(store: Store | None) -> tuple[list[str], np.ndarray]:
    frame = store.features("districts") if store is not None else None
    if frame is None or not len(frame):
        frame = load_districts()
    return [str(a) for a in frame["adcode"]], frame.geometry.to_numpy()


def adcode_of(geom: shapely.Geometry | None, codes: list[str], districts: np.ndarray) -> str:
    """The county holding the feature's representative point; else the city's code."""
    if geom is None or geom.is_empty:
        return CITY_ADCODE
    try:
        point = shapely.point_on_surface(geom)
    except shapely.errors.GEOSException:
        return CITY_ADCODE
    inside = np.flatnonzero(shapely.contains(districts, point))
    return codes[inside[0]] if len(inside) else CITY_ADCODE


def geometry_hash(geom: shapely.Geometry | None) -> str:
    """Six hex digits of the geometry rounded to ~1 cm, the same whatever program wrote it."""
    text = shapely.to_wkt(geom, rounding_precision=7) if geom is not None else "EMPTY"
    return hashlib.sha1(text.encode()).hexdigest()[:6].upper()


def _needs_id(value: object) -> bool:
    return value is None or str(value).strip().lower() in AUTO_VALUES


def assign_missing_ids(
    spec: LayerSpec,
    mapped: tuple[list[dict], list[AttributeProblem]],
    geoms: np.ndarray,
    store: Store | None,
    today: dt.date | None = None,
) -> tuple[list[dict], list[AttributeProblem]]:
    """Records with an ID wherever the file gave none, and an ``id_assigned`` note for each."""
    records, problems = mapped
    key = spec.id_field
    if spec.replace_on_import or not any(_needs_id(r.get(key)) for r in records):
        return records, problems
    year = (today or dt.date.today()).year
    codes, districts = _districts(store)
    taken = {str(r[key]) for r in records if not _needs_id(r.get(key))}
    kept = [p for p in problems if not (p.field == key and p.kind in _ID_PROBLEMS)]
    out = []
    for i, record in enumerate(records):
        if _needs_id(record.get(key)):
            geom = geoms[i] if i < len(geoms) else None
            base = f"{adcode_of(geom, codes, districts)}-{year}-{geometry_hash(geom)}"
            new_id, n = base, 1
            while new_id in taken:
                n += 1
                new_id = f"{base}-{n}"
            taken.add(new_id)
            record = {**record, key: new_id}
            kept.append(AttributeProblem("id_assigned", key, i, new_id))
        out.append(record)
    return out, kept
