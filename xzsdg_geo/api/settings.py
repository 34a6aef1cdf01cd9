"""The API's settings, from config/api.toml (read as the project's other config files are)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from ..config import load_config
from ..layers import all_layers

CONFIG_FILE = "api.toml"


@dataclass(frozen=True)
class ApiSettings:
    host: str
    port: int
    url: str  # what clients use; empty: http://host:port
    cors_origins: tuple[str, ...]
    map_url: str
    map_attribution: str
    default_items: int
    max_items: int
    time_fields: dict[str, str]  # layer -> the date field `datetime` filters on
    published_rows: dict[str, dict[str, str]]  # layer -> {field: value} a published row has
    rates_first_year: int

    def base_url(self, host: str, port: int) -> str:
        return self.url.rstrip("/") or f"http://{host}:{port}"


def _check(raw: dict) -> None:
    """Names in the file must be declared fields of public layers: a typo must not publish a layer
    unfiltered or filter it on nothing."""
    specs = all_layers()
    for section in ("time_fields", "published_rows"):
        for layer, value in raw.get(section, {}).items():
            fields = [value] if isinstance(value, str) else list(value)
            if layer not in specs or not specs[layer].public:
                raise ValueError(f"{CONFIG_FILE}: [{section}] names {layer!r}, which is not a public layer")
            unknown = sorted(set(fields) - set(specs[layer].field_names))
            if unknown:
                raise ValueError(f"{CONFIG_FILE}: [{section}] {layer} names unknown fields {unknown}")


@cache
def api_settings() -> ApiSettings:
    raw = load_config(CONFIG_FILE)
    _check(raw)
    server, paging = raw["server"], raw["paging"]
    return ApiSettings(
        host=server["host"],
        port=int(server["port"]),
        url=server.get("url", ""),
        cors_origins=tuple(server.get("cors_origins", ())),
        map_url=server["map_url"],
        map_attribution=server["map_attribution"],
        default_items=int(paging["default_items"]),
        max_items=int(paging["max_items"]),
        time_fields=dict(raw.get("time_fields", {})),
        published_rows={
            k: {f: str(v) for f, v in d.items()} for k, d in raw.get("published_rows", {}).items()
        },
        rates_first_year=int(raw["rates"]["first_year"]),
    )
