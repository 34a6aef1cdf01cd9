"""The audit log: every write, who and when, with geometry hashes before and after."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json

import shapely

from ..dates import now_utc, start_of_day_utc
from ..store import Store
from ..store.base import AuditEntry
from .auth import Permission, Principal, require

CSV_COLUMNS = ("id", "at", "actor", "action", "submission_id", "layer", "feature_ids",
               "before_hashes", "after_hashes", "detail")  # fmt: skip


def geometry_hash(geom: shapely.Geometry) -> str:
    """A short, stable fingerprint of a geometry (its WKB at 1e-9°), for before/after comparisons."""
    wkb = shapely.to_wkb(shapely.set_precision(geom, 1e-9), byte_order=1, flavor="iso")
    return hashlib.sha256(wkb).hexdigest()[:16]


def record(store: Store, actor: str, action: str, **fields: object) -> None:
    store.append_audit(AuditEntry(at=now_utc(), actor=actor, action=action, **fields))


def entries(store: Store, principal: Principal, since: dt.date | None = None) -> list[AuditEntry]:
    """The log from ``since`` on, for those allowed to read it."""
    require(principal, Permission.VIEW_AUDIT)
    return store.audit(since=start_of_day_utc(since) if since else None)


def to_csv(rows: list[AuditEntry]) -> str:
    """CSV with a BOM so Excel opens the Chinese text correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for e in rows:
        values = [getattr(e, c) for c in CSV_COLUMNS]
        writer.writerow([json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v
                         for v in values])  # fmt: skip
    return "\ufeff" + out.getvalue()
