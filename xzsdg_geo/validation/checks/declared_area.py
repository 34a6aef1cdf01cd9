"""A declared area (a 面积 field, a survey TXT header) more than 5 % off the computed one: a warning.

The unit comes from the column name when it says (公顷/ha, 亩, 平方米/m2); a bare 面积 or MJ is
read in whichever of the three units comes closest, since they differ by factors of 15 and 10 000
and no 5 % slip can pass for another unit.
"""

from __future__ import annotations

import math

import numpy as np

from ..context import UploadContext
from ..findings import Finding, Localized, finding

UNIT_HA = {"ha": 1.0, "mu": 1 / 15, "m2": 1e-4}
UNIT_NAMES = {"ha": Localized("公顷", "ha"), "mu": Localized("亩", "mu"), "m2": Localized("平方米", "m²")}
# Normalised column name → unit (None: say by the number).
AREA_COLUMNS = {
    "面积(公顷)": "ha",
    "面积公顷": "ha",
    "面积(ha)": "ha",
    "area_ha": "ha",
    "公顷": "ha",
    "面积(亩)": "mu",
    "面积亩": "mu",
    "亩": "mu",
    "area_mu": "mu",
    "面积(平方米)": "m2",
    "面积平方米": "m2",
    "面积(m2)": "m2",
    "area_m2": "m2",
    "tbmj": "m2",
    "dkmj": None,
    "地块面积": None,
    "面积": None,
    "mj": None,
    "area": None,
}


def _norm(name: str) -> str:
    return "".join(str(name).split()).lower().replace("（", "(").replace("）", ")").replace("²", "2")


def _area_column(ctx: UploadContext) -> tuple[str, str | None] | None:
    if ctx.source.declared_area_column:
        return ctx.source.declared_area_column, "ha"
    for column in ctx.frame.columns:
        if (key := _norm(column)) in AREA_COLUMNS:
            return column, AREA_COLUMNS[key]
    return None


def _number(value: object) -> float | None:
    try:
        number = float(str(value).replace(",", ""))
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and number > 0 else None


def _in_hectares(declared: float, unit: str | None, computed: float) -> tuple[float, str]:
    if unit is not None:
        return declared * UNIT_HA[unit], unit
    return min(((declared * f, u) for u, f in UNIT_HA.items()), key=lambda c: abs(math.log(c[0] / computed)))


class DeclaredArea:
    code = "declared_area"
    gate = False

    def check(self, ctx: UploadContext) -> list[Finding]:
        found = _area_column(ctx)
        if found is None:
            return []
        column, unit = found
        tolerance = ctx.checks.declared_area_tolerance
        values = ctx.frame[column].to_numpy()
        out = []
        for i in np.flatnonzero(ctx.polygons):
            computed, declared = float(ctx.area_ha[i]), _number(values[i])
            if declared is None or not computed > 0:
                continue
            hectares, used = _in_hectares(declared, unit, computed)
            off = hectares / computed - 1
            if abs(off) > tolerance:
                detail = {
                    "declared_ha": hectares,
                    "computed_ha": computed,
                    "unit": used,
                    "column": str(column),
                }
                out.append(
                    finding(
                        self.code,
                        int(i),
                        detail,
                        column=column,
                        declared=f"{declared:g}",
                        unit=UNIT_NAMES[used],
                        computed=f"{computed:.4f}",
                        pct=f"{off * 100:+.1f}",
                    )
                )
        return out
