"""The store interface every backend implements (embedded GeoPackage now, PostGIS later).

A store keeps every version of every feature: a change closes the current version (``valid_to``)
and adds a new one; nothing is updated in place or deleted. ``valid_from``/``valid_to`` are store
timestamps (UTC ISO-8601), so ``features(layer, known_at=T)`` rebuilds exactly what the store held
at the instant T (record time; real-world dates are the features' own fields).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import geopandas as gpd
import shapely

SCHEMA_VERSION = 10
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

    def retire_features(self, layer: str, feature_ids: Sequence[str]) -> list[str]:
        """Close the current versions of these ids; returns those that were current."""

    def features(
        self, layer: str, known_at: dt.datetime | None = None, fields: Sequence[str] | None = None
    ) -> gpd.GeoDataFrame:
        """The versions valid at the instant ``known_at`` (default: now), one row per feature; only the
        named layer ``fields`` (default all) besides the version columns and the geometry."""

    def history(self, layer: str, feature_id: str) -> gpd.GeoDataFrame:
        """Every version of one feature, oldest first."""

    def earliest_valid_from(self, layer: str) -> str | None:
        """When the layer first held a feature (for telling a user why a past date is empty)."""

    def imports(self) -> list[dict]: ...

    # -- submissions (the rest of the workflow tables is not declared here yet) ---------------------
    def submission_features(self, submission_id: int) -> list[NewFeature]:
        """The features a submission carries, in file order, as they were submitted."""

    # -- the plan's indicators: yearly actuals, versioned (table xzsdg_indicator_values) ----------
    def record_indicator_value(
        self, no: int, year: int, value: float, *, by: str, note: str | None = None
    ) -> IndicatorValue | None:
        """Close the value in force for (no, year), if any, and add this one; ``None`` (and no
        write) when the same value and note are already in force."""

    def indicator_values(self, year: int | None = None, at: str | None = None) -> list[IndicatorValue]:
        """The values in force at store time ``at`` (default: now), one per (no, year), by no and year."""

    def indicator_history(self, no: int, year: int | None = None) -> list[IndicatorValue]:
        """Every recorded version of an indicator's values (of one year if given), oldest first."""

    # -- subsidence observations of the monitoring points, versioned (table xzsdg_observations) --
    def record_observations(self, rows: Sequence[ObservationRow], *, by: str, source: str) -> int:
        """Add each (point, date, mm) not already in force; a changed value closes the one in force.
        Returns how many rows were written (0 when the file held nothing new)."""

    def observations(
        self, point_ids: Sequence[str] | None = None, at: str | None = None
    ) -> list[Observation]:
        """The observations in force at store time ``at`` (default: now), by point and date."""

    # -- rasters: catalog rows (table xzsdg_rasters), bytes in xzsdg_files or in files beside the store -
    def add_raster(self, raster: NewRaster, data: bytes | Path, *, by: str) -> RasterEntry:
        """Keep a raster's bytes and catalog it: ``bytes`` go into the store (xzsdg_files), a ``Path``
        is copied, content-addressed, into the store's raster folder (read by windows from disk)."""

    def rasters(self, kind: str | None = None) -> list[RasterEntry]:
        """The catalog (of one kind if given), by acquisition date then id."""

    def get_raster(self, raster_id: int) -> RasterEntry: ...

    def find_raster(self, sha256: str) -> RasterEntry | None:
        """The entry holding these bytes, if they were registered before."""

    def raster_data(self, raster: RasterEntry) -> bytes | Path:
        """The kept bytes of a raster held in the store, or the path of its file beside the store."""


def canonical_value(value: object) -> object:
    """The form a property takes in the store: dates as ISO text, NaN as NULL."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value != value:
        return None
    return value


# -- review workflow, accounts and audit (records the stores keep beside the features) ------------
SUBMISSION_STATUSES = ("pending", "approved", "rejected", "needs_changes", "answered", "undone")


@dataclass(frozen=True)
class Upload:
    """One file a user sent, accepted or refused; its bytes are kept under ``sha256``."""

    id: int
    sha256: str
    filename: str
    layer: str
    uploaded_by: str
    uploaded_at: str
    accepted: bool
    report: dict


@dataclass(frozen=True)
class Submission:
    id: int
    layer: str
    upload_id: int
    submitted_by: str
    submitted_at: str
    note: str | None
    answers: int | None  # the submission this one resubmits
    replace_district: str | None  # approve retires this district's other features of the layer
    status: str
    reviewed_by: str | None
    reviewed_at: str | None
    review_comment: str | None
    undone_by: str | None
    undone_at: str | None


@dataclass(frozen=True)
class FeatureChange:
    """What approving a submission did to one feature: versions before and after (None: absent)."""

    feature_id: str
    before_version: int | None
    after_version: int | None


def name_key(username: str) -> str:
    """The form two account names are compared in: NFKC (full-width Ａ is A) then casefold."""
    return unicodedata.normalize("NFKC", username).casefold()


@dataclass(frozen=True)
class User:
    username: str
    role: str
    district: str | None
    password_hash: str
    created_at: str
    disabled: bool
    failed_logins: int
    locked_until: str | None
    name_key: str | None = None  # NFKC + casefold of the name: unique, so 'Admin' and 'admin' cannot coexist
    must_change_password: bool = False  # a temporary password: change it at the next sign-in


@dataclass(frozen=True)
class AuditEntry:
    at: str
    actor: str
    action: str
    submission_id: int | None = None
    layer: str | None = None
    feature_ids: list[str] = field(default_factory=list)
    before_hashes: dict[str, str] = field(default_factory=dict)
    after_hashes: dict[str, str] = field(default_factory=dict)
    detail: dict = field(default_factory=dict)
    id: int | None = None


@dataclass(frozen=True)
class IndicatorValue:
    """One recorded version of an indicator's actual for a year; ``valid_to`` None while in force."""

    id: int
    no: int
    year: int
    value: float
    recorded_by: str
    valid_from: str
    valid_to: str | None
    note: str | None


@dataclass(frozen=True)
class ObservationRow:
    """One observation to record: a point's cumulative subsidence (mm, sinking positive) on a date."""

    point_id: str
    observed_on: str  # ISO date
    subsidence_mm: float


@dataclass(frozen=True)
class Observation:
    """One recorded version of an observation; ``valid_to`` None while in force."""

    id: int
    point_id: str
    observed_on: str
    subsidence_mm: float
    recorded_by: str
    valid_from: str
    valid_to: str | None
    source: str


@dataclass(frozen=True)
class NewRaster:
    """A raster file to catalog: bounds in lon/lat (EPSG:4490), grid and resolution in its own CRS."""

    sha256: str
    filename: str
    kind: str  # ndvi, red, nir, landcover, water
    acquired_on: str  # ISO date
    crs: str  # "EPSG:n" when the file's CRS has a code, else its WKT
    width: int
    height: int
    res_x: float
    res_y: float
    west: float
    south: float
    east: float
    north: float
    dtype: str
    nodata: float | None
    size: int


@dataclass(frozen=True)
class RasterEntry(NewRaster):
    """A cataloged raster; ``in_store``: its bytes are in the store (else a file beside it)."""

    id: int
    in_store: bool
    registered_by: str
    registered_at: str
