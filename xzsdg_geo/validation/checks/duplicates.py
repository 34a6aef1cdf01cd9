"""Duplicates within the file: the same ID twice, the same geometry twice, or nearly the same.

Exact duplicates (same shape, whatever the vertex order or start) and repeated IDs are refused;
near duplicates (polygons overlapping by 90 % of their union, lines or points within 2 m) warned
about. The later feature carries the finding, naming the earlier one.
"""

from __future__ import annotations

import numpy as np
import shapely

from ..context import UploadContext
from ..findings import Finding, finding


def _same_ids(ctx: UploadContext) -> list[Finding]:
    first: dict[str, int] = {}
    out = []
    for i, fid in enumerate(ctx.feature_ids):
        if fid is None:
            continue
        if fid in first:
            out.append(finding("duplicate_id", i, {"other": first[fid]}, id=fid, other=first[fid] + 1))
        else:
            first[fid] = i
    return out


def _exact(ctx: UploadContext) -> tuple[list[Finding], set[tuple[int, int]]]:
    index = np.flatnonzero(ctx.fits)
    keys = shapely.to_wkb(shapely.normalize(ctx.geoms[index]))
    first: dict[bytes, int] = {}
    out, pairs = [], set()
    for i, key in zip(index, keys, strict=True):
        if key in first:
            out.append(finding("duplicate_geometry", int(i), {"other": first[key]}, other=first[key] + 1))
            pairs.add((first[key], int(i)))
        else:
            first[key] = int(i)
    return out, pairs


def _candidate_pairs(ctx: UploadContext, index: np.ndarray, near_m: float) -> tuple[np.ndarray, np.ndarray]:
    geoms = ctx.projected[index]
    tree = shapely.STRtree(geoms)
    if ctx.polygons[index].all():
        a, b = tree.query(geoms, predicate="intersects")
    else:
        a, b = tree.query(geoms, predicate="dwithin", distance=near_m)
    keep = a < b
    return index[a[keep]], index[b[keep]]


def _iou(ga: np.ndarray, gb: np.ndarray) -> np.ndarray:
    """Intersection over union of polygon pairs; pairs whose areas differ too much skip the overlay."""
    area_a, area_b = shapely.area(ga), shapely.area(gb)
    out = np.zeros(len(ga))
    with np.errstate(invalid="ignore", divide="ignore"):
        maybe = np.flatnonzero(np.minimum(area_a, area_b) / np.maximum(area_a, area_b) >= 0.5)
        inter = shapely.area(shapely.intersection(ga[maybe], gb[maybe]))
        out[maybe] = inter / (area_a[maybe] + area_b[maybe] - inter)
    return np.nan_to_num(out)


def _near(ctx: UploadContext, exact: set[tuple[int, int]]) -> list[Finding]:
    index = np.flatnonzero(ctx.fits)
    if len(index) < 2:
        return []
    near_m, near_iou = ctx.checks.near_duplicate_m, ctx.checks.near_duplicate_iou
    a, b = _candidate_pairs(ctx, index, near_m)
    polygons = ctx.polygons[a] & ctx.polygons[b]
    iou = np.zeros(len(a))
    iou[polygons] = _iou(ctx.projected[a[polygons]], ctx.projected[b[polygons]])
    close = np.zeros(len(a), dtype=bool)
    others = ~polygons
    close[others] = shapely.hausdorff_distance(ctx.projected[a[others]], ctx.projected[b[others]]) <= near_m
    out, seen = [], set()
    for i, j, ratio, near in zip(a, b, iou, close, strict=True):
        if (i, j) in exact or j in seen or not (ratio >= near_iou or near):
            continue
        seen.add(j)
        detail = {"other": int(i), "iou": float(ratio)}
        key = "check.near_duplicate" if ratio >= near_iou else "check.near_duplicate.close"
        out.append(
            finding(
                "near_duplicate",
                int(j),
                detail,
                key=key,
                other=int(i) + 1,
                pct=f"{ratio * 100:.0f}",
                m=near_m,
            )
        )
    return out


class Duplicates:
    code = "duplicate_geometry"
    gate = False

    def check(self, ctx: UploadContext) -> list[Finding]:
        exact, pairs = _exact(ctx)
        return [*_same_ids(ctx), *exact, *_near(ctx, pairs)]
