"""Basemaps of the overview map, by configuration (``config/basemaps.toml``).

The default is none: on a government intranet no tile server answers, so the district outlines and
the lakes are the base and nothing is fetched. Online basemaps (Tianditu vector or imagery with
labels, OpenStreetMap, AMap/Gaode) are offered for networks that reach them. Tianditu needs a key,
read from ``.streamlit/secrets.toml`` (``[tianditu] key = "..."``); without one it is listed but not
available. AMap draws in GCJ-02, so the overlays are moved to GCJ-02 while it is on
(:func:`xzsdg_geo.mapping.map_layers` with ``gcj02=True``).

Free of streamlit: the app hands the secrets in, tests use a table of their own.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from .config import load_config
from .errors import UserError
from .i18n import t
from .paths import config_path

CONFIG_FILE = config_path("basemaps.toml")
NONE = "none"
COORDS = ("wgs84", "gcj02")
_DEFAULT_LINE = re.compile(r'^default\s*=\s*"[^"\n]*"', re.MULTILINE)

Secrets = Mapping[str, Mapping[str, object]]  # section -> its keys, as in secrets.toml


@dataclass(frozen=True)
class Tiles:
    """A basemap ready to draw: its URL templates with the key filled in."""

    urls: tuple[str, ...]
    subdomains: str
    max_zoom: int
    attribution: str
    gcj02: bool


@dataclass(frozen=True)
class Basemap:
    name: str
    tiles: tuple[str, ...]  # URL templates, base first; none for the default base
    subdomains: str
    max_zoom: int
    attribution: str
    key: str | None  # the secrets.toml section holding the key, if one is needed
    gcj02: bool

    @property
    def online(self) -> bool:
        return bool(self.tiles)

    def title(self, lang: str = "zh") -> str:
        return t(f"basemap.{self.name}", lang)

    def key_in(self, secrets: Secrets) -> str | None:
        """The key ``secrets`` hold for this basemap; ``None`` when it needs one and none is set."""
        if self.key is None:
            return None
        value = (secrets.get(self.key) or {}).get("key")
        return (str(value).strip() or None) if value is not None else None

    def available(self, secrets: Secrets) -> bool:
        return self.key is None or self.key_in(secrets) is not None

    def resolve(self, secrets: Secrets) -> Tiles | None:
        """What the map draws: ``None`` for no basemap; a :class:`UserError` when the key is missing."""
        if not self.online:
            return None
        if not self.available(secrets):
            raise UserError("basemap.no_key", basemap=self.title(), section=self.key)
        key = quote(self.key_in(secrets) or "", safe="")
        urls = tuple(url.replace("{key}", key) for url in self.tiles)
        return Tiles(urls, self.subdomains, self.max_zoom, self.attribution, self.gcj02)


@dataclass(frozen=True)
class BasemapConfig:
    default: str
    basemaps: dict[str, Basemap]

    def get(self, name: str | None) -> Basemap:
        """The basemap ``name``; the configured default for ``None`` or a name no longer configured."""
        return self.basemaps.get(name or self.default) or self.basemaps[self.default]

    def default_for(self, secrets: Secrets) -> Basemap:
        """The configured default, or none when it needs a key that is not set."""
        chosen = self.basemaps[self.default]
        return chosen if chosen.available(secrets) else self.basemaps[NONE]


def _basemap(name: str, raw: dict, path: Path) -> Basemap:
    coords = raw.get("coords", "wgs84")
    if coords not in COORDS:
        raise ValueError(f"{path}: basemaps.{name}.coords must be one of {COORDS}")
    tiles = tuple(raw.get("tiles", ()))
    if any("{key}" in url for url in tiles) and not raw.get("key"):
        raise ValueError(f"{path}: basemaps.{name} uses {{key}} but names no secrets section (key = ...)")
    return Basemap(
        name=name,
        tiles=tiles,
        subdomains=str(raw.get("subdomains", "abc")),
        max_zoom=int(raw.get("max_zoom", 18)),
        attribution=str(raw.get("attribution", "")),
        key=raw.get("key"),
        gcj02=coords == "gcj02",
    )


def load(path: Path | None = None) -> BasemapConfig:
    """The configured basemaps (``config/basemaps.toml`` unless ``path`` is given); read on each call
    (a small file an administrator may change)."""
    path = path or CONFIG_FILE
    raw = load_config("basemaps.toml", path)
    basemaps = {name: _basemap(name, spec, path) for name, spec in raw.get("basemaps", {}).items()}
    if NONE not in basemaps or basemaps[NONE].online:
        raise ValueError(f"{path}: basemaps.{NONE} (no tiles) must be configured")
    default = raw.get("default", NONE)
    if default not in basemaps:
        raise ValueError(f"{path}: default = {default!r} is not among the basemaps {sorted(basemaps)}")
    return BasemapConfig(default, basemaps)


def save_default(name: str, path: Path | None = None) -> None:
    """Make ``name`` the basemap the overview opens with, keeping the file's comments and layout."""
    path = path or CONFIG_FILE
    config = load(path)
    if name not in config.basemaps:
        raise UserError("basemap.unknown", name=name, known="、".join(config.basemaps))
    text = path.read_text(encoding="utf-8")
    line = f'default = "{name}"'
    text = _DEFAULT_LINE.sub(line, text, count=1) if _DEFAULT_LINE.search(text) else f"{line}\n{text}"
    try:
        _replace(path, text)
    except OSError as err:
        raise UserError("basemap.save_failed", path=str(path), reason=err.strerror or str(err)) from err


def _replace(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` in one step: a reader sees the old file or the new, never half."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
