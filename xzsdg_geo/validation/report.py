"""The validation report: per feature what would be stored, and every finding, in two languages."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import shapely

from ..i18n import current_lang
from .findings import Finding


def _number(value: float | None) -> float | None:
    """A JSON-safe float: NaN and infinities (unplaceable coordinates) become null."""
    return float(value) if value is not None and math.isfinite(value) else None


@dataclass
class FeatureReport:
    index: int  # position in the file, from 0
    name: str | None
    area_ha: float | None  # polygons
    length_m: float | None  # lines
    issues: list[str]  # finding codes, in the order found
    geometry: shapely.Geometry | None  # lon/lat EPSG:4490, after repair
    properties: dict[str, object]  # canonical field values
    feature_id: str | None


@dataclass
class ValidationReport:
    ok: bool
    layer: str
    source_crs: str | None
    crs_inferred: bool
    encoding: str | None
    features: list[FeatureReport] = field(default_factory=list)
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    measure: str = "area_ha"  # which of area_ha / length_m the layer's features carry
    source_layers: list[str] = field(default_factory=list)  # layers the file offers, to choose from

    @classmethod
    def refused(cls, layer: str, errors: list[Finding]) -> ValidationReport:
        return cls(ok=False, layer=layer, source_crs=None, crs_inferred=False, encoding=None, errors=errors)

    def to_dict(self, lang: str | None = None) -> dict:
        """The report as the ``validate --json`` command prints it."""
        lang = lang or current_lang()
        return {
            "ok": self.ok,
            "layer": self.layer,
            "source_crs": self.source_crs,
            "crs_inferred": self.crs_inferred,
            "encoding": self.encoding,
            "features": [
                {
                    "index": f.index,
                    "name": f.name,
                    self.measure: _number(getattr(f, self.measure)),
                    "issues": f.issues,
                }
                for f in self.features
            ],
            "errors": [e.to_dict(lang) for e in self.errors],
            "warnings": [w.to_dict(lang) for w in self.warnings],
        }
