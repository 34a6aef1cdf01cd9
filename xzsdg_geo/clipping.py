"""The rate engine's geometry: restored area inside subsidence zones, per district, no double counts.

Overlays run in lon/lat, where the stored edges are straight; areas are then taken by
:func:`xzsdg_geo.geo.area_ha` (densified, equal-area). The steps:

1. all zones are unioned once (overlapping zones count once) and the union is split into its
   disjoint parts, then each part is clipped to the districts it touches: the *zone cover*, a set
   of disjoint pieces each owned by one district;
2. the parcels are unioned the same way (overlapping parcels count once) and split into disjoint
   parts, and each part is clipped to the cover pieces it touches.

Because both sides are disjoint, the clipped pieces are too, and their areas simply add up per
district. Ground outside zones or in a zone's hole never reaches step 2's output, and a zone across
a district border contributes to each district exactly its share. ``disjoint_subset_union_all``
unions only the geometries that actually touch, which is what keeps this fast on tens of
thousands of mostly separate features.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from .geo import area_ha


@dataclass(frozen=True)
class ZoneCover:
    """The disjoint pieces of the zone union, each inside one district: the denominator."""

    parts: np.ndarray  # (multi)polygons, lon/lat, prepared
    district: np.ndarray  # index into the districts array, one per part
    zone_ha: np.ndarray  # zone hectares per district

    @property
    def n_districts(self) -> int:
        return len(self.zone_ha)

    def copy(self) -> ZoneCover:
        """Independent GEOS geometries, prepared: for use in another thread (a prepared geometry
        builds its indexes lazily and must not be used by two threads at once)."""
        parts = shapely.from_wkb(shapely.to_wkb(self.parts))
        shapely.prepare(parts)
        return ZoneCover(parts, self.district, self.zone_ha)


def _valid(geoms: np.ndarray) -> np.ndarray:
    """Repaired where invalid (a self-crossing outline would otherwise break the overlays)."""
    geoms = np.asarray(geoms, dtype=object)
    bad = ~shapely.is_valid(geoms)
    if bad.any():
        geoms = geoms.copy()
        geoms[bad] = shapely.make_valid(geoms[bad])
    return geoms


def polygon_parts(geoms: np.ndarray) -> np.ndarray:
    """The disjoint polygons of the union of ``geoms`` (lines and points left by repairs dropped)."""
    if len(geoms) == 0:
        return np.array([], dtype=object)
    union = shapely.disjoint_subset_union_all(_valid(geoms))
    parts = shapely.get_parts(shapely.get_parts(union))  # twice: a collection may nest a multi
    return parts[shapely.get_type_id(parts) == shapely.GeometryType.POLYGON]


def _clip_pairs(covers: np.ndarray, items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every overlapping (cover, item) pair: the cover indices and the item clipped to the cover.

    An item inside its cover is kept as it is, which skips most overlay work. ``covers`` should be
    prepared (``shapely.prepare``) by the caller, once, so that threads can share them.
    """
    if len(covers) == 0 or len(items) == 0:
        return np.array([], dtype=int), np.array([], dtype=object)
    cover_idx, item_idx = shapely.STRtree(items).query(covers, predicate="intersects")
    clipped = items[item_idx].copy()
    edge = ~shapely.contains_properly(covers[cover_idx], clipped)
    clipped[edge] = shapely.intersection(covers[cover_idx[edge]], clipped[edge])
    keep = shapely.area(clipped) > 0
    return cover_idx[keep], clipped[keep]


def zone_cover(districts: np.ndarray, zones: np.ndarray) -> ZoneCover:
    """The zone union split into disjoint pieces, each clipped to the district that holds it."""
    districts = np.asarray(districts, dtype=object)
    shapely.prepare(districts)
    owner, pieces = _clip_pairs(districts, polygon_parts(zones))
    shapely.prepare(pieces)
    return ZoneCover(pieces, owner, np.bincount(owner, area_ha(pieces), len(districts)))


def restored_ha(cover: ZoneCover, parcel_parts: np.ndarray) -> np.ndarray:
    """Restored hectares per district: the parcels' union (``polygon_parts(parcels)``) inside the
    zone cover."""
    piece_idx, pieces = _clip_pairs(cover.parts, parcel_parts)
    return np.bincount(cover.district[piece_idx], area_ha(pieces), cover.n_districts)
