"""Settings and targets from ``config/*.toml``, typed."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .paths import CONFIG_DIR, ROOT


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


def _read(name: str) -> dict:
    return tomllib.loads((CONFIG_DIR / name).read_text(encoding="utf-8"))


@cache
def targets() -> Targets:
    raw = _read("targets.toml")
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
    raw = _read("settings.toml")
    return Settings(
        area_proj=raw["area"]["proj"],
        pace_years=int(raw["rates"]["pace_years"]),
        default_store=raw["store"]["default"],
        auth=AuthSettings(**raw["auth"]),
        review=ReviewSettings(**raw.get("review", {})),
    )


def store_location(explicit: str | None = None) -> str:
    """``--store`` if given, else ``XZSDG_STORE``, else the configured default under the repo."""
    location = explicit or os.environ.get("XZSDG_STORE") or settings().default_store
    if "://" in location or Path(location).is_absolute():
        return location
    return str(Path(location) if explicit or os.environ.get("XZSDG_STORE") else ROOT / location)
