"""Settings and targets from ``config/*.toml``, typed, and the one loader of every configuration file.

:func:`load_config` reads a file (``XZSDG_CONFIG_DIR``'s copy if it has one, else the bundled one)
and refuses a key the program does not read, with the file, the key and the keys allowed there: a
misspelt ``lockout_minuts`` would otherwise be silently ignored and the default kept. The keys each
file may hold are declared here, in :data:`KNOWN_KEYS`, beside the loader.
"""

from __future__ import annotations

import logging
import os
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from .errors import UserError
from .paths import WORK_DIR, config_path

LOGGER = logging.getLogger(__name__)

# A schema: a table's known keys, each a leaf (None, any value) or a nested table's schema; the key
# "*" stands for any other key, whose value follows the schema given for it.
Schema = dict[str, "Schema | None"]


def _leaves(*names: str) -> Schema:
    return dict.fromkeys(names)


ANY_KEYS: Schema = {"*": None}
KNOWN_KEYS: dict[str, Schema] = {
    "settings.toml": {
        "store": _leaves("default"),
        "area": _leaves("proj"),
        "rates": _leaves("pace_years"),
        "auth": _leaves(
            "max_failed_logins",
            "lockout_minutes",
            "session_hours",
            "demo_password",
            "min_password_length",
            "max_failed_per_client",
            "client_window_minutes",
        ),
        "review": _leaves("four_eyes", "match_overlap"),
    },
    "targets.toml": {
        "restoration_rate": {"city": ANY_KEYS, "districts": {"*": ANY_KEYS}},
        "plan": _leaves("final_year"),
    },
    "validation.toml": {
        "upload": _leaves("max_mb"),
        "zip": _leaves("max_unpacked_mb", "max_ratio", "max_entries"),
        "checks": _leaves(
            "max_vertices",
            "spike_edge_share",
            "spike_max_angle_deg",
            "inside_share",
            "inside_buffer_m",
            "repair_max_area_change",
            "declared_area_tolerance",
            "near_duplicate_iou",
            "near_duplicate_m",
            "overlap_min_share",
        ),
        "budgets": _leaves(
            "max_features",
            "max_vertices",
            "dxf_max_block_depth",
            "dxf_max_entities",
            "seconds",
            "memory_mb",
            "sql_seconds",
            "max_candidate_pairs",
        ),
        "overlap": {"counted": {"*": _leaves("field", "value")}},
        "legacy_datums": ANY_KEYS,
    },
    "progress.toml": {
        "built_up": _leaves("adcodes", "buffer_m", "distance"),
        "quarries": {
            **_leaves("near_city_m", "threat_distance_m", "major_threat_people", "major_threat_property_wan"),
            "hazard_levels": ANY_KEYS,
            "risk_weights": ANY_KEYS,
        },
        "river_segments": {
            **_leaves("target_accepted", "target_year", "good_classes"),
            "good_share_pct": ANY_KEYS,
        },
        "buffer_projects": _leaves("target_year", "at_risk_margin_pct", "default_start"),
    },
    "rasters.toml": {
        "storage": _leaves("in_store_max_mb"),
        "reading": _leaves("cache_mb"),
        "timing": _leaves("before_days", "after_days", "ndvi_months"),
        "coverage": _leaves("min_valid_share", "min_pixels"),
        "verdicts": {"excluded": None, "*": _leaves("signal", "test", "verified_at", "contradicted_at")},
        "landcover": _leaves("forest_classes"),
        "forest_cover": _leaves("target_pct"),
    },
    "prediction.toml": {
        "default": _leaves("q", "tan_beta", "b", "theta_k", "s_over_h", "knothe_c"),
        "mines": {"*": _leaves("q", "tan_beta", "b", "theta_k", "s_over_h", "knothe_c")},
        "thresholds": {**_leaves("influence_m"), "severity_m": ANY_KEYS},
        "stability": _leaves("months", "max_mm", "max_gap_days"),
        "grid": _leaves("crs", "cell_m"),
        "style": {**_leaves("fill_opacity", "influence_color"), "colors": ANY_KEYS},
    },
    "api.toml": {
        "server": _leaves("host", "port", "url", "cors_origins", "map_url", "map_attribution"),
        "paging": _leaves("default_items", "max_items"),
        "time_fields": ANY_KEYS,
        "published_rows": {"*": ANY_KEYS},
        "rates": _leaves("first_year"),
    },
    "basemaps.toml": {
        "default": None,
        "basemaps": {"*": _leaves("tiles", "subdomains", "max_zoom", "attribution", "key", "coords")},
    },
}


def _unknown_keys(table: dict[str, Any], schema: Schema, prefix: str = "") -> list[tuple[str, list[str]]]:
    """(dotted key, keys allowed beside it) for every key ``schema`` does not know."""
    found: list[tuple[str, list[str]]] = []
    for key, value in table.items():
        if key not in schema and "*" not in schema:
            found.append((prefix + key, sorted(k for k in schema if k != "*")))
            continue
        sub = schema.get(key, schema.get("*"))
        if isinstance(value, dict) and sub is not None:
            found += _unknown_keys(value, sub, f"{prefix}{key}.")
    return found


def load_config(name: str, path: Path | None = None) -> dict[str, Any]:
    """The configuration file ``name`` (or the file at ``path`` holding that kind of configuration),
    checked against :data:`KNOWN_KEYS`; a :class:`UserError` naming a misspelt or unknown key."""
    path = path or config_path(name)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError("pkg.config.missing", path=path) from None
    except tomllib.TOMLDecodeError as err:
        raise UserError("pkg.config.unparsable", path=path, error=str(err)) from None
    if unknown := _unknown_keys(raw, KNOWN_KEYS[name]):
        key, allowed = unknown[0]
        raise UserError("pkg.config.unknown_key", path=path, setting=key, allowed="、".join(allowed) or "—")
    LOGGER.debug("configuration %s read from %s", name, path)
    return raw


@dataclass(frozen=True)
class Targets:
    """Restoration-rate targets in percent, by year, for the city and per district."""

    city: dict[int, float]
    districts: dict[str, dict[int, float]]
    final_year: int

    def for_year(self, year: int, adcode: str | None = None) -> float | None:
        """The target in force for ``year``: the district override if any, else the city's."""
        table = self.districts.get(adcode, {}) if adcode else {}
        merged = {**self.city, **table}
        if year < min(merged):
            return None
        return merged[max(y for y in merged if y <= year)]

    @property
    def final(self) -> float:
        return self.city[self.final_year]


@dataclass(frozen=True)
class AuthSettings:
    max_failed_logins: int
    lockout_minutes: int
    session_hours: int
    demo_password: str
    min_password_length: int
    max_failed_per_client: int = 30  # failed sign-ins from one client within the window below
    client_window_minutes: int = 15


@dataclass(frozen=True)
class ReviewSettings:
    four_eyes: bool = True  # nobody approves their own submission, an administrator neither
    match_overlap: float = 0.9  # share of overlap that makes an ID-less feature a change of another


@dataclass(frozen=True)
class Settings:
    area_proj: str
    pace_years: int
    default_store: str
    auth: AuthSettings
    review: ReviewSettings = ReviewSettings()


@cache
def targets() -> Targets:
    raw = load_config("targets.toml")
    rate = raw["restoration_rate"]
    return Targets(
        city={int(y): float(v) for y, v in rate["city"].items()},
        districts={
            code: {int(y): float(v) for y, v in years.items()}
            for code, years in rate.get("districts", {}).items()
        },
        final_year=int(raw["plan"]["final_year"]),
    )


@cache
def settings() -> Settings:
    raw = load_config("settings.toml")
    return Settings(
        area_proj=raw["area"]["proj"],
        pace_years=int(raw["rates"]["pace_years"]),
        default_store=raw["store"]["default"],
        auth=AuthSettings(**raw["auth"]),
        review=ReviewSettings(**raw.get("review", {})),
    )


def store_location(explicit: str | None = None) -> str:
    """``--store`` if given, else ``XZSDG_STORE``, else the configured default under the working
    folder (the checkout, or the current directory of an installed package)."""
    location = explicit or os.environ.get("XZSDG_STORE") or settings().default_store
    if "://" in location or Path(location).is_absolute():
        return location
    return str(Path(location) if explicit or os.environ.get("XZSDG_STORE") else WORK_DIR / location)
