"""Required fields present after alias mapping (Chinese and English names), enum values mapped
(已完成/已治理 → completed), dates parsed (2026-03-15, 2026/3/15, 2026年3月15日, Excel serials),
numbers numeric and in range. The mapping itself is :func:`xzsdg_geo.attributes.map_attributes`.
"""

from __future__ import annotations

from ...attributes import AttributeProblem
from ...layers import LayerSpec
from ..context import UploadContext
from ..findings import Finding, Localized, finding


def _problem(spec: LayerSpec, p: AttributeProblem) -> Finding:
    field = spec.field(p.field)
    label = Localized(field.label_zh, field.label_en)
    allowed = Localized("、".join(v.zh for v in field.values), ", ".join(v.en for v in field.values))
    bounds = "–".join("" if b is None else f"{b:g}" for b in (field.min, field.max))
    detail = {"field": p.field, "value": p.value}
    return finding(
        p.kind,
        p.feature,
        detail,
        key=f"attr.{p.kind}",
        field=label,
        value=p.value,
        allowed=allowed,
        range=bounds,
    )


class Attributes:
    code = "attributes"
    gate = False

    def check(self, ctx: UploadContext) -> list[Finding]:
        return [_problem(ctx.spec, p) for p in ctx.attributes[1]]
