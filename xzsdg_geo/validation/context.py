"""One upload under validation: the stages' results, each computed once, when a check first asks.

Checks read from the context and never change it, so their order only decides which refusals stop
the run early (see :mod:`registry`), not what any check sees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..attributes import AttributeProblem, map_upload
from ..geo import area_ha, geodesic_length_m, to_equal_area
from ..layers import LayerSpec
from ..prediction.ground import Ground, unsettled_ground
from ..readers import ReadOptions, SourceLayer
from ..store import Store
from . import stages
from .auto_ids import assign_missing_ids
from .closed_lines import close_lines
from .columns import restore_cut_names
from .place import Region, extent_region, region_for
from .settings import ValidationSettings

NAME_COLUMNS = ("name", "名称", "地块名称", "项目名称", "Name", "NAME")


def _blank(value: object) -> bool:
    """None, NaN, NA or only whitespace."""
    try:
        if pd.isna(value):
            return True
    except (TypeError, ValueError):  # not a scalar: judged by its text
        pass
    return not str(value).strip()


_KEEP = {"feature_id", "version", "valid_from", "valid_to", "recorded_by", "source", "geometry"}


class FeatureSource(Protocol):
    """What the checks read from a store: approved features, and where the ground is unsettled."""

    ground: Ground | None

    def features(self, layer: str, fields: Sequence[str] | None = None) -> gpd.GeoDataFrame: ...


@dataclass(frozen=True)
class StoreView:
    """The store's features a check may ask for, fetched before the checking worker starts
    (a database connection cannot cross into another process; the frames can): the upload's layer,
    the districts, the layer it counts within, and for layers restored on sinking ground, the state
    of that ground (稳沉 and the reach of working faces)."""

    layers: dict[str, gpd.GeoDataFrame]
    ground: Ground | None = None

    @classmethod
    def of(cls, store: Store, spec: LayerSpec) -> StoreView:
        names = dict.fromkeys(n for n in (spec.name, "districts", spec.counts.get("within")) if n)
        return cls({name: store.features(name) for name in names}, unsettled_ground(store, spec))

    def features(self, layer: str, fields: Sequence[str] | None = None) -> gpd.GeoDataFrame:
        frame = self.layers[layer]
        if fields is None:
            return frame
        return frame[[c for c in frame.columns if c not in set(frame.columns) - set(fields) - _KEEP]]


@dataclass(frozen=True)
class Upload:
    data: bytes
    filename: str
    spec: LayerSpec
    options: ReadOptions
    store: FeatureSource | None
    settings: ValidationSettings


class UploadContext:
    def __init__(self, upload: Upload) -> None:
        self.upload = upload
        self.spec = upload.spec
        self.checks = upload.settings.checks

    # -- reading ---------------------------------------------------------------------------------
    @cached_property
    def read(self) -> stages.ReadResult:
        u = self.upload
        return stages.read_upload(u.data, u.filename, u.options)

    @cached_property
    def choice(self) -> stages.Choice:
        return stages.choose_layer(self.read.layers, self.spec, self.upload.options.source_layer)

    @property
    def source(self) -> SourceLayer:
        """The chosen layer; only asked for once the parse check has passed."""
        assert self.choice.source is not None
        return self.choice.source

    @property
    def frame(self) -> gpd.GeoDataFrame:
        return self.source.frame

    # -- placing -------------------------------------------------------------------------------
    @cached_property
    def placement(self) -> stages.Placement:
        return stages.place(self.source, self.upload.settings.upload.legacy_towgs84)

    @cached_property
    def source_geoms(self) -> np.ndarray:
        return np.asarray(self.frame.geometry.to_numpy(), dtype=object)

    @cached_property
    def over_vertex_cap(self) -> np.ndarray:
        """Features with more vertices than the cap: refused, so never reprojected or repaired
        (the costly steps a hostile file would aim at)."""
        return shapely.get_num_coordinates(self.source_geoms) > self.checks.max_vertices

    @cached_property
    def repair(self) -> stages.Repair:
        geoms = np.where(self.over_vertex_cap, None, self.source_geoms)
        lonlat = stages.to_lonlat(geoms, self.placement, self.source.gcj02)
        lonlat = close_lines(lonlat, self.spec)
        return stages.repair(lonlat)

    @property
    def geoms(self) -> np.ndarray:
        """Lon/lat (EPSG:4490) geometries after repair: what would be stored."""
        return self.repair.geoms

    @cached_property
    def present(self) -> np.ndarray:
        return ~shapely.is_missing(self.geoms) & ~shapely.is_empty(self.geoms)

    @cached_property
    def placed(self) -> np.ndarray:
        """Geometries with finite lon/lat (outside a CRS's area PROJ gives infinities)."""
        return self.present & stages.finite(self.geoms)

    @cached_property
    def fits(self) -> np.ndarray:
        """Placed features of a type the layer takes; geometry checks look at these only."""
        types = np.array([g.geom_type if g is not None else "" for g in self.geoms], dtype=object)
        return self.placed & np.isin(types, list(stages.allowed_types(self.spec)))

    @cached_property
    def polygons(self) -> np.ndarray:
        return self.fits & (shapely.get_dimensions(self.geoms) == 2)

    @cached_property
    def projected(self) -> np.ndarray:
        """Equal-area metres of the geometries (spikes, distances, the Xuzhou test)."""
        return to_equal_area(self.geoms)

    @cached_property
    def area_ha(self) -> np.ndarray:
        out = np.full(len(self.geoms), np.nan)
        out[self.polygons] = area_ha(self.geoms[self.polygons])
        return out

    @cached_property
    def length_m(self) -> np.ndarray:
        lines = self.fits & (shapely.get_dimensions(self.geoms) == 1)
        return np.array(
            [geodesic_length_m(g) if line else np.nan for g, line in zip(self.geoms, lines, strict=True)]
        )

    # -- attributes ------------------------------------------------------------------------------
    @cached_property
    def attributes(self) -> tuple[list[dict], list[AttributeProblem]]:
        frame, limit = self.frame, self.source.max_name_bytes
        if limit:
            frame = restore_cut_names(frame, self.spec, self.source.encoding, limit)
        options = self.upload.options
        mapped = map_upload(self.spec, frame, options.columns, options.defaults)
        return assign_missing_ids(self.spec, mapped, self.geoms, self.upload.store)

    @property
    def records(self) -> list[dict]:
        return self.attributes[0]

    @cached_property
    def names(self) -> list[str | None]:
        """What to call each feature: its name field, else a name-like column of the file."""
        fallbacks = [self.frame[c].to_numpy() for c in NAME_COLUMNS if c in self.frame.columns]
        out = []
        for i, record in enumerate(self.records):
            candidates = [record.get("name"), *(column[i] for column in fallbacks)]
            out.append(next((str(v).strip() for v in candidates if not _blank(v)), None))
        return out

    @cached_property
    def feature_ids(self) -> list[str | None]:
        ids = (r.get(self.spec.id_field) for r in self.records)
        return [None if v is None else str(v) for v in ids]

    # -- surroundings ----------------------------------------------------------------------------
    @cached_property
    def region(self) -> Region:
        if self.spec.replace_on_import:  # a boundary set: checked against the city's extent
            return extent_region(self.checks.inside_buffer_m)
        return region_for(self.upload.store, self.checks.inside_buffer_m)

    @cached_property
    def approved(self) -> gpd.GeoDataFrame | None:
        """The layer's approved features in the store, or None without a store."""
        store = self.upload.store
        return store.features(self.spec.name) if store is not None else None
