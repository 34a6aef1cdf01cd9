"""Is a parcel declared restored really green (or wet)? A verdict per completed restoration parcel.

For each completed parcel, its measure's rule (``config/rasters.toml`` [verdicts]) names a signal
(mean NDVI, or the share of water pixels) and a test (the rise from before completion to after, or the
value after alone). The parcel is measured on the latest image before its completion and the latest
one after it (see [timing]); the verdict is

- ``verified``: the tested value reaches ``verified_at``;
- ``contradicted``: it is at most ``contradicted_at`` (declared restored, but not greener or wetter);
- ``unverified``: in between, or nothing to judge on (no image, or "no data" under the parcel);
- ``excluded``: a measure no image can confirm (solar, construction).

The restoration rate stays the declared one; this report sits beside it, for reviewers. Areas are the
parcels' own (equal-area), not clipped to the subsidence zones as the rate's are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np

from ..errors import UserError
from ..geo import area_ha
from ..progress.places import owner_district
from ..progress.report import ProgressReport, build_report, share_pct
from ..store import Store
from ..when import When
from .images import Image, images, measure, pick
from .settings import RasterRules, Rule, raster_rules
from .zonal import Zonal

VERDICTS = ("verified", "unverified", "contradicted", "excluded")
TOLERANCE = 1e-9  # a value at a threshold meets it, whatever the rounding of its subtraction


@dataclass(frozen=True)
class Side:
    """A parcel measured on one side of its completion; all None when no image was found."""

    on: dt.date | None = None  # the image's acquisition date
    rasters: tuple[int, ...] = ()
    value: float | None = None  # None also when valid pixels cover too little of the parcel: "no data"
    valid_share: float | None = None  # share of the parcel under valid pixels
    pixels: float | None = None  # the parcel's area in the image's pixels


@dataclass(frozen=True)
class ParcelCheck:
    feature_id: str
    name: str
    adcode: str | None
    measure: str
    completed_on: dt.date | None
    area_ha: float
    signal: str | None  # ndvi or water; None when excluded
    before: Side
    after: Side
    change: float | None  # after − before, when both are known
    verdict: str  # one of VERDICTS
    reason: str | None  # why unverified or excluded (catalog key verify.reason.<reason>)


@dataclass(frozen=True)
class VerifyTotals:
    parcels: int
    restored_ha: float
    excluded_ha: float
    checked_ha: float  # restored less excluded: what images can confirm
    verified_ha: float
    unverified_ha: float
    contradicted_ha: float
    verified_pct: float | None  # of checked_ha
    contradicted_pct: float | None
    counts: dict[str, int]  # parcels by verdict


def judge(rule: Rule, before: float | None, after: float | None) -> tuple[str, str | None]:
    """Verdict and reason from the values measured before and after completion."""
    if after is None:
        return "unverified", "no_data_after"
    if rule.test == "rise" and before is None:
        return "unverified", "no_data_before"
    value = after - before if rule.test == "rise" else after
    if value >= rule.verified_at - TOLERANCE:
        return "verified", None
    if value <= rule.contradicted_at + TOLERANCE:
        return "contradicted", None
    return "unverified", "inconclusive"


def _not_measurable(rule: Rule, before: Side, after: Side, min_pixels: float) -> str | None:
    """Why the images cannot judge the parcel at all, if they cannot."""
    used = [("after", after), *([("before", before)] if rule.test == "rise" else [])]
    for side, found in used:
        if not found.rasters:
            return f"no_image_{side}"
    if any(found.pixels < min_pixels for _, found in used):
        return "too_small"
    return None


def summarise(items: Sequence[ParcelCheck]) -> VerifyTotals:
    ha = {v: sum(i.area_ha for i in items if i.verdict == v) for v in VERDICTS}
    restored = sum(i.area_ha for i in items)
    checked = restored - ha["excluded"]
    return VerifyTotals(
        parcels=len(items), restored_ha=restored, excluded_ha=ha["excluded"], checked_ha=checked,
        verified_ha=ha["verified"], unverified_ha=ha["unverified"], contradicted_ha=ha["contradicted"],
        verified_pct=share_pct(ha["verified"], checked),
        contradicted_pct=share_pct(ha["contradicted"], checked),
        counts={v: sum(1 for i in items if i.verdict == v) for v in VERDICTS},
    )  # fmt: skip


def _side(found: Sequence[Image], chosen: int, zonal: Zonal, i: int, min_valid_share: float) -> Side:
    if chosen < 0:
        return Side()
    image, share = found[chosen], float(zonal.valid_share[i])
    value = float(zonal.mean[i]) if share >= min_valid_share else None
    return Side(image.acquired_on, tuple(image.ids), value, share, float(zonal.pixels[i]))


def _measure_signal(
    store: Store, signal: str, geoms: np.ndarray, completed: list[dt.date], rules: RasterRules
) -> list[tuple[Side, Side]]:
    """Each parcel measured on its images of ``signal`` before and after its completion date."""
    found = [i for i in images(store, signal) if signal != "ndvi" or i.acquired_on.month in rules.ndvi_months]
    before_limits = [d - dt.timedelta(days=rules.before_days) for d in completed]
    after_limits = [d + dt.timedelta(days=rules.after_days) for d in completed]
    before = pick(found, geoms, before_limits, "before")
    after = pick(found, geoms, after_limits, "after")
    z_before, z_after = measure(store, found, [before, after], geoms, rules)
    share = rules.min_valid_share
    return [
        (_side(found, before[i], z_before, i, share), _side(found, after[i], z_after, i, share))
        for i in range(len(geoms))
    ]


def _check(row, adcode: str | None, area: float, sides: tuple[Side, Side] | None, rules: RasterRules):
    """One parcel's verdict; ``sides`` None when its measure is excluded or it has no date."""
    done = dt.date.fromisoformat(row.completed_on) if isinstance(row.completed_on, str) else None
    rule = rules.rules.get(row.measure)
    before, after = sides or (Side(), Side())
    change = None if before.value is None or after.value is None else after.value - before.value
    if rule is None:
        verdict, reason = "excluded", "measure_excluded"
    elif done is None:
        verdict, reason = "unverified", "no_completion_date"
    elif unmeasurable := _not_measurable(rule, before, after, rules.min_pixels):
        verdict, reason = "unverified", unmeasurable
    else:
        verdict, reason = judge(rule, before.value, after.value)
    return ParcelCheck(row.feature_id, row.name, adcode, row.measure, done, area,
                       rule.signal if rule else None, before, after, change, verdict, reason)  # fmt: skip


def check_parcels(
    store: Store, parcels: gpd.GeoDataFrame, rules: RasterRules | None = None, district: str | None = None
) -> list[ParcelCheck]:
    """A verdict for each completed parcel of ``parcels`` (of ``district`` if given): the store's, or a
    submission's before it is approved (columns feature_id, name, status, completed_on as ISO text,
    measure; lon/lat geometry). Each lies in the store's district holding most of it."""
    rules = rules or raster_rules()
    parcels = parcels[parcels["status"] == "completed"].reset_index(drop=True)
    districts = store.features("districts")
    owner = owner_district(districts.geometry.to_numpy(), parcels.geometry.to_numpy())
    adcodes = np.array([districts["adcode"].iloc[i] if i >= 0 else None for i in owner], dtype=object)
    if district is not None:
        parcels, adcodes = parcels[adcodes == district].reset_index(drop=True), adcodes[adcodes == district]
    geoms = parcels.geometry.to_numpy()
    sides: dict[int, tuple[Side, Side]] = {}
    for signal in sorted({r.signal for r in rules.rules.values()}):
        measures = [m for m, r in rules.rules.items() if r.signal == signal]
        idx = np.flatnonzero(parcels["measure"].isin(measures) & parcels["completed_on"].notna())
        completed = [dt.date.fromisoformat(d) for d in parcels["completed_on"].iloc[idx]]
        sides.update(
            zip(idx.tolist(), _measure_signal(store, signal, geoms[idx], completed, rules), strict=True)
        )
    areas = area_ha(geoms)
    return [
        _check(row, adcodes[i], float(areas[i]), sides.get(i), rules)
        for i, row in enumerate(parcels.itertuples())
    ]


def verify_parcels(
    store: Store, district: str | None = None, rules: RasterRules | None = None
) -> ProgressReport[VerifyTotals, ParcelCheck]:
    """A verdict for every completed parcel in the store (of one district if given), with district and
    city totals."""
    districts = store.features("districts")
    if district is not None:
        if district not in set(districts["adcode"]):
            raise UserError("verify.unknown_district", adcode=district, known="、".join(districts["adcode"]))
        districts = districts[districts["adcode"] == district]
    items = check_parcels(store, store.features("restoration_parcels"), rules, district)
    return build_report(When.today(), "restoration_parcels", districts, items, summarise)
