"""The store interface every backend implements (embedded GeoPackage now, PostGIS later).

A store keeps every version of every feature: a change closes the current version (``valid_to``)
and adds a new one; nothing is updated in place or deleted. ``valid_from``/``valid_to`` are store
timestamps (UTC ISO-8601), so ``features(layer, at=T)`` rebuilds exactly what the store held at T.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol

import geopandas as gpd
import shapely

SCHEMA_VERSION = 1
VERSION_COLUMNS = ("feature_id", "version", "valid_from", "valid_to", "recorded_by", "source")


@dataclass(frozen=True)
class NewFeature:
    """One feature to write: lon/lat geometry (EPSG:4490) and canonical field values.

    ``valid_from`` overrides the write's timestamp for this feature (backfilled history).
    """

    feature_id: str
    geometry: shapely.Geometry
    properties: dict[str, object]
    valid_from: str | None = None


@dataclass
class WriteResult:
    """What a write did, by feature id."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ImportRecord:
    """Provenance of an administrator's bulk import."""

    layer: str
    filename: str
    sha256: str
    source_crs: str | None
    by: str
    valid_from: str
    n_features: int


class Store(Protocol):
    location: str

    def close(self) -> None: ...

    def transaction(self) -> AbstractContextManager[None]:
        """All writes inside commit together or not at all; nests."""

    def schema_version(self) -> int: ...

    def add_import(self, record: ImportRecord) -> int:
        """Record an import's provenance; returns its id."""

    def write_features(
        self,
        layer: str,
        features: Sequence[NewFeature],
        *,
        by: str,
        source: str,
        valid_from: str | None = None,
        replace_all: bool = False,
    ) -> WriteResult:
        """New versions for changed or new ids; with ``replace_all`` ids not given are retired."""

    def features(self, layer: str, at: str | None = None) -> gpd.GeoDataFrame:
        """The versions valid at store time ``at`` (default: now), one row per feature."""

    def history(self, layer: str, feature_id: str) -> gpd.GeoDataFrame:
        """Every version of one feature, oldest first."""

    def earliest_valid_from(self, layer: str) -> str | None:
        """When the layer first held a feature (for telling a user why a past date is empty)."""

    def imports(self) -> list[dict]: ...


def canonical_value(value: object) -> object:
    """The form a property takes in the store: dates as ISO text, NaN as NULL."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value != value:
        return None
    return value
