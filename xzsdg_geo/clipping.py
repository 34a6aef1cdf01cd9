"""The rate engine's geometry: restored area inside subsidence zones, per district, no double counts.

Overlays run in lon/lat, where the stored edges are straight; areas are then taken by
:func:`xzsdg_geo.geo.area_ha` (densified, equal-area). The work is arranged so GEOS only ever
overlays small geometries:

1. every zone is clipped to the districts it touches (whole when a district contains it), and the
   pieces of each district are unioned, so overlapping zones count once;
2. that union is split into its disjoint parts;
3. each parcel is paired with the parts it touches (STRtree), clipped to each (kept whole when it
   lies inside), and the clipped pieces of one part are unioned, so overlapping parcels count once.

Ground outside zones or inside a zone's hole never reaches step 3's output, and a zone across a
district border contributes to each district exactly its share.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from .geo import area_ha


@dataclass(frozen=True)
class ZoneCover:
    """The disjoint parts of the zone union in each district: the engine's denominator."""

    parts: np.ndarray  # polygons, lon/lat
    district: np.ndarray  # index into the districts array, one per part
    n_districts: int

    def zone_ha(self) -> np.ndarray:
        """Zone hectares per district."""
        return np.bincount(self.district, area_ha(self.parts), self.n_districts)


def _clip_pairs(covers: np.ndarray, items: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (cover, item) pair that overlaps, with the item clipped to the cover.

    Returns cover indices, item indices and the clipped geometries. An item inside its cover is
    kept as it is, which skips most overlay work.
    """
    tree = shapely.STRtree(items)
    cover_idx, item_idx = tree.query(covers, predicate="intersects")
    shapely.prepare(covers)
    inside = shapely.contains_properly(covers[cover_idx], items[item_idx])
    clipped = items[item_idx].copy()
    edge = ~inside
    clipped[edge] = shapely.intersection(covers[cover_idx[edge]], items[item_idx[edge]])
    keep = ~shapely.is_empty(clipped) & (shapely.area(clipped) > 0)
    return cover_idx[keep], item_idx[keep], clipped[keep]


def _union_by_group(groups: np.ndarray, geoms: np.ndarray, n_groups: int) -> np.ndarray:
    """One geometry per group: a lone member as it is, several unioned (overlaps count once)."""
    out = np.full(n_groups, None, dtype=object)
    order = np.argsort(groups, kind="stable")
    groups, geoms = groups[order], geoms[order]
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]]) if len(groups) else []
    ends = np.r_[starts[1:], len(groups)] if len(groups) else []
    for start, end in zip(starts, ends, strict=True):
        members = geoms[start:end]
        out[groups[start]] = members[0] if len(members) == 1 else shapely.union_all(members)
    return out


def zone_cover(districts: np.ndarray, zones: np.ndarray) -> ZoneCover:
    """Zones clipped to districts, unioned per district and split into disjoint parts."""
    n = len(districts)
    d_idx, _, pieces = _clip_pairs(districts, shapely.make_valid(zones))
    per_district = _union_by_group(d_idx, pieces, n)
    parts, owner = [], []
    for i, union in enumerate(per_district):
        if union is None:
            continue
        polys = shapely.get_parts(shapely.get_parts(union))  # twice: a repaired zone may nest a multi in a GC
        polys = polys[shapely.get_type_id(polys) == shapely.GeometryType.POLYGON]
        parts.append(polys)
        owner.append(np.full(len(polys), i))
    if not parts:
        return ZoneCover(np.array([], dtype=object), np.array([], dtype=int), n)
    return ZoneCover(np.concatenate(parts), np.concatenate(owner), n)


def restored_ha(cover: ZoneCover, parcels: np.ndarray) -> np.ndarray:
    """Restored hectares per district: the union of parcels inside the zone cover."""
    if len(cover.parts) == 0 or len(parcels) == 0:
        return np.zeros(cover.n_districts)
    part_idx, _, pieces = _clip_pairs(cover.parts, shapely.make_valid(parcels))
    per_part = _union_by_group(part_idx, pieces, len(cover.parts))
    present = per_part != None  # noqa: E711 (elementwise on an object array)
    areas = np.zeros(len(per_part))
    areas[present] = area_ha(per_part[present])
    return np.bincount(cover.district, areas, cover.n_districts)
