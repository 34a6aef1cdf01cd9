"""Where the ground is not ready for restoration: still moving, or about to move again.

Two areas, both in lon/lat: zones whose monitoring points show movement (稳沉 not reached), and the
reach of active and planned working faces (their final basin's 10 mm boundary). Shared by the
stability report and the upload check that warns about parcels on such ground.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import shapely

from ..dates import today_cst
from ..layers import LayerSpec
from ..store import Store
from .basin import Grid, basin_on_grid
from .faces import LAYER as FACES
from .faces import faces_from_frame, panels_for
from .parameters import PredictionConfig, prediction_config
from .stability import PointStability, Verdict, point_stability, zone_verdict
from .zones import contour_polygons

POINTS = "monitoring_points"
MAX_CELLS = 60_000_000  # a grid larger than this (0.24 GB of float32) is refused
COARSE_CELL_M = 20.0  # the reach of faces needs no finer grid


def grid_for(panels: list, cell_m: float) -> Grid | None:
    """The grid covering every panel's window of influence; None when it would exceed MAX_CELLS."""
    windows = [p.window() for p in panels]
    bounds = (
        min(w[0] for w in windows),
        min(w[1] for w in windows),
        max(w[2] for w in windows),
        max(w[3] for w in windows),
    )
    grid = Grid.covering(bounds, cell_m)
    return grid if grid.width * grid.height <= MAX_CELLS else None


def future_influence(store: Store, config: PredictionConfig) -> shapely.Geometry:
    """Where active and planned faces will still move the ground (their final basin ≥ 10 mm)."""
    frame = store.features(FACES)
    frame = frame[frame["status"].isin(["active", "planned"])]
    if frame.empty:
        return shapely.MultiPolygon()
    panels, c_for = panels_for(faces_from_frame(frame, config.gk_epsg), config)
    grid = grid_for(panels, max(config.cell_m, COARSE_CELL_M)) if panels else None
    if grid is None:
        return shapely.MultiPolygon()
    basin = basin_on_grid(grid, panels, None, c_for)
    return contour_polygons(grid, basin, config.thresholds.influence_m, config.gk_epsg)


@dataclass(frozen=True)
class ZoneGround:
    zone_id: str
    name: str
    verdict: Verdict
    points: int
    under_faces: bool
    geometry: shapely.Geometry


@dataclass(frozen=True)
class Ground:
    points: list[PointStability]
    zones: list[ZoneGround]
    influence: shapely.Geometry

    @property
    def unstable(self) -> shapely.Geometry:
        """Zones still moving or within a face's reach: no place yet for restoration works."""
        parts = [z.geometry for z in self.zones if z.verdict is Verdict.MOVING or z.under_faces]
        return shapely.union_all(parts) if parts else shapely.MultiPolygon()


RESTORED_LAYER = "restoration_parcels"  # restored on ground that may still sink


def unsettled_ground(store: Store, spec: LayerSpec) -> Ground | None:
    """Today's ground state for an upload to ``spec``; None where it cannot matter (another layer,
    or a store with neither working faces nor observations)."""
    if spec.name != RESTORED_LAYER:
        return None
    if store.features(FACES, fields=()).empty and not store.observations():
        return None
    return ground(store, today_cst(), prediction_config())


def ground(store: Store, on: dt.date, config: PredictionConfig) -> Ground:
    """Verdicts per monitoring point and zone at ``on``, and the reach of active and planned faces."""
    points = store.features(POINTS)
    series: dict[str, list] = {}
    for o in store.observations():
        series.setdefault(o.point_id, []).append(o)
    verdicts = [point_stability(pid, series.get(pid, []), on, config.stability) for pid in points["point_id"]]
    by_point = dict(zip(points["point_id"], verdicts, strict=True))
    influence = future_influence(store, config)
    shapely.prepare(influence)
    zones = []
    for z in store.features("subsidence_zones", fields=("zone_id", "name")).itertuples():
        inside = points[points.geometry.within(z.geometry)]["point_id"]
        verdict = zone_verdict([by_point[p] for p in inside])
        zones.append(
            ZoneGround(
                z.zone_id, z.name, verdict, len(inside), bool(influence.intersects(z.geometry)), z.geometry
            )
        )
    return Ground(verdicts, zones, influence)
