"""The 进度 page's city map: each district coloured by where its restoration rate stands against its
target (met, behind, far behind, no subsidence zones), drawn by the overview's machinery from a
layer description made here (a report, not a store layer)."""

from __future__ import annotations

import geopandas as gpd

from .i18n import t
from .layers import EnumValue, FieldSpec, LayerSpec
from .mapping import MapLayer, layer_data
from .rates import DistrictRate, RateReport
from .textfmt import fmt_num

FAR_BEHIND_POINTS = 5.0  # more than this many points under the target: far behind
STANDINGS = ("met", "behind", "far_behind", "no_zones")
# Paul Tol's high-contrast blue / yellow / red and a pale grey: readable with any colour vision.
STANDING_COLORS = {"met": "#004488", "behind": "#DDAA33", "far_behind": "#BB5566", "no_zones": "#DDDDDD"}


def standing_of(d: DistrictRate) -> str:
    if d.rate_pct is None:
        return "no_zones"
    if d.target_pct is None or d.rate_pct >= d.target_pct - 1e-9:
        return "met"
    return "far_behind" if d.target_pct - d.rate_pct > FAR_BEHIND_POINTS else "behind"


def _labels(key: str) -> tuple[str, str]:
    return t(key, "zh"), t(key, "en")


def standing_spec() -> LayerSpec:
    values = tuple(EnumValue(s, *_labels(f"maptools.standing_{s}")) for s in STANDINGS)
    fields = (
        FieldSpec("name", "str", True, *_labels("col.district")),
        FieldSpec("rate", "str", False, *_labels("maptools.standing_rate")),
        FieldSpec("target", "str", False, *_labels("maptools.standing_target")),
        FieldSpec("standing", "enum", True, *_labels("maptools.standing"), values=values),
    )
    return LayerSpec(
        name="district_standing",
        title_zh=t("maptools.standing_layer", "zh"),
        title_en=t("maptools.standing_layer", "en"),
        geometry=("Polygon", "MultiPolygon"),
        id_field="adcode",
        fields=fields,
        style={"field": "standing", "colors": STANDING_COLORS, "weight": 1.5, "fill_opacity": 0.6},
    )


def standing_layer(districts: gpd.GeoDataFrame, report: RateReport, lang: str = "zh") -> MapLayer | None:
    """``districts`` (the store's, with ``source``) coloured by their standing in ``report``."""
    by_code = {d.adcode: d for d in report.districts}
    frame = districts[districts["adcode"].isin(by_code)].copy()
    rows = [by_code[a] for a in frame["adcode"]]
    frame["standing"] = [standing_of(d) for d in rows]
    frame["rate"] = [f"{fmt_num(d.rate_pct)}%" if d.rate_pct is not None else None for d in rows]
    frame["target"] = [f"{fmt_num(d.target_pct, 1)}%" if d.target_pct is not None else None for d in rows]
    return layer_data(standing_spec(), frame, lang)
