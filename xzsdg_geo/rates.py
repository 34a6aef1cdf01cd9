"""The coal-subsidence treatment and ecological restoration rate (采煤沉陷区治理和生态修复率).

For district d at real-world date t (:class:`~xzsdg_geo.when.When`): Z = union of the subsidence
zones in the inventory on t (``designated_on`` empty or ≤ t, ``retired_on`` empty or > t), clipped
to d; R = union of the restoration parcels with status ``completed`` and ``completed_on`` ≤ t,
clipped to Z; rate = area(R) / area(Z). The city rate is ΣR / ΣZ. Both read the store as known at
``When.known_at`` (default: now), so a parcel completed in 2025 and approved in 2026 counts for
2025, and a figure reported earlier is reproduced by reading the store as it stood then.
"""

from __future__ import annotations

import datetime as dt
import math
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from . import clipping
from .config import Targets, settings, targets
from .errors import UserError
from .store import Store
from .when import When

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
    when: When
    target_pct: float | None
    final_target_pct: float
    final_year: int
    city: Totals
    districts: list[DistrictRate]
    zones_first_recorded: str | None  # set when the store held no zones at all at ``when.known_at``

    @property
    def as_of(self) -> dt.date:
        """The real-world day the figures describe."""
        return self.when.on

    def to_dict(self) -> dict:
        out = {**self.when.to_dict(), **asdict(self)}
        del out["when"]
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


def _districts(store: Store, when: When) -> gpd.GeoDataFrame:
    districts = store.features("districts", known_at=when.known_at)
    if districts.empty:
        raise UserError("rates.no_districts", date=when.on.isoformat())
    return districts


def in_force(started: pd.Series, ended: pd.Series, day: dt.date) -> np.ndarray:
    """Rows whose real-world span holds ``day``: started empty or on/before it, ended empty or after
    it (ISO date text, so text order is date order)."""
    iso = day.isoformat()
    return ((started.isna() | (started <= iso)) & (ended.isna() | (ended > iso))).to_numpy()


def _zones(store: Store, when: When) -> gpd.GeoDataFrame:
    """The zones in the inventory on ``when.on``, as known at ``when.known_at``."""
    zones = store.features("subsidence_zones", known_at=when.known_at, fields=("designated_on", "retired_on"))
    return zones[in_force(zones["designated_on"], zones["retired_on"], when.on)]


def _done_by(parcels: pd.DataFrame, day: dt.date) -> pd.Series:
    """Parcels with status completed and a completion date on or before ``day``."""
    return (parcels["status"] == "completed") & (parcels["completed_on"].fillna("9999") <= day.isoformat())


def on_the_ground(frames: dict[str, gpd.GeoDataFrame], day: dt.date) -> dict[str, gpd.GeoDataFrame]:
    """Layers as the rate counts them on ``day``: only the zones then in the inventory, and a
    parcel stored as completed with a later completion date shown as still in progress."""
    out = dict(frames)
    if "subsidence_zones" in out:
        zones = out["subsidence_zones"]
        out["subsidence_zones"] = zones[in_force(zones["designated_on"], zones["retired_on"], day)]
    if "restoration_parcels" in out:
        parcels = out["restoration_parcels"]
        later = (parcels["status"] == "completed") & ~_done_by(parcels, day)
        out["restoration_parcels"] = parcels.assign(status=parcels["status"].mask(later, "in_progress"))
    return out


def history_start(store: Store) -> dt.date | None:
    """The first real-world day the store knows of now: the earliest completion of a parcel or
    designation of a zone (None when nothing is dated), for offering the years since."""
    zones = store.features("subsidence_zones", fields=("designated_on",))
    parcels = store.features("restoration_parcels", fields=("completed_on",))
    dates = pd.concat([zones["designated_on"], parcels["completed_on"]]).dropna()
    return dt.date.fromisoformat(str(dates.min())) if len(dates) else None


def _completed(store: Store, when: When) -> np.ndarray:
    """Parcels with status completed and completed_on ≤ ``when.on``, as known at ``when.known_at``."""
    parcels = store.features("restoration_parcels", known_at=when.known_at, fields=("status", "completed_on"))
    return parcels.geometry[_done_by(parcels, when.on)].to_numpy()


def _measure(
    store: Store, whens: list[When], districts: gpd.GeoDataFrame
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(zone ha, restored ha) per district at each instant.

    GEOS frees the GIL, so the overlays run on the second core while this thread reads the next
    layer from the store. Days whose zones are the same versions share one zone cover; every
    clip after the first gets its own copy of it (a prepared geometry is not for two threads).
    """
    boundaries = districts.geometry.to_numpy()
    with ThreadPoolExecutor(max_workers=2) as pool:
        covers: dict[frozenset, Future] = {}
        jobs = []
        for when in whens:
            zones = _zones(store, when)
            key = frozenset(zip(zones["feature_id"], zones["version"].astype(int), strict=True))
            shared = key in covers
            if not shared:
                covers[key] = pool.submit(clipping.zone_cover, boundaries, zones.geometry.to_numpy())
            jobs.append((covers[key], shared, pool.submit(clipping.polygon_parts, _completed(store, when))))

        def clip(job: tuple[Future, bool, Future]) -> tuple[np.ndarray, np.ndarray]:
            cover = job[0].result().copy() if job[1] else job[0].result()
            # Densifying a clipped edge at other vertices can add a fraction of a square metre;
            # restored ground is never more than the zone it lies in.
            return cover.zone_ha, np.minimum(clipping.restored_ha(cover, job[2].result()), cover.zone_ha)

        return list(pool.map(clip, jobs))


def restored_by_district(store: Store, when: When, districts: gpd.GeoDataFrame | None = None):
    """(districts, zone ha, restored ha) at ``when``."""
    districts = _districts(store, when) if districts is None else districts
    ((zone, restored),) = _measure(store, [when], districts)
    return districts, zone, restored


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def compute_rates(store: Store, when: When) -> RateReport:
    """The restoration rate per district and for the city on ``when.on``, as known at ``when.known_at``.

    The pace compares with the same day ``pace_years`` earlier, read from the same record time.
    """
    plan, pace_years = targets(), settings().pace_years
    as_of = when.on
    districts = _districts(store, when)
    earlier = when.on_day(_years_before(as_of, pace_years))
    (zone, restored), (_, restored_before) = _measure(store, [when, earlier], districts)
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
    if z == 0 and store.features("subsidence_zones", known_at=when.known_at, fields=()).empty:
        first = store.earliest_valid_from("subsidence_zones")
    return RateReport(
        when=when,
        target_pct=city_target,
        final_target_pct=plan.final,
        final_year=plan.final_year,
        city=Totals(z, r, _rate(r, z), _gap(city_target, r, z)),
        districts=rows,
        zones_first_recorded=first,
    )
