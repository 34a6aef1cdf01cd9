"""A store read as it stood at one instant: every feature and observation read at that record time.

For reading code written against the current store (the prediction, the 稳沉 verdicts) that a report
must reproduce later with ``--as-recorded``: wrapping the store pins every read to the instant,
without threading a time argument through each function. Read-only by construction: it offers only
reads; anything else is passed on to the store unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import geopandas as gpd

from ..when import store_stamp
from .base import Observation, Store


class Recorded:
    def __init__(self, store: Store, known_at: dt.datetime | None) -> None:
        self._store = store
        self._known_at = known_at

    def features(
        self, layer: str, known_at: dt.datetime | None = None, fields: Sequence[str] | None = None
    ) -> gpd.GeoDataFrame:
        return self._store.features(layer, known_at=self._known_at, fields=fields)

    def observations(
        self, point_ids: Sequence[str] | None = None, at: str | None = None
    ) -> list[Observation]:
        stamp = store_stamp(self._known_at) if self._known_at is not None else None
        return self._store.observations(point_ids, at=stamp)

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)


def as_recorded(store: Store, known_at: dt.datetime | None) -> Store:
    """``store`` itself for now, else a view of it pinned to ``known_at``."""
    return store if known_at is None else Recorded(store, known_at)  # type: ignore[return-value]
