"""Check thresholds from ``config/validation.toml`` (read by :mod:`xzsdg_geo.readers.settings`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from ..readers.budgets import Budgets, configured
from ..readers.settings import UploadSettings, config, upload_settings


@dataclass(frozen=True)
class CountedGround:
    """Features of a layer whose ``field`` equals ``value`` are ground a rate already counts."""

    field: str
    value: str


@dataclass(frozen=True)
class CheckSettings:
    max_vertices: int
    spike_edge_share: float
    spike_max_angle_deg: float
    inside_share: float
    inside_buffer_m: float
    repair_max_area_change: float
    declared_area_tolerance: float
    near_duplicate_iou: float
    near_duplicate_m: float
    overlap_min_share: float
    counted: dict[str, CountedGround] = field(default_factory=dict)


@dataclass(frozen=True)
class ValidationSettings:
    upload: UploadSettings
    checks: CheckSettings
    budgets: Budgets = field(default_factory=configured)


@cache
def validation_settings() -> ValidationSettings:
    raw = config()
    counted = {layer: CountedGround(**c) for layer, c in raw.get("overlap", {}).get("counted", {}).items()}
    return ValidationSettings(upload_settings(), CheckSettings(**raw["checks"], counted=counted))
