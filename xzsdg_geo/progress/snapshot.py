"""A layer as the store held it at the end of a day, with each feature's district.

The same as-of reading as the rate engine: versions valid at the end of the day (China time). Each
metric then counts a status only once the date it was reached is on or before that day, so a record
backfilled with a later completion date does not count early.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from ..dates import end_of_day_utc
from ..errors import UserError
from ..store import Store
from .places import owner_district


@dataclass(frozen=True)
class Snapshot:
    as_of: dt.date
    districts: gpd.GeoDataFrame
    features: gpd.GeoDataFrame
    owner: np.ndarray  # index into ``districts`` per feature; -1 in none

    def district_of(self, i: int) -> tuple[str | None, str | None]:
        """(adcode, name) of feature ``i``'s district, or (None, None)."""
        k = int(self.owner[i])
        return (None, None) if k < 0 else (self.districts["adcode"].iat[k], self.districts["name"].iat[k])


def take(store: Store, layer: str, as_of: dt.date) -> Snapshot:
    at = end_of_day_utc(as_of)
    districts = store.features("districts", at=at)
    if districts.empty:
        raise UserError("progress.no_districts", date=as_of.isoformat())
    features = store.features(layer, at=at)
    owner = owner_district(districts.geometry.to_numpy(), features.geometry.to_numpy())
    return Snapshot(as_of, districts, features, owner)


def optional(value: object) -> object:
    """A stored cell as a plain value: NULL/NaN as ``None``, numpy scalars as Python ones."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    return value.item() if isinstance(value, np.generic) else value


def stored_date(value: object) -> dt.date | None:
    """A stored ISO date cell as a date; ``None`` when empty."""
    value = optional(value)
    return None if value is None else dt.date.fromisoformat(str(value))
