"""Rules and targets of the progress metrics, from ``config/progress.toml``, typed and checked.

Every metric takes its rules as an argument (default: this file's), so a test or a what-if can vary
one distance without touching the configuration.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from ..config import load_config
from ..layers import get_layer

DISTANCE_METHODS = ("geodesic", "equal_area")
LEVELS = ("low", "medium", "high")


@dataclass(frozen=True)
class BuiltUpRules:
    adcodes: tuple[str, ...]
    buffer_m: float
    distance: str  # one of DISTANCE_METHODS


@dataclass(frozen=True)
class QuarryRules:
    near_city_m: float
    threat_distance_m: float
    major_threat_people: int
    major_threat_property_wan: float
    hazard_levels: dict[str, tuple[str, str, str]]  # hazard type → level for threat none/minor/major
    risk_weights: dict[str, float]  # level → weight


@dataclass(frozen=True)
class RiverRules:
    target_accepted: int
    target_year: int
    good_classes: tuple[str, ...]
    good_share_pct: dict[int, float]

    def good_share_target(self, year: int) -> float | None:
        """The target in force for ``year``: the last one set at or before it."""
        years = [y for y in self.good_share_pct if y <= year]
        return self.good_share_pct[max(years)] if years else None


@dataclass(frozen=True)
class BufferRules:
    target_year: int
    at_risk_margin_pct: float
    default_start: dt.date


@dataclass(frozen=True)
class ProgressRules:
    built_up: BuiltUpRules
    quarries: QuarryRules
    rivers: RiverRules
    buffers: BufferRules


def _quarry_rules(raw: dict) -> QuarryRules:
    hazard_types = {v.code for v in get_layer("quarries").field("hazard_type").values}
    levels = {k: tuple(v) for k, v in raw["hazard_levels"].items()}
    if set(levels) != hazard_types or any(len(v) != 3 or set(v) - set(LEVELS) for v in levels.values()):
        raise ValueError(
            f"progress.toml: quarries.hazard_levels needs {sorted(hazard_types)} × 3 of {LEVELS}"
        )
    weights = {k: float(v) for k, v in raw["risk_weights"].items()}
    if set(weights) != set(LEVELS):
        raise ValueError(f"progress.toml: quarries.risk_weights needs exactly {LEVELS}")
    return QuarryRules(
        near_city_m=float(raw["near_city_m"]),
        threat_distance_m=float(raw["threat_distance_m"]),
        major_threat_people=int(raw["major_threat_people"]),
        major_threat_property_wan=float(raw["major_threat_property_wan"]),
        hazard_levels=levels,
        risk_weights=weights,
    )


def parse_rules(raw: dict) -> ProgressRules:
    built = raw["built_up"]
    if built["distance"] not in DISTANCE_METHODS:
        raise ValueError(f"progress.toml: built_up.distance must be one of {DISTANCE_METHODS}")
    rivers, buffers = raw["river_segments"], raw["buffer_projects"]
    return ProgressRules(
        built_up=BuiltUpRules(tuple(built["adcodes"]), float(built["buffer_m"]), built["distance"]),
        quarries=_quarry_rules(raw["quarries"]),
        rivers=RiverRules(
            target_accepted=int(rivers["target_accepted"]),
            target_year=int(rivers["target_year"]),
            good_classes=tuple(rivers["good_classes"]),
            good_share_pct={int(y): float(v) for y, v in rivers.get("good_share_pct", {}).items()},
        ),
        buffers=BufferRules(
            target_year=int(buffers["target_year"]),
            at_risk_margin_pct=float(buffers["at_risk_margin_pct"]),
            default_start=buffers["default_start"],
        ),
    )


@cache
def progress_rules() -> ProgressRules:
    return parse_rules(load_config("progress.toml"))
