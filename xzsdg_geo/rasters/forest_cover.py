"""Forest cover (林木覆盖率) per district from a land-cover raster, against the plan's target.

The share of each district's land-cover pixels in a forest class (``config/rasters.toml``
[landcover]), weighted by the part of each pixel inside the district, on the latest land-cover image
covering it. A district the image does not cover well enough has no figure ("no data"), never 0; the
city figure is the forest area over the measured area of the districts that have one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from ..dates import today_cst
from ..geo import area_ha
from ..progress.report import plain, share_pct
from ..store import Store
from ..when import store_stamp
from .images import images, measure, pick
from .settings import RasterRules, raster_rules


@dataclass(frozen=True)
class Cover:
    area_ha: float
    measured_ha: float  # the part under valid land-cover pixels
    forest_ha: float | None
    forest_pct: float | None  # None: no data
    meets_target: bool | None
    gap_pct: float | None  # percentage points short of the target; 0 when met


@dataclass(frozen=True)
class DistrictCover:
    adcode: str
    name: str
    cover: Cover
    landcover_on: dt.date | None
    rasters: tuple[int, ...]

    def to_dict(self) -> dict:
        day = self.landcover_on.isoformat() if self.landcover_on else None
        return {"adcode": self.adcode, "name": self.name, **plain(self.cover), "landcover_on": day,
                "rasters": list(self.rasters)}  # fmt: skip


@dataclass(frozen=True)
class ForestReport:
    as_of: dt.date
    target_pct: float
    city: Cover
    districts: list[DistrictCover]

    def to_dict(self) -> dict:
        return {"as_of": self.as_of.isoformat(), "target_pct": self.target_pct, "city": plain(self.city),
                "districts": [d.to_dict() for d in self.districts]}  # fmt: skip


def _cover(area: float, measured: float, forest: float | None, target: float) -> Cover:
    pct = None if forest is None else share_pct(forest, measured)
    meets = None if pct is None else pct >= target - 1e-9
    gap = None if pct is None else max(0.0, target - pct)
    return Cover(area, measured, forest, pct, meets, gap)


def forest_cover(
    store: Store,
    rules: RasterRules | None = None,
    as_of: dt.date | None = None,
    known_at: dt.datetime | None = None,
) -> ForestReport:
    """Forest cover of every district on the latest land-cover image acquired by ``as_of`` (default
    today), and the city's, from the boundaries and images the store held at ``known_at`` (default now)."""
    rules = rules or raster_rules()
    today, target = as_of or today_cst(), rules.forest_target_pct
    districts = store.features("districts", known_at=known_at)
    geoms = districts.geometry.to_numpy()
    found = images(store, "forest")
    if known_at is not None:
        stamp = store_stamp(known_at)
        found = [i for i in found if all(r.registered_at <= stamp for r in i.rasters)]
    chosen = pick(found, geoms, [today] * len(geoms), "before")
    (zonal,) = measure(store, found, [chosen], geoms, rules)
    share = zonal.measured(rules.min_valid_share)
    areas = area_ha(geoms)
    rows, measured_sum, forest_sum = [], 0.0, 0.0
    for i, d in enumerate(districts.itertuples()):
        has_data = not np.isnan(share[i])
        measured = float(areas[i] * zonal.valid_share[i]) if has_data else 0.0
        forest = float(share[i]) * measured if has_data else None
        cover = _cover(float(areas[i]), measured, forest, target)
        if chosen[i] >= 0:
            image = found[chosen[i]]
            rows.append(DistrictCover(d.adcode, d.name, cover, image.acquired_on, tuple(image.ids)))
        else:
            rows.append(DistrictCover(d.adcode, d.name, cover, None, ()))
        measured_sum += measured
        forest_sum += forest or 0.0
    city_forest = forest_sum if measured_sum > 0 else None
    city = _cover(float(areas.sum()), measured_sum, city_forest, target)
    return ForestReport(today, target, city, rows)
