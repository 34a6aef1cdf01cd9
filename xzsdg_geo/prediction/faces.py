"""The store's working faces as prediction inputs, in the grid's Gauss-Krüger metres."""

from __future__ import annotations

import datetime as dt
import math

import geopandas as gpd
import numpy as np

from ..geo import STORE_CRS, reproject
from .panels import Face, Panel, panel
from .parameters import PredictionConfig

LAYER = "working_faces"


def _empty(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def _optional(value: object) -> float | None:
    return None if _empty(value) else float(value)  # type: ignore[arg-type]


def _number(value: object, default: float) -> float:
    number = _optional(value)
    return default if number is None else number


def _date(value: object) -> dt.date | None:
    if _empty(value):
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def faces_from_frame(frame: gpd.GeoDataFrame, grid_crs: str) -> list[Face]:
    """Faces of a ``working_faces`` frame (lon/lat), outlines moved to ``grid_crs``."""
    outlines = reproject(np.asarray(frame.geometry.values, dtype=object), STORE_CRS, grid_crs)
    faces = []
    for record, outline in zip(frame.drop(columns="geometry").to_dict("records"), outlines, strict=True):
        faces.append(
            Face(
                face_id=str(record["face_id"]),
                outline=outline,
                height_m=float(record["height_m"]),
                depth_m=float(record["depth_m"]),
                dip_deg=_number(record.get("dip_deg"), 0.0),
                advance_azimuth_deg=_number(record.get("advance_azimuth_deg"), 0.0),
                dip_azimuth_deg=_optional(record.get("dip_azimuth_deg")),
                start=_date(record.get("start_on")),
                end=_date(record.get("end_on")),
                backfill=_number(record.get("backfill_ratio"), 0.0),
                mine=record.get("mine"),
            )
        )
    return faces


def panels_for(faces: list[Face], config: PredictionConfig) -> tuple[list[Panel], dict[str, float]]:
    """Each face's panel with its mine's parameters, and each face's Knothe coefficient."""
    panels, c_for = [], {}
    for face in faces:
        params = config.for_mine(face.mine)
        p = panel(face, params)
        if p is not None:
            panels.append(p)
            c_for[face.face_id] = params.knothe_c
    return panels, c_for
