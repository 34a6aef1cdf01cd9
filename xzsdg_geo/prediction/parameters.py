"""Prediction parameters per mine (``config/prediction.toml``), with documented defaults.

The defaults are those published for thick loose overburden over the Carboniferous-Permian coal of
the Xuzhou-Huaibei field (q close to or above 0.9 because the alluvium compacts; tan β about 2;
θ = 90° - 0.68·α; s/H small), and the Knothe time coefficient for a movement that is mostly done
within two years of extraction. A mine's own fitted values (``xzsdg fit-parameters``) replace them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from functools import cache

from ..config import load_config
from ..errors import UserError


@dataclass(frozen=True)
class Parameters:
    """Probability-integral parameters of one mine."""

    q: float  # subsidence factor: W0 = m · q · cos α
    tan_beta: float  # tangent of the major influence angle: r = H / tan β
    b: float  # horizontal displacement factor (kept for completeness; subsidence does not use it)
    theta_k: float  # propagation angle θ = 90° - theta_k · α (degrees)
    s_over_h: float  # inflection-point offset s as a share of the depth H
    knothe_c: float  # Knothe time coefficient, per year

    def radius(self, depth_m: float) -> float:
        return depth_m / self.tan_beta

    def theta_deg(self, dip_deg: float) -> float:
        return 90.0 - self.theta_k * dip_deg

    def offset(self, depth_m: float) -> float:
        return self.s_over_h * depth_m

    def shift(self, depth_m: float, dip_deg: float) -> float:
        """How far the basin moves down-dip: H · cot θ (zero for a flat seam)."""
        return depth_m / math.tan(math.radians(self.theta_deg(dip_deg)))

    def with_values(self, **values: float) -> Parameters:
        return replace(self, **values)


@dataclass(frozen=True)
class Thresholds:
    """Where a basin's subsidence starts to count, in metres."""

    influence_m: float  # the boundary of the basin (10 mm in the standard practice)
    severity_m: dict[str, float]  # subsidence_zones severity code -> lower bound


@dataclass(frozen=True)
class Stability:
    """The end-of-movement criterion: at most ``max_mm`` over the last ``months`` months."""

    months: int
    max_mm: float
    max_gap_days: int  # the latest observation may be this old: an older one says nothing of today


@dataclass(frozen=True)
class ZoneStyle:
    """How predicted zones are drawn: colours by severity code, and the boundary of influence."""

    colors: dict[str, str]
    fill_opacity: float
    influence_color: str


@dataclass(frozen=True)
class PredictionConfig:
    default: Parameters
    mines: dict[str, Parameters]
    thresholds: Thresholds
    stability: Stability
    cell_m: float  # raster cell size
    gk_epsg: str  # the CGCS2000 3° Gauss-Krüger zone the basin is computed in
    style: ZoneStyle

    def for_mine(self, mine: str | None) -> Parameters:
        return self.mines.get(mine or "", self.default)


_PARAM_KEYS = {f.name for f in fields(Parameters)}


def _parameters(raw: dict, base: Parameters | None, where: str) -> Parameters:
    unknown = set(raw) - _PARAM_KEYS
    if unknown:
        raise UserError("predict.config_unknown", where=where, keys=", ".join(sorted(unknown)))
    if base is None:
        missing = _PARAM_KEYS - set(raw)
        if missing:
            raise UserError("predict.config_missing", where=where, keys=", ".join(sorted(missing)))
        return Parameters(**{k: float(v) for k, v in raw.items()})
    return base.with_values(**{k: float(v) for k, v in raw.items()})


@cache
def prediction_config() -> PredictionConfig:
    raw = load_config("prediction.toml")
    default = _parameters(raw["default"], None, "[default]")
    mines = {name: _parameters(v, default, f"[mines.{name}]") for name, v in raw.get("mines", {}).items()}
    th = raw["thresholds"]
    return PredictionConfig(
        default=default,
        mines=mines,
        thresholds=Thresholds(float(th["influence_m"]), {k: float(v) for k, v in th["severity_m"].items()}),
        stability=Stability(
            int(raw["stability"]["months"]),
            float(raw["stability"]["max_mm"]),
            int(raw["stability"]["max_gap_days"]),
        ),
        cell_m=float(raw["grid"]["cell_m"]),
        gk_epsg=str(raw["grid"]["crs"]),
        style=ZoneStyle(
            dict(raw["style"]["colors"]),
            float(raw["style"]["fill_opacity"]),
            str(raw["style"]["influence_color"]),
        ),
    )
