"""Layer specifications, read from ``layers/*.toml``.

A layer's geometry type, fields, Chinese aliases, enum values and style are declared once in
its TOML file; every other module (store schema, import mapping, validation, map styling) reads
them from here, so a layer is never described twice in code.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from .paths import LAYERS_DIR

FIELD_TYPES = ("str", "int", "float", "date", "enum")
ROLE_NAMES = ("field_team", "district_head", "reviewer", "admin")  # services.auth.Role, by value
DEFAULT_SUBMIT_ROLES = ("field_team", "reviewer", "admin")
DEFAULT_APPROVE_ROLES = ("reviewer", "admin")


@dataclass(frozen=True)
class EnumValue:
    code: str
    zh: str
    en: str
    aliases: tuple[str, ...] = ()
    # Leading digits of land-use codes (GB/T 21010, e.g. 0101 水田) that mean this value.
    code_prefixes: tuple[str, ...] = ()

    def spellings(self) -> tuple[str, ...]:
        """Every text that maps to this value, the canonical code included."""
        return (self.code, self.zh, self.en, *self.aliases)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str
    required: bool
    label_zh: str
    label_en: str
    aliases: tuple[str, ...] = ()
    values: tuple[EnumValue, ...] = ()
    min: float | None = None  # numbers only: the allowed range, inclusive
    max: float | None = None

    def value(self, code: str) -> EnumValue:
        return next(v for v in self.values if v.code == code)


@dataclass(frozen=True)
class LayerSpec:
    name: str
    title_zh: str
    title_en: str
    geometry: tuple[str, ...]
    id_field: str
    fields: tuple[FieldSpec, ...]
    style: dict = field(default_factory=dict)
    replace_on_import: bool = False
    area_ha_bounds: tuple[float, float] | None = None
    # Who may change the layer: roles that may submit to it and roles that may approve (or import)
    # into it, by role name. The services enforce these; the pages read them to offer the layer.
    submit_roles: tuple[str, ...] = DEFAULT_SUBMIT_ROLES
    approve_roles: tuple[str, ...] = DEFAULT_APPROVE_ROLES
    public: bool = False  # published as open data (OGC API - Features); never for personal data
    # Where a feature counts toward a rate: {"within": layer, "field": f, "value": v} (features
    # with f = v count only inside the ``within`` layer's features); empty for most layers.
    counts: dict = field(default_factory=dict)

    def field(self, name: str) -> FieldSpec:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def is_polygon(self) -> bool:
        return "Polygon" in self.geometry

    @property
    def is_line(self) -> bool:
        return "LineString" in self.geometry

    def title(self, lang: str = "zh") -> str:
        return self.title_zh if lang == "zh" else self.title_en


def _parse_field(raw: dict, path: Path) -> FieldSpec:
    if raw["type"] not in FIELD_TYPES:
        raise ValueError(f"{path.name}: field {raw['name']!r} has unknown type {raw['type']!r}")
    values = tuple(
        EnumValue(code, v["zh"], v["en"], tuple(v.get("aliases", ())), tuple(v.get("code_prefixes", ())))
        for code, v in raw.get("values", {}).items()
    )
    if raw["type"] == "enum" and not values:
        raise ValueError(f"{path.name}: enum field {raw['name']!r} declares no values")
    return FieldSpec(
        name=raw["name"],
        type=raw["type"],
        required=bool(raw.get("required", False)),
        label_zh=raw.get("label_zh", raw["name"]),
        label_en=raw.get("label_en", raw["name"]),
        aliases=tuple(raw.get("aliases", ())),
        values=values,
        min=raw.get("min"),
        max=raw.get("max"),
    )


def _roles(raw: dict, key: str, default: tuple[str, ...], path: Path) -> tuple[str, ...]:
    roles = tuple(raw.get(key, default))
    unknown = sorted(set(roles) - set(ROLE_NAMES))
    if unknown:
        raise ValueError(f"{path.name}: {key} names unknown roles {unknown}; known: {list(ROLE_NAMES)}")
    return roles


def load_layer(path: Path) -> LayerSpec:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    bounds = raw.get("area_ha_bounds")
    spec = LayerSpec(
        name=raw["name"],
        title_zh=raw["title_zh"],
        title_en=raw["title_en"],
        geometry=tuple(raw["geometry"]),
        id_field=raw["id_field"],
        fields=tuple(_parse_field(f, path) for f in raw["fields"]),
        style=raw.get("style", {}),
        replace_on_import=bool(raw.get("replace_on_import", False)),
        area_ha_bounds=tuple(bounds) if bounds else None,
        submit_roles=_roles(raw, "submit_roles", DEFAULT_SUBMIT_ROLES, path),
        approve_roles=_roles(raw, "approve_roles", DEFAULT_APPROVE_ROLES, path),
        public=bool(raw.get("public", False)),
        counts=dict(raw.get("counts", {})),
    )
    if spec.id_field not in spec.field_names:
        raise ValueError(f"{path.name}: id_field {spec.id_field!r} is not a declared field")
    return spec


@cache
def all_layers() -> dict[str, LayerSpec]:
    """Every declared layer by name, in file-name order."""
    specs = [load_layer(p) for p in sorted(LAYERS_DIR.glob("*.toml"))]
    return {s.name: s for s in specs}


def get_layer(name: str) -> LayerSpec:
    """The spec of one layer; ``KeyError`` when no such layer is declared."""
    return all_layers()[name]
