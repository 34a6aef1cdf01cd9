"""Reading features by store time, the same SQL for both stores (each supplies ``_frame``)."""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd

from ..layers import LayerSpec, get_layer


class VersionedReads:
    """Mixed into a store with ``_conn`` and ``_frame(spec, where, params, fields)``."""

    def _frame(
        self, spec: LayerSpec, where: str, params: tuple, fields: Sequence[str] | None = None
    ) -> gpd.GeoDataFrame:
        raise NotImplementedError

    def features(
        self, layer: str, at: str | None = None, fields: Sequence[str] | None = None
    ) -> gpd.GeoDataFrame:
        spec = get_layer(layer)
        unknown = set(fields or ()) - set(spec.field_names)
        if unknown:
            raise KeyError(f"{layer} has no fields {sorted(unknown)}")
        if at is None:
            return self._frame(spec, "valid_to IS NULL", (), fields)
        where = "valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)"
        return self._frame(spec, where, (at, at), fields)

    def history(self, layer: str, feature_id: str) -> gpd.GeoDataFrame:
        return self._frame(get_layer(layer), "feature_id = ?", (feature_id,))

    def earliest_valid_from(self, layer: str) -> str | None:
        row = self._conn.execute(f'SELECT MIN(valid_from) FROM "{get_layer(layer).name}"').fetchone()
        return row[0]
