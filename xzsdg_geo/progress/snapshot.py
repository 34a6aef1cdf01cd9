"""A layer as the store held it at a record time, with each feature's district.

The same two clocks as the rate engine (:class:`~xzsdg_geo.when.When`): the versions the store held
at ``known_at`` (default now); each metric then counts a status only once the real-world date it
was reached (treated, accepted, completed) is on or before ``on``, so a record approved later
counts from its own date, and one with a later completion date does not count early.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from ..errors import UserError
from ..store import Store
from ..when import When
from .places import owner_district


@dataclass(frozen=True)
class Snapshot:
    when: When
    districts: gpd.GeoDataFrame
    features: gpd.GeoDataFrame
    owner: np.ndarray  # index into ``districts`` per feature; -1 in none

    @property
    def as_of(self) -> dt.date:
        """The real-world day the metric judges."""
        return self.when.on

    def district_of(self, i: int) -> tuple[str | None, str | None]:
        """(adcode, name) of feature ``i``'s district, or (None, None)."""
        k = int(self.owner[i])
        return (None, None) if k < 0 else (self.districts["adcode"].iat[k], self.districts["name"].iat[k])


def take(store: Store, layer: str, when: When) -> Snapshot:
    districts = store.features("districts", known_at=when.known_at)
    if districts.empty:
        raise UserError("progress.no_districts", date=when.on.isoformat())
    features = store.features(layer, known_at=when.known_at)
    owner = owner_district(districts.geometry.to_numpy(), features.geometry.to_numpy())
    return Snapshot(when, districts, features, owner)


def optional(value: object) -> object:
    """A stored cell as a plain value: NULL/NaN as ``None``, numpy scalars as Python ones."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    return value.item() if isinstance(value, np.generic) else value


def stored_date(value: object) -> dt.date | None:
    """A stored ISO date cell as a date; ``None`` when empty."""
    value = optional(value)
    return None if value is None else dt.date.fromisoformat(str(value))
