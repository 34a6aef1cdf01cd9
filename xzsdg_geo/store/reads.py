"""Reading features by record time, the same SQL for both stores (each supplies ``_frame``).

The store answers one clock only, record time: which versions it held at an instant. Real-world
dates (a parcel's completion, a zone's designation) are fields of the features, read by the
figures that need them (:mod:`xzsdg_geo.rates`, :mod:`xzsdg_geo.progress`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import geopandas as gpd

from ..layers import LayerSpec, get_layer
from ..when import store_stamp


class VersionedReads:
    """Mixed into a store with ``_conn`` and ``_frame(spec, where, params, fields)``."""

    def _frame(
        self, spec: LayerSpec, where: str, params: tuple, fields: Sequence[str] | None = None
    ) -> gpd.GeoDataFrame:
        raise NotImplementedError

    def features(
        self, layer: str, known_at: dt.datetime | None = None, fields: Sequence[str] | None = None
    ) -> gpd.GeoDataFrame:
        spec = get_layer(layer)
        unknown = set(fields or ()) - set(spec.field_names)
        if unknown:
            raise KeyError(f"{layer} has no fields {sorted(unknown)}")
        if known_at is None:
            return self._frame(spec, "valid_to IS NULL", (), fields)
        at = store_stamp(known_at)
        where = "valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)"
        return self._frame(spec, where, (at, at), fields)

    def history(self, layer: str, feature_id: str) -> gpd.GeoDataFrame:
        return self._frame(get_layer(layer), "feature_id = ?", (feature_id,))

    def earliest_valid_from(self, layer: str) -> str | None:
        row = self._conn.execute(f'SELECT MIN(valid_from) FROM "{get_layer(layer).name}"').fetchone()
        return row[0]
