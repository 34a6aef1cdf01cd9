"""Working faces (工作面) as the prediction sees them: effective extracted areas in metres.

A face's outline is drawn in by the inflection-point offset s = (s/H)·H on every side and moved
down-dip by H·cot θ (inclined seams), its height reduced by the backfill ratio; what is left is the
area the influence function is integrated over, with W0 = m·(1 - backfill)·q·cos α. A face that is
(nearly) a rectangle is handled in its own frame, where the basin separates into two 1-D factors;
any other outline goes to the polygon quadrature.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely import affinity

from .parameters import Parameters

RECTANGLE_TOLERANCE = 1e-3  # area share by which an outline may differ from its bounding rectangle


@dataclass(frozen=True)
class Frame:
    """A rotated frame: u along the face's advance, v across it (metres, origin at the centroid)."""

    origin: tuple[float, float]
    azimuth_deg: float  # of the u axis, clockwise from grid north

    def to_local(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a = math.radians(self.azimuth_deg)
        dx, dy = x - self.origin[0], y - self.origin[1]
        # u along (sin a, cos a), v along (cos a, -sin a): azimuths are clockwise from north
        return dx * math.sin(a) + dy * math.cos(a), dx * math.cos(a) - dy * math.sin(a)


@dataclass(frozen=True)
class Face:
    """One working face's attributes, as stored in the ``working_faces`` layer."""

    face_id: str
    outline: shapely.Polygon | shapely.MultiPolygon  # in the grid CRS, metres
    height_m: float
    depth_m: float
    dip_deg: float = 0.0
    advance_azimuth_deg: float = 0.0
    dip_azimuth_deg: float | None = None  # default: 90° clockwise of the advance (a strike panel)
    start: dt.date | None = None
    end: dt.date | None = None
    backfill: float = 0.0
    mine: str | None = None


@dataclass(frozen=True)
class Panel:
    """A face ready for integration: its effective area, W0, r, and (if rectangular) its frame."""

    face: Face
    area: shapely.Polygon | shapely.MultiPolygon  # effective extracted area, metres
    w0_m: float
    r_m: float
    frame: Frame
    u_range: tuple[float, float] | None  # the rectangle in its frame; None for other outlines
    v_range: tuple[float, float] | None

    @property
    def is_rectangle(self) -> bool:
        return self.u_range is not None

    def window(self) -> tuple[float, float, float, float]:
        """The bounds beyond which the panel's influence is negligible (see influence.WINDOW_RADII)."""
        from .influence import WINDOW_RADII

        minx, miny, maxx, maxy = self.area.bounds
        pad = WINDOW_RADII * self.r_m
        return minx - pad, miny - pad, maxx + pad, maxy + pad


def _down_dip(face: Face) -> float:
    return face.dip_azimuth_deg if face.dip_azimuth_deg is not None else face.advance_azimuth_deg + 90.0


def _shifted(outline: shapely.Geometry, face: Face, params: Parameters) -> shapely.Geometry:
    if face.dip_deg <= 0:
        return outline
    d = params.shift(face.depth_m, face.dip_deg)
    a = math.radians(_down_dip(face))
    return affinity.translate(outline, d * math.sin(a), d * math.cos(a))


def _rectangle(
    area: shapely.Geometry, frame: Frame
) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """The area's extent in its frame when it fills that extent (it is a rectangle there)."""
    xy = np.asarray(shapely.get_coordinates(area))
    u, v = frame.to_local(xy[:, 0], xy[:, 1])
    u_range, v_range = (float(u.min()), float(u.max())), (float(v.min()), float(v.max()))
    box = (u_range[1] - u_range[0]) * (v_range[1] - v_range[0])
    return (u_range, v_range) if box > 0 and abs(box - area.area) <= RECTANGLE_TOLERANCE * box else None


def _frame(outline: shapely.Geometry, face: Face) -> Frame:
    """The advance-direction frame; for an outline not aligned with it, the outline's own rectangle."""
    c = outline.centroid
    frame = Frame((c.x, c.y), face.advance_azimuth_deg)
    if _rectangle(outline, frame) is not None or not isinstance(outline, shapely.Polygon):
        return frame
    rect = np.asarray(shapely.minimum_rotated_rectangle(outline).exterior.coords)
    dx, dy = rect[1] - rect[0]
    return Frame((c.x, c.y), math.degrees(math.atan2(dx, dy)) % 180.0)


def panel(face: Face, params: Parameters) -> Panel | None:
    """The face's effective panel; None when nothing is left once drawn in by s (a narrow face)."""
    effective = _shifted(face.outline, face, params).buffer(-params.offset(face.depth_m), join_style="mitre")
    if effective.is_empty or effective.area <= 0:
        return None
    frame = _frame(effective, face)
    rect = _rectangle(effective, frame)
    w0 = face.height_m * (1.0 - face.backfill) * params.q * math.cos(math.radians(face.dip_deg))
    return Panel(
        face,
        effective,
        w0,
        params.radius(face.depth_m),
        frame,
        rect[0] if rect else None,
        rect[1] if rect else None,
    )
