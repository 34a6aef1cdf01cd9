"""Upload settings from ``config/validation.toml``: size and zip caps, legacy datum parameters.

The readers and the validation checks share one file, so an administrator tunes an upload's
limits in one place; this module is its one reader (the checks take their section from here).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from ..config import load_config
from ..crs import LEGACY_DATUMS

MB = 1024 * 1024


@dataclass(frozen=True)
class ZipLimits:
    max_unpacked_bytes: int
    max_ratio: float
    max_entries: int


@dataclass(frozen=True)
class UploadSettings:
    max_upload_bytes: int
    zip: ZipLimits
    legacy_towgs84: dict[str, tuple[float, ...]]  # datum → parameters; a datum not here is refused


@cache
def config() -> dict:
    """The raw ``config/validation.toml``."""
    return load_config("validation.toml")


@cache
def upload_settings() -> UploadSettings:
    raw = config()
    zipped = raw["zip"]
    return UploadSettings(
        max_upload_bytes=int(raw["upload"]["max_mb"] * MB),
        zip=ZipLimits(
            max_unpacked_bytes=int(zipped["max_unpacked_mb"] * MB),
            max_ratio=float(zipped["max_ratio"]),
            max_entries=int(zipped["max_entries"]),
        ),
        legacy_towgs84=legacy_parameters(raw.get("legacy_datums", {})),
    )


def legacy_parameters(table: dict) -> dict[str, tuple[float, ...]]:
    """Configured towgs84 parameters by datum; a malformed entry stops the program, not an upload."""
    out = {}
    for datum, params in table.items():
        if datum not in LEGACY_DATUMS or len(params) not in (3, 7):
            raise ValueError(
                f"config/validation.toml [legacy_datums] {datum}: 3 or 7 numbers for {LEGACY_DATUMS}"
            )
        out[datum] = tuple(float(v) for v in params)
    return out
