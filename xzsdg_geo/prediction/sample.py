"""Sample working faces, monitoring points and observations (示例数据), deterministic, in 沛县.

Invented, not mine records: twelve long-wall faces near the sample subsidence zones of 沛县 — four
finished (2010-2018) under existing zones, four active (2025-2027) at the zones' edges, four planned
(2027-2029) on ground that has not sunk yet — and survey lines over the active and two finished
faces, observed every quarter 2024-2026. The observations are the default parameters' prediction
with 3 mm of noise, so ``fit-parameters`` recovers them and the finished faces' points are stable.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import shapely
from shapely import affinity

from ..geo import STORE_CRS, reproject
from ..store import NewFeature, Store
from ..store.base import ObservationRow
from .basin import subsidence_at
from .faces import faces_from_frame, panels_for
from .parameters import prediction_config

SEED = 20_270_000
DISTRICT = "320322"  # 沛县
SURVEY_DATES = [dt.date(2024 + k // 4, 1 + 3 * (k % 4), 10) for k in range(12)]
RECORDED = "2024-01-01T00:00:00Z"
_PLAN = (  # status, start, end, mine
    *[
        ("finished", dt.date(2010 + 2 * k, 3, 1), dt.date(2011 + 2 * k, 2, 1), f"示例矿井{k % 2 + 1}")
        for k in range(4)
    ],
    *[("active", dt.date(2025, 3 + k, 1), dt.date(2027, 3 + k, 1), f"示例矿井{k % 2 + 1}") for k in range(4)],
    *[
        ("planned", dt.date(2027, 6 + k, 1), dt.date(2029, 6 + k, 1), f"示例矿井{k % 2 + 3}")
        for k in range(4)
    ],
)


def _outline(centre: shapely.Point, rng: np.random.Generator) -> tuple[shapely.Polygon, float]:
    """A long-wall panel (GK metres) around ``centre``: 180-260 m wide, 900-1,600 m long."""
    width, length = rng.uniform(180, 260), rng.uniform(900, 1600)
    azimuth = float(rng.choice([0.0, 90.0]) + rng.uniform(-15, 15))
    box = shapely.box(
        centre.x - width / 2, centre.y - length / 2, centre.x + width / 2, centre.y + length / 2
    )
    return affinity.rotate(box, -azimuth, origin=centre), azimuth


def faces_frame(zones: gpd.GeoDataFrame, grid_crs: str) -> gpd.GeoDataFrame:
    """The sample faces, placed by the sample zones of 沛县 (``zones`` in lon/lat)."""
    rng = np.random.default_rng(SEED)
    anchors = reproject(zones.geometry.representative_point().to_numpy(), STORE_CRS, grid_crs)
    rows, outlines = [], []
    for k, (status, start, end, mine) in enumerate(_PLAN):
        anchor = anchors[(7 * k) % len(anchors)]
        offset = {"finished": 0.0, "active": 900.0, "planned": 2600.0}[status]
        centre = shapely.Point(anchor.x + offset, anchor.y + offset / 2)
        outline, azimuth = _outline(centre, rng)
        outlines.append(outline)
        rows.append(
            {
                "face_id": f"GZM-{k + 1:02d}",
                "name": f"示例工作面{k + 1:02d}",
                "mine": mine,
                "seam": "7号煤",
                "height_m": round(float(rng.uniform(2.5, 4.5)), 2),
                "depth_m": round(float(rng.uniform(380, 650))),
                "dip_deg": round(float(rng.uniform(4, 14)), 1),
                "advance_azimuth_deg": round(azimuth % 360, 1),
                "dip_azimuth_deg": None,
                "start_on": start.isoformat(),
                "end_on": end.isoformat(),
                "status": status,
                "backfill_ratio": 0.5 if k == 5 else None,
            }
        )
    geoms = reproject(np.array(outlines, dtype=object), grid_crs, STORE_CRS)
    return gpd.GeoDataFrame(rows, geometry=list(geoms), crs=STORE_CRS)


def _lines(face_row: dict, outline_gk: shapely.Polygon) -> list[shapely.Point]:
    """A survey line along the face's advance and one across it, 50 m apart, reaching beyond it."""
    c = outline_gk.centroid
    a = np.radians(face_row["advance_azimuth_deg"])
    along = [(c.x + d * np.sin(a), c.y + d * np.cos(a)) for d in np.arange(-1100, 1101, 100.0)]
    across = [(c.x + d * np.cos(a), c.y - d * np.sin(a)) for d in np.arange(-600, 601, 100.0)]
    return [shapely.Point(p) for p in along + across]


def points_and_observations(
    faces: gpd.GeoDataFrame, grid_crs: str
) -> tuple[gpd.GeoDataFrame, list[ObservationRow]]:
    """Survey points over the active faces and two finished ones, and their quarterly observations."""
    rng = np.random.default_rng(SEED + 1)
    config = prediction_config()
    all_faces = faces_from_frame(faces, grid_crs)
    panels, c_for = panels_for(all_faces, config)
    rows: list[dict] = []
    pts: list[shapely.Point] = []
    obs: list[ObservationRow] = []
    watched = [i for i, s in enumerate(faces["status"]) if s == "active"] + [0, 1]
    for i in watched:
        record = faces.iloc[i]
        for j, p in enumerate(_lines(record.to_dict(), all_faces[i].outline)):
            pid = f"{record['face_id']}-{j + 1:02d}"
            rows.append(
                {
                    "point_id": pid,
                    "line": f"{record['face_id']}观测线",
                    "kind": "levelling",
                    "face_id": record["face_id"],
                }
            )
            pts.append(p)
    xy = np.array([(p.x, p.y) for p in pts])
    for day in SURVEY_DATES:
        mm = 1000.0 * subsidence_at(panels, xy[:, 0], xy[:, 1], day, c_for)
        noisy = mm + rng.normal(0.0, 3.0, size=mm.size)
        obs.extend(
            ObservationRow(r["point_id"], day.isoformat(), round(float(v), 1))
            for r, v in zip(rows, noisy, strict=True)
        )
    lonlat = reproject(np.array(pts, dtype=object), grid_crs, STORE_CRS)
    return gpd.GeoDataFrame(rows, geometry=list(lonlat), crs=STORE_CRS), obs


def add_sample_prediction(store: Store, zones: gpd.GeoDataFrame, *, by: str) -> None:
    """Write the sample faces, points and observations (inside the caller's transaction)."""
    grid_crs = prediction_config().gk_epsg
    district_zones = zones[zones["zone_id"].str.contains(f"-{DISTRICT}-")]
    faces = faces_frame(district_zones, grid_crs)
    points, obs = points_and_observations(faces, grid_crs)
    for layer, frame, key in (("working_faces", faces, "face_id"), ("monitoring_points", points, "point_id")):
        records = frame.drop(columns="geometry").to_dict("records")
        store.write_features(
            layer,
            [NewFeature(str(r[key]), g, r, RECORDED) for r, g in zip(records, frame.geometry, strict=True)],
            by=by,
            source="sample",
        )
    store.record_observations(obs, by=by, source="sample")
