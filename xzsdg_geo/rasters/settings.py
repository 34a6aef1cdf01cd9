"""Thresholds and class codes of the raster checks, from ``config/rasters.toml``, typed and checked.

Every check takes its rules as an argument (default: this file's), so a test or a what-if can vary one
threshold without touching the configuration.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from ..config import load_config
from ..layers import get_layer

SIGNALS = ("ndvi", "water")
TESTS = ("rise", "after")


@dataclass(frozen=True)
class Rule:
    """How one measure is judged: on which signal, by which value, against which thresholds."""

    signal: str  # one of SIGNALS
    test: str  # one of TESTS
    verified_at: float
    contradicted_at: float


@dataclass(frozen=True)
class RasterRules:
    in_store_max_bytes: int
    cache_bytes: int
    before_days: int
    after_days: int
    ndvi_months: tuple[int, ...]
    min_valid_share: float
    min_pixels: float
    excluded: tuple[str, ...]
    rules: dict[str, Rule]  # measure code → rule
    forest_classes: tuple[int, ...]
    forest_target_pct: float


def _rule(measure: str, raw: dict) -> Rule:
    rule = Rule(raw["signal"], raw["test"], float(raw["verified_at"]), float(raw["contradicted_at"]))
    if rule.signal not in SIGNALS or rule.test not in TESTS:
        raise ValueError(f"rasters.toml: verdicts.{measure} needs signal in {SIGNALS} and test in {TESTS}")
    if rule.contradicted_at >= rule.verified_at:
        raise ValueError(f"rasters.toml: verdicts.{measure}.contradicted_at must be below verified_at")
    return rule


def parse_rules(raw: dict) -> RasterRules:
    verdicts = dict(raw["verdicts"])
    excluded = tuple(verdicts.pop("excluded"))
    rules = {measure: _rule(measure, table) for measure, table in verdicts.items()}
    measures = {v.code for v in get_layer("restoration_parcels").field("measure").values}
    if set(rules) | set(excluded) != measures or set(rules) & set(excluded):
        raise ValueError(f"rasters.toml: each measure of {sorted(measures)} needs a rule or to be excluded")
    return RasterRules(
        in_store_max_bytes=int(float(raw["storage"]["in_store_max_mb"]) * 2**20),
        cache_bytes=int(float(raw["reading"]["cache_mb"]) * 2**20),
        before_days=int(raw["timing"]["before_days"]),
        after_days=int(raw["timing"]["after_days"]),
        ndvi_months=tuple(int(m) for m in raw["timing"]["ndvi_months"]),
        min_valid_share=float(raw["coverage"]["min_valid_share"]),
        min_pixels=float(raw["coverage"]["min_pixels"]),
        excluded=excluded,
        rules=rules,
        forest_classes=tuple(int(c) for c in raw["landcover"]["forest_classes"]),
        forest_target_pct=float(raw["forest_cover"]["target_pct"]),
    )


@cache
def raster_rules() -> RasterRules:
    return parse_rules(load_config("rasters.toml"))
