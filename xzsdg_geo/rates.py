"""The coal-subsidence treatment and ecological restoration rate (采煤沉陷区治理和生态修复率).

For district d at date t: Z = union of subsidence zones in the store at the end of t, clipped to
d; R = union of restoration parcels then stored with status ``completed`` and ``completed_on`` ≤ t,
clipped to Z; rate = area(R) / area(Z). The city rate is ΣR / ΣZ. Reading the store as it stood at
t is what makes a past figure reproducible after later approvals.
"""

from __future__ import annotations

import datetime as dt
import math
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass

import geopandas as gpd
import numpy as np

from . import clipping
from .config import Targets, settings, targets
from .dates import end_of_day_utc
from .errors import UserError
from .store import Store

# A pace below this (ha/yr) is numerical noise from densified edges, not restoration.
MIN_PACE_HA = 1e-4


@dataclass(frozen=True)
class Totals:
    zone_ha: float
    restored_ha: float
    rate_pct: float | None
    gap_ha: float | None


@dataclass(frozen=True)
class DistrictRate:
    adcode: str
    name: str
    zone_ha: float
    restored_ha: float
    rate_pct: float | None
    target_pct: float | None
    gap_ha: float | None
    on_track: bool | None
    pace_ha_per_year: float | None
    reaches_target_in: int | None  # year the final target is reached at the pace; None: not by then


@dataclass(frozen=True)
class RateReport:
    as_of: dt.date
    target_pct: float | None
    final_target_pct: float
    final_year: int
    city: Totals
    districts: list[DistrictRate]
    zones_first_recorded: str | None  # set when the store had no zones yet at ``as_of``

    def to_dict(self) -> dict:
        out = asdict(self)
        out["as_of"] = self.as_of.isoformat()
        return out


def _rate(restored: float, zone: float) -> float | None:
    return min(100.0, 100.0 * restored / zone) if zone > 0 else None


def _gap(target: float | None, restored: float, zone: float) -> float | None:
    return None if target is None or zone <= 0 else max(0.0, target / 100.0 * zone - restored)


def _reaches_in(
    as_of: dt.date, zone: float, restored: float, pace: float | None, plan: Targets
) -> int | None:
    """The year the final target is reached at ``pace`` ha/yr, if that is no later than the plan's end."""
    if zone <= 0:
        return None
    need = plan.final / 100.0 * zone - restored
    if need <= 0:
        return as_of.year
    years = need / pace if pace and pace > MIN_PACE_HA else math.inf
    if years > plan.final_year - as_of.year + 1:
        return None
    year = (as_of + dt.timedelta(days=365.25 * years)).year
    return year if year <= plan.final_year else None


def _districts(store: Store, day: dt.date) -> gpd.GeoDataFrame:
    districts = store.features("districts", at=end_of_day_utc(day))
    if districts.empty:
        raise UserError("rates.no_districts", date=day.isoformat())
    return districts


def _completed(store: Store, day: dt.date) -> np.ndarray:
    """Parcels in the store at the end of ``day`` with status completed and completed_on ≤ day."""
    parcels = store.features("restoration_parcels", at=end_of_day_utc(day), fields=("status", "completed_on"))
    done = (parcels["status"] == "completed") & (parcels["completed_on"].fillna("9999") <= day.isoformat())
    return parcels.geometry[done].to_numpy()


def _measure(
    store: Store, days: list[dt.date], districts: gpd.GeoDataFrame
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(zone ha, restored ha) per district at the end of each day.

    GEOS frees the GIL, so the overlays run on the second core while this thread reads the next
    layer from the store. Days whose zones are the same versions share one zone cover; every
    clip after the first gets its own copy of it (a prepared geometry is not for two threads).
    """
    boundaries = districts.geometry.to_numpy()
    with ThreadPoolExecutor(max_workers=2) as pool:
        covers: dict[frozenset, Future] = {}
        jobs = []
        for day in days:
            zones = store.features("subsidence_zones", at=end_of_day_utc(day), fields=())
            key = frozenset(zip(zones["feature_id"], zones["version"].astype(int), strict=True))
            shared = key in covers
            if not shared:
                covers[key] = pool.submit(clipping.zone_cover, boundaries, zones.geometry.to_numpy())
            jobs.append((covers[key], shared, pool.submit(clipping.polygon_parts, _completed(store, day))))

        def clip(job: tuple[Future, bool, Future]) -> tuple[np.ndarray, np.ndarray]:
            cover = job[0].result().copy() if job[1] else job[0].result()
            # Densifying a clipped edge at other vertices can add a fraction of a square metre;
            # restored ground is never more than the zone it lies in.
            return cover.zone_ha, np.minimum(clipping.restored_ha(cover, job[2].result()), cover.zone_ha)

        return list(pool.map(clip, jobs))


def restored_by_district(store: Store, day: dt.date, districts: gpd.GeoDataFrame | None = None):
    """(districts, zone ha, restored ha) at the end of ``day``."""
    districts = _districts(store, day) if districts is None else districts
    ((zone, restored),) = _measure(store, [day], districts)
    return districts, zone, restored


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def compute_rates(store: Store, as_of: dt.date) -> RateReport:
    """The restoration rate per district and for the city at the end of ``as_of``."""
    plan, pace_years = targets(), settings().pace_years
    districts = _districts(store, as_of)
    earlier = _years_before(as_of, pace_years)
    (zone, restored), (_, restored_before) = _measure(store, [as_of, earlier], districts)
    pace = (restored - restored_before) / pace_years
    rows = []
    for i, row in enumerate(districts.itertuples()):
        z, r = float(zone[i]), float(restored[i])
        target = plan.for_year(as_of.year, row.adcode)
        rate = _rate(r, z)
        rows.append(
            DistrictRate(
                adcode=row.adcode,
                name=row.name,
                zone_ha=z,
                restored_ha=r,
                rate_pct=rate,
                target_pct=target,
                gap_ha=_gap(target, r, z),
                on_track=None if rate is None or target is None else rate >= target - 1e-9,
                pace_ha_per_year=float(pace[i]) if z > 0 else None,
                reaches_target_in=_reaches_in(as_of, z, r, float(pace[i]), plan),
            )
        )
    city_target = plan.for_year(as_of.year)
    z, r = float(zone.sum()), float(restored.sum())
    first = None
    if z == 0:
        first = store.earliest_valid_from("subsidence_zones")
    return RateReport(
        as_of=as_of,
        target_pct=city_target,
        final_target_pct=plan.final,
        final_year=plan.final_year,
        city=Totals(z, r, _rate(r, z), _gap(city_target, r, z)),
        districts=rows,
        zones_first_recorded=first,
    )
