"""矿籍 meets 地籍: predicted subsidence of the working faces, 稳沉 of the zones, and the rate effect.

The use cases behind ``xzsdg predict``, ``stability``, ``fit-parameters``, ``observations add`` and the
预测 page. Faces, points and zones are read from the store as they are now; the basin is computed for a
real-world date (Knothe time course), so a date to 2030 shows where the ground is still to sink.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from io import StringIO
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import UserError
from ..geo import STORE_CRS, reproject
from ..prediction.basin import Grid, basin_on_grid
from ..prediction.faces import LAYER as FACES
from ..prediction.faces import faces_from_frame, panels_for
from ..prediction.fit import Fit, Sample, fit_parameters
from ..prediction.ground import MAX_CELLS, POINTS, grid_for, ground
from ..prediction.panels import Face, Panel
from ..prediction.parameters import PredictionConfig, prediction_config
from ..prediction.stability import PointStability, Verdict
from ..prediction.zones import (
    Comparison,
    SeverityZone,
    compare,
    contour_polygons,
    new_ha_by_district,
    severity_zones,
    write_basin,
)
from ..rates import compute_rates
from ..store import Store
from ..store.base import ObservationRow
from ..when import When
from .auth import Permission, Principal, administrator_name


@dataclass(frozen=True)
class Prediction:
    on: dt.date | None  # None: the final basin, all movement over
    grid: Grid
    grid_crs: str
    basin_m: np.ndarray
    panels: list[Panel]
    zones: list[SeverityZone]  # by severity, lightest first
    influence: shapely.Geometry  # lon/lat: the basin's 10 mm boundary of influence
    comparison: Comparison | None
    skipped: list[str] = field(default_factory=list)  # faces too narrow to subside (after the offset s)

    @property
    def max_mm(self) -> float:
        return float(self.basin_m.max(initial=0.0)) * 1000.0

    @property
    def zone(self) -> shapely.Geometry:
        """The predicted subsidence zone: everything at or above the lightest severity's bound."""
        return shapely.union_all([z.geometry for z in self.zones])


def _faces(store: Store, face_ids: list[str] | None, config: PredictionConfig) -> list[Face]:
    frame = store.features(FACES)
    if face_ids:
        missing = sorted(set(face_ids) - set(frame["face_id"]))
        if missing:
            raise UserError("predict.unknown_faces", faces=", ".join(missing))
        frame = frame[frame["face_id"].isin(face_ids)]
    if frame.empty:
        raise UserError("predict.no_faces")
    return faces_from_frame(frame, config.gk_epsg)


def _grid(panels: list[Panel], cell_m: float) -> Grid:
    grid = grid_for(panels, cell_m)
    if grid is None:
        raise UserError("predict.grid_too_large", limit=f"{MAX_CELLS:,}", cell=cell_m)
    return grid


def predict(
    store: Store, on: dt.date | None, *, face_ids: list[str] | None = None, cell_m: float | None = None
) -> Prediction:
    """The superposed basin of the faces (all, or those named) at ``on``, with its zones."""
    config = prediction_config()
    faces = _faces(store, face_ids, config)
    panels, c_for = panels_for(faces, config)
    if not panels:
        raise UserError("predict.no_panels")
    grid = _grid(panels, cell_m or config.cell_m)
    basin = basin_on_grid(grid, panels, on, c_for)
    zones = severity_zones(grid, basin, config.thresholds.severity_m, config.gk_epsg)
    extent = reproject(
        np.array(
            [
                shapely.box(
                    grid.west,
                    grid.north - grid.height * grid.cell,
                    grid.west + grid.width * grid.cell,
                    grid.north,
                )
            ],
            dtype=object,
        ),
        config.gk_epsg,
        STORE_CRS,
    )[0]
    surveyed = store.features("subsidence_zones", fields=()).geometry.to_numpy()
    skipped = sorted({f.face_id for f in faces} - {p.face.face_id for p in panels})
    influence = contour_polygons(grid, basin, config.thresholds.influence_m, config.gk_epsg)
    prediction = Prediction(on, grid, config.gk_epsg, basin, panels, zones, influence, None, skipped)
    return replace(prediction, comparison=compare(prediction.zone, surveyed, extent))


def write_raster(prediction: Prediction, path: Path) -> None:
    """The basin as a GeoTIFF: float32 millimetres in the grid's Gauss-Krüger CRS, DEFLATE-compressed."""
    write_basin(path, prediction.grid, prediction.basin_m, prediction.grid_crs, prediction.on)


def zones_frame(prediction: Prediction) -> gpd.GeoDataFrame:
    rows = [
        {
            "severity": z.severity,
            "area_ha": z.area_ha,
            "date": prediction.on.isoformat() if prediction.on else None,
        }
        for z in prediction.zones
    ]
    return gpd.GeoDataFrame(rows, geometry=[z.geometry for z in prediction.zones], crs=STORE_CRS)


def influence_frame(prediction: Prediction) -> gpd.GeoDataFrame:
    day = prediction.on.isoformat() if prediction.on else None
    return gpd.GeoDataFrame(
        [{"threshold_mm": prediction_config().thresholds.influence_m * 1000, "date": day}],
        geometry=[prediction.influence],
        crs=STORE_CRS,
    )


def write_zones(prediction: Prediction, path: Path) -> None:
    """The predicted zones by severity, and the 10 mm boundary of influence, as two layers."""
    zones_frame(prediction).to_file(path, driver="GPKG", layer="predicted_zones")
    influence_frame(prediction).to_file(path, driver="GPKG", layer="influence_boundary", mode="a")


@dataclass(frozen=True)
class DistrictEffect:
    adcode: str
    name: str
    zone_ha: float
    restored_ha: float
    new_ha: float
    rate_pct: float | None  # as things stand
    rate_with_new_pct: float | None  # with the predicted new subsidence in the denominator


def rate_consequence(store: Store, prediction: Prediction, year: int) -> list[DistrictEffect]:
    """Each district's rate at the end of ``year`` with the predicted new subsidence added."""
    report = compute_rates(store, When(dt.date(year, 12, 31)))
    districts = store.features("districts")
    surveyed = store.features("subsidence_zones", fields=()).geometry.to_numpy()
    new = new_ha_by_district(prediction.zone, surveyed, districts.geometry.to_numpy())
    by_code = dict(zip(districts["adcode"], new, strict=True))
    effects = []
    for d in report.districts:
        n = float(by_code.get(d.adcode, 0.0))
        total = d.zone_ha + n
        effects.append(
            DistrictEffect(
                d.adcode,
                d.name,
                d.zone_ha,
                d.restored_ha,
                n,
                d.rate_pct,
                100.0 * d.restored_ha / total if total > 0 else None,
            )
        )
    return effects


# -- 稳沉 ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ZoneStability:
    zone_id: str
    name: str
    verdict: Verdict
    points: int
    under_faces: bool  # an active or planned face's influence reaches it: it will move again


@dataclass(frozen=True)
class StabilityReport:
    on: dt.date
    points: list[PointStability]
    zones: list[ZoneStability]
    planned_on_unstable: list[str]  # planned / in-progress parcels on moving or undermined ground
    restored_over_faces: list[str]  # completed parcels within an active or planned face's influence


def stability(store: Store, on: dt.date) -> StabilityReport:
    """Verdicts per monitoring point and per zone at ``on``, and the parcels to look at again."""
    state = ground(store, on, prediction_config())
    parcels = store.features("restoration_parcels", fields=("parcel_id", "status"))
    planned = parcels[parcels["status"].isin(["planned", "in_progress"])]
    done = parcels[parcels["status"] == "completed"]
    return StabilityReport(
        on,
        state.points,
        [ZoneStability(z.zone_id, z.name, z.verdict, z.points, z.under_faces) for z in state.zones],
        sorted(planned[planned.geometry.intersects(state.unstable)]["parcel_id"]),
        sorted(done[done.geometry.intersects(state.influence)]["parcel_id"]),
    )


# -- parameter inversion ---------------------------------------------------------------------------
def fit_face(store: Store, face_id: str) -> Fit:
    """q, tan β, s/H (and c) fitted to the observations of the face's monitoring points."""
    config = prediction_config()
    (face,) = _faces(store, [face_id], config)
    points = store.features(POINTS)
    points = points[points["face_id"] == face_id]
    if points.empty:
        raise UserError("predict.fit_no_points", face=face_id)
    xy = reproject(points.geometry.to_numpy(), STORE_CRS, config.gk_epsg)
    where = {pid: (g.x, g.y) for pid, g in zip(points["point_id"], xy, strict=True)}
    samples = [
        Sample(*where[o.point_id], dt.date.fromisoformat(o.observed_on), o.subsidence_mm)
        for o in store.observations(list(where))
    ]
    if len(samples) < 8:
        raise UserError("predict.fit_too_few", face=face_id, n=len(samples))
    return fit_parameters(face, samples, config.for_mine(face.mine))


# -- observations ----------------------------------------------------------------------------------
_ALIASES = {
    "point_id": ("point_id", "点号", "观测点号", "点名"),
    "observed_on": ("observed_on", "date", "日期", "观测日期"),
    "subsidence_mm": ("subsidence_mm", "累计下沉(mm)", "累计下沉（mm）", "累计下沉", "下沉量(mm)", "下沉量"),
}
MAX_OBSERVATION_ROWS = 1_000_000


def _table(path: Path) -> pd.DataFrame:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return pd.read_excel(path, dtype=str, nrows=MAX_OBSERVATION_ROWS + 1)
    if path.suffix.lower() in (".csv", ".txt"):
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise UserError("observations.encoding", file=path.name)
        return pd.read_csv(StringIO(text), dtype=str, nrows=MAX_OBSERVATION_ROWS + 1)
    raise UserError("observations.format", file=path.name)


def _column(frame: pd.DataFrame, key: str, path: Path) -> pd.Series:
    for name in frame.columns:
        if str(name).strip() in _ALIASES[key]:
            return frame[name]
    raise UserError("observations.missing_column", file=path.name, column="/".join(_ALIASES[key][1:3]))


def _day(text: str) -> dt.date:
    """An ISO date, whole; Excel's dates arrive as ``2026-01-15 00:00:00`` and are taken as that day."""
    text = text.strip()
    if len(text) == 19 and text.endswith(" 00:00:00"):
        text = text[:10]
    if len(text) != 10:
        raise ValueError(text)
    return dt.date.fromisoformat(text)


def parse_observations(path: Path, known_points: set[str]) -> list[ObservationRow]:
    """Rows of a CSV/xlsx of observations, strictly: every value parsed whole, every point known."""
    frame = _table(path)
    if len(frame) > MAX_OBSERVATION_ROWS:
        raise UserError("observations.too_many", file=path.name, limit=MAX_OBSERVATION_ROWS)
    ids, days, mm = (_column(frame, k, path) for k in ("point_id", "observed_on", "subsidence_mm"))
    rows = []
    for line, (pid, day, value) in enumerate(zip(ids, days, mm, strict=True), start=2):
        pid = str(pid).strip()
        if pid not in known_points:
            raise UserError("observations.unknown_point", file=path.name, line=line, point=pid)
        try:
            when, number = _day(str(day)), float(str(value).strip())
        except ValueError:
            raise UserError("observations.bad_value", file=path.name, line=line) from None
        if not np.isfinite(number) or abs(number) > 50_000:
            raise UserError("observations.bad_value", file=path.name, line=line)
        rows.append(ObservationRow(pid, when.isoformat(), number))
    return rows


def add_observations(store: Store, path: Path, *, actor: Principal | None) -> int:
    """Record a file of observations (an administrative act, like ``import``); returns rows written."""
    by = administrator_name(actor, Permission.IMPORT)
    known = set(store.features(POINTS, fields=())["feature_id"])
    rows = parse_observations(path, known)
    return store.record_observations(rows, by=by, source=f"file:{path.name}")
