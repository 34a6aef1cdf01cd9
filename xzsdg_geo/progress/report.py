"""The shape every progress metric returns, whatever the layer.

As ``rates --json``: ``{"as_of", "as_recorded", "layer", "city": {...}, "districts": [{"adcode",
"name", ...}]}``,
plus the layer's ``target``, the count of features lying in no district (they are in the city
total only) and ``items``, the per-feature assessments the totals were summed from, so a map or a
list shows exactly what the table counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Generic, Protocol, TypeVar

import geopandas as gpd

from ..when import When


class Assessed(Protocol):
    """A per-feature assessment: it knows its district (``None`` when outside all of them)."""

    adcode: str | None


T = TypeVar("T")
A = TypeVar("A", bound=Assessed)


def _json_ready(pairs: list[tuple[str, Any]]) -> dict:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in pairs}


def plain(obj: Any) -> dict:
    """A dataclass as JSON-ready nested dicts (dates as ISO text)."""
    return asdict(obj, dict_factory=_json_ready)


@dataclass(frozen=True)
class DistrictRow(Generic[T]):
    adcode: str
    name: str
    totals: T

    def to_dict(self) -> dict:
        return {"adcode": self.adcode, "name": self.name, **plain(self.totals)}


@dataclass(frozen=True)
class ProgressReport(Generic[T, A]):
    when: When
    layer: str
    target: Any  # a dataclass of the layer's target, or None when the plan sets none
    city: T
    districts: list[DistrictRow[T]]
    outside_districts: int
    items: list[A]

    @property
    def as_of(self) -> dt.date:
        """The real-world day the figures describe."""
        return self.when.on

    def to_dict(self) -> dict:
        return {
            **self.when.to_dict(),
            "layer": self.layer,
            "target": None if self.target is None else plain(self.target),
            "city": plain(self.city),
            "districts": [d.to_dict() for d in self.districts],
            "outside_districts": self.outside_districts,
            "items": [plain(i) for i in self.items],
        }


def build_report(
    when: When,
    layer: str,
    districts: gpd.GeoDataFrame,
    items: list[A],
    summarise: Callable[[Sequence[A]], T],
    target_of: Callable[[T], Any] | None = None,
) -> ProgressReport[T, A]:
    """City and district totals, each made by ``summarise`` from the items that belong to it;
    ``target_of`` judges the city totals against the layer's target."""
    rows = [
        DistrictRow(d.adcode, d.name, summarise([i for i in items if i.adcode == d.adcode]))
        for d in districts.itertuples()
    ]
    city = summarise(items)
    outside = sum(1 for i in items if i.adcode is None)
    target = target_of(city) if target_of else None
    return ProgressReport(when, layer, target, city, rows, outside, items)


def share_pct(part: float, whole: float) -> float | None:
    """``part`` as a percentage of ``whole``; ``None`` when there is no whole to share."""
    return 100.0 * part / whole if whole > 0 else None
