"""The plan's 40 indicators, from ``data/sdg_indicators.csv``: units, the base-year actual, the
yearly targets, the SDG each serves and which way is better.

Columns named ``actual_YYYY`` and ``target_YYYY`` are read by pattern, so a later plan year is a new
column, not a code change.
"""

from __future__ import annotations

import csv
import enum
import re
from dataclasses import dataclass
from functools import cache

from ..paths import DATA_DIR

INDICATORS_FILE = DATA_DIR / "sdg_indicators.csv"
_ACTUAL = re.compile(r"^actual_(\d{4})$")
_TARGET = re.compile(r"^target_(\d{4})$")


class Kind(enum.StrEnum):
    TARGET = "target"  # higher is better
    TARGET_MAX = "target_max"  # lower is better: the target is a ceiling
    PROVINCIAL = "target_provincial"  # higher is better; later years' targets are set by the province
    MONITOR = "monitor"  # monitored only, no target


@dataclass(frozen=True)
class Indicator:
    no: int
    name_zh: str
    unit: str
    baseline_year: int
    baseline: float | None  # the plan's actual for the base year; None where it printed "—"
    targets: dict[int, float]  # by year; a missing year has none of its own
    sdg: str  # e.g. "SDG15"
    kind: Kind
    note: str

    @property
    def lower_is_better(self) -> bool:
        return self.kind is Kind.TARGET_MAX

    @property
    def sdg_number(self) -> int:
        return int(self.sdg.removeprefix("SDG"))

    def target_for(self, year: int) -> tuple[float | None, int | None]:
        """The target in force for ``year`` and the year it was set for.

        A year without a target of its own keeps the last earlier one (as ``config/targets.toml``
        does): a provincial target not yet issued is judged against the plan's last figure.
        """
        if self.kind is Kind.MONITOR:
            return None, None
        years = [y for y in self.targets if y <= year]
        return (self.targets[max(years)], max(years)) if years else (None, None)


def _number(text: str) -> float | None:
    text = text.strip()
    return float(text) if text else None


def _parse(row: dict[str, str]) -> Indicator:
    actuals = {int(m[1]): _number(v) for k, v in row.items() if (m := _ACTUAL.match(k))}
    targets = {int(m[1]): _number(v) for k, v in row.items() if (m := _TARGET.match(k))}
    if len(actuals) != 1:
        raise ValueError(f"{INDICATORS_FILE.name}: expected one actual_YYYY column, found {sorted(actuals)}")
    (year, baseline), = actuals.items()  # fmt: skip
    return Indicator(
        no=int(row["no"]),
        name_zh=row["indicator_zh"].strip(),
        unit=row["unit"].strip(),
        baseline_year=year,
        baseline=baseline,
        targets={y: v for y, v in sorted(targets.items()) if v is not None},
        sdg=row["sdg"].strip(),
        kind=Kind(row["kind"].strip()),
        note=row["note"].strip(),
    )


@cache
def indicators() -> dict[int, Indicator]:
    """Every indicator by its number, in the plan's order."""
    with INDICATORS_FILE.open(encoding="utf-8", newline="") as fh:
        parsed = [_parse(row) for row in csv.DictReader(fh)]
    return {i.no: i for i in parsed}


def plan_years() -> tuple[int, ...]:
    """The base year and every target year, in order."""
    first = next(iter(indicators().values()))
    years = {first.baseline_year} | {y for i in indicators().values() for y in i.targets}
    return tuple(sorted(years))
