"""Duplicates within the file: the same ID twice, the same geometry twice, or nearly the same.

Exact duplicates (same shape, whatever the vertex order or start) and repeated IDs are refused;
near duplicates (polygons overlapping by 90 % of their union, lines or points within 2 m) warned
about. The later feature carries the finding, naming the earlier one.

The work is bounded whatever the file: exact duplicates are found by hashing normalised WKB
(linear), and only one feature of each identical group goes on to the near test. Near candidates
come from an STRtree of envelopes, queried a few features at a time; a pair is measured exactly
only if cheap bounds (area ratio, envelope overlap) allow the threshold and its later feature has
not been found already, and at most ``budgets.max_candidate_pairs`` pairs are measured in all —
beyond that the file is told the search stopped, rather than the search running for hours.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import shapely

from ..context import UploadContext
from ..findings import Finding, finding

_CHUNK = 16  # features queried at once: bounds the pairs held in memory to 16 × n
_ENVELOPE_FACTOR = 500  # envelope pairs generated (cheap, vectorised) per pair measured exactly


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


def _exact(ctx: UploadContext) -> tuple[list[Finding], np.ndarray]:
    """Findings for repeated shapes, and the features that are the first of their shape."""
    index = np.flatnonzero(ctx.fits)
    keys = shapely.to_wkb(shapely.normalize(ctx.geoms[index]))
    first: dict[bytes, int] = {}
    out = []
    for i, key in zip(index, keys, strict=True):
        if key in first:
            out.append(finding("duplicate_geometry", int(i), {"other": first[key]}, other=first[key] + 1))
        else:
            first[key] = int(i)
    return out, np.array(sorted(first.values()), dtype=np.int64)


@dataclass
class _Search:
    """The near-duplicate search over ``index`` (file positions), in equal-area metres."""

    geoms: np.ndarray
    polygon: np.ndarray
    near_m: float
    near_iou: float
    limit: int  # pairs measured exactly, at most
    capped: bool = False

    def __post_init__(self) -> None:
        self.budget = self.limit

    def envelopes(self) -> np.ndarray:
        bounds = shapely.bounds(self.geoms)
        grow = np.where(self.polygon, 0.0, self.near_m)[:, None] * np.array([-1, -1, 1, 1])
        return bounds + grow

    def pairs(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Envelope-overlapping pairs (a < b), chunk by chunk; the caller spends the budget.

        Generating envelope pairs is cheap but, for a file of shapes all on top of each other,
        quadratic: it stops at :data:`_ENVELOPE_FACTOR` times the budget.
        """
        boxes = self.envelopes()
        tree = shapely.STRtree(shapely.box(*boxes.T))
        generated = 0
        for start in range(0, len(boxes), _CHUNK):
            a, b = tree.query(shapely.box(*boxes[start : start + _CHUNK].T))
            a = a + start
            keep = a < b
            generated += int(keep.sum())
            yield a[keep], b[keep]
            if self.budget <= 0 or generated > _ENVELOPE_FACTOR * self.limit:
                self.capped = self.capped or start + _CHUNK < len(boxes)
                return

    def spend(self, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The pairs that fit in what is left of the budget."""
        if len(a) > self.budget:
            a, b, self.capped = a[: self.budget], b[: self.budget], True
        self.budget -= len(a)
        return a, b


def _plausible(
    search: _Search, a: np.ndarray, b: np.ndarray, area: np.ndarray, box: tuple[np.ndarray, ...]
) -> np.ndarray:
    """Pairs that cheap bounds do not rule out (flat arrays: this runs on every envelope pair).

    Polygons: the intersection is at most I = min(envelope overlap, smaller area), so the IoU is
    at most I / (area_a + area_b - I) (exact for rectangles). Others: the Hausdorff distance is at
    least the largest shift between the envelopes' sides.
    """
    x0, y0, x1, y1 = box
    aa, ab = area[a], area[b]
    width = np.clip(np.minimum(x1[a], x1[b]) - np.maximum(x0[a], x0[b]), 0, None)
    height = np.clip(np.minimum(y1[a], y1[b]) - np.maximum(y0[a], y0[b]), 0, None)
    inter = np.minimum(width * height, np.minimum(aa, ab))
    with np.errstate(invalid="ignore", divide="ignore"):
        polygons_ok = inter >= search.near_iou * (aa + ab - inter)
    both = search.polygon[a] & search.polygon[b]
    if both.all():
        return polygons_ok
    shift = np.maximum.reduce([np.abs(side[a] - side[b]) for side in box])
    return np.where(both, polygons_ok, shift <= search.near_m)


def _measure(search: _Search, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per pair: the IoU (polygons) and whether it is a near duplicate."""
    ga, gb = search.geoms[a], search.geoms[b]
    polygons = search.polygon[a] & search.polygon[b]
    iou = np.zeros(len(a))
    if polygons.any():
        inter = shapely.area(shapely.intersection(ga[polygons], gb[polygons]))
        union = shapely.area(ga[polygons]) + shapely.area(gb[polygons]) - inter
        with np.errstate(invalid="ignore", divide="ignore"):
            iou[polygons] = np.nan_to_num(inter / union)
    near = iou >= search.near_iou
    others = ~polygons
    if others.any():
        near[others] = shapely.hausdorff_distance(ga[others], gb[others]) <= search.near_m
    return iou, near


def _near(ctx: UploadContext, index: np.ndarray) -> list[Finding]:
    if len(index) < 2:
        return []
    search = _Search(
        ctx.projected[index],
        ctx.polygons[index],
        ctx.checks.near_duplicate_m,
        ctx.checks.near_duplicate_iou,
        ctx.upload.settings.budgets.max_candidate_pairs,
    )
    area, box = shapely.area(search.geoms), tuple(shapely.bounds(search.geoms).T.copy())
    found: dict[int, tuple[int, float]] = {}  # later feature → (earlier feature, IoU)
    done = np.zeros(len(index), dtype=bool)
    for a, b in search.pairs():
        fresh = ~done[b]
        a, b = a[fresh], b[fresh]
        keep = _plausible(search, a, b, area, box)
        a, b = search.spend(a[keep], b[keep])
        iou, near = _measure(search, a, b)
        for i, j, ratio in zip(a[near], b[near], iou[near], strict=True):
            found.setdefault(int(j), (int(i), float(ratio)))
        done[b[near]] = True
    out = [
        _near_finding(int(index[j]), int(index[i]), ratio, search) for j, (i, ratio) in sorted(found.items())
    ]
    if search.capped:
        out.append(
            finding("near_duplicate_capped", pairs=f"{ctx.upload.settings.budgets.max_candidate_pairs:,}")
        )
    return out


def _near_finding(j: int, i: int, ratio: float, search: _Search) -> Finding:
    key = "check.near_duplicate" if ratio >= search.near_iou else "check.near_duplicate.close"
    detail = {"other": i, "iou": ratio}
    return finding(
        "near_duplicate", j, detail, key=key, other=i + 1, pct=f"{ratio * 100:.0f}", m=search.near_m
    )


class Duplicates:
    code = "duplicate_geometry"
    gate = False

    def check(self, ctx: UploadContext) -> list[Finding]:
        exact, firsts = _exact(ctx)
        return [*_same_ids(ctx), *exact, *_near(ctx, firsts)]
