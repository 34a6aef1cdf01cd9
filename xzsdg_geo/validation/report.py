"""The validation report: per feature what would be stored, and every finding, in two languages."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import shapely

from ..i18n import current_lang, t
from ..textfmt import fmt_num
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
    features_read: int = 0  # read from the file, even when a refusal left ``features`` empty
    source_columns: list[str] = field(default_factory=list)  # the chosen layer's columns, for mapping

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
            "features_read": self.features_read,
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


def count_line(report: dict, lang: str | None = None) -> str | None:
    """How many features the file had, for the report's head: their total area or length when
    they were placed; when a refusal came before that, how many were read (never "0 features"
    for a file whose features were read); None when none were read."""
    features = report.get("features", [])
    if not features:
        read = report.get("features_read", 0)
        return t("ff.count_read", lang, n=read) if read else None
    measure = "length_m" if any("length_m" in f for f in features) else "area_ha"
    total = sum(f.get(measure) or 0.0 for f in features)
    key = "validate.count_length" if measure == "length_m" else "validate.count_area"
    return t(key, lang, n=len(features), total=fmt_num(total))
