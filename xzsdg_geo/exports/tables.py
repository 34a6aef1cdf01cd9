"""The figures a year's exports and report are made of, and the tables they are shown in.

:func:`gather` reads the store once at a :class:`~xzsdg_geo.when.When` (real-world day, record
time): the restoration rate (the rate engine), the other
goals' progress and which layers hold sample data or approximate boundaries. :func:`metric_tables`
lays each metric out as one table, a row per district and one for the city, with typed columns, so
the Excel sheets, the CSV and the report show the same numbers under the same headers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass

from ..errors import UserError
from ..i18n import current_lang, t
from ..layers import all_layers
from ..mapping import provenance
from ..progress import METRICS, ProgressReport, compute_progress
from ..progress.report import plain
from ..rates import RateReport, compute_rates
from ..store import Store
from ..when import When

Getter = Callable[[dict], object]


@dataclass(frozen=True)
class Figures:
    when: When
    rates: RateReport
    progress: dict[str, ProgressReport]  # by layer, for the metrics that could be computed
    problems: dict[str, str]  # metric → why it could not be computed (a user message)
    labels: dict[str, str]  # layer → provenance catalog key (sample data, approximate boundaries)

    @property
    def as_of(self) -> dt.date:
        """The real-world day the figures describe."""
        return self.when.on


def gather(store: Store, when: When, lang: str | None = None) -> Figures:
    """Every metric at ``when``; a progress metric the store cannot support is noted,
    not fatal (the rate is: without district boundaries there is nothing to report)."""
    rates = compute_rates(store, when)
    progress, problems = {}, {}
    for layer in METRICS:
        try:
            progress[layer] = compute_progress(store, layer, when)
        except UserError as err:
            problems[layer] = err.message(lang)
    frames = {name: store.features(name, known_at=when.known_at) for name in all_layers()}
    labels = {name: key for name, frame in frames.items() if (key := provenance(frame))}
    return Figures(when, rates, progress, problems, labels)


@dataclass(frozen=True)
class Column:
    key: str  # catalog key of the header
    kind: str  # how values are shown: ha, km, pct, count, year, num (as given) or text
    get: Getter


@dataclass(frozen=True)
class Row:
    adcode: str | None  # None: the city total
    name: str
    values: list[object]


@dataclass(frozen=True)
class MetricTable:
    metric: str  # "rates" or a progress layer
    title: str
    as_of: dt.date
    headers: list[str]
    kinds: list[str]
    rows: list[Row]  # districts, then the city

    def district(self, adcode: str) -> Row | None:
        return next((r for r in self.rows if r.adcode == adcode), None)


def _field(name: str) -> Getter:
    return lambda record: record.get(name)


def _on_track(record: dict) -> str | None:
    """达标 / 滞后 as the indicator tracker says it (its status key, translated by the writer)."""
    rate, target = record.get("rate_pct"), record.get("target_pct")
    if rate is None or target is None:
        return None
    return "indicators.status.met" if rate >= target - 1e-9 else "indicators.status.behind"


def _col(key: str, kind: str, name: str | None = None) -> Column:
    return Column(key, kind, _field(name or key.rsplit(".", 1)[-1]))


COLUMNS: dict[str, list[Column]] = {
    "rates": [
        _col("col.zone_ha", "ha"), _col("col.restored_ha", "ha"), _col("export.col.rate_pct", "pct"),
        _col("export.col.target_pct", "pct"), Column("export.col.on_track", "text", _on_track),
        _col("col.gap_ha", "ha"), _col("col.pace", "ha", "pace_ha_per_year"),
        _col("col.reaches", "year", "reaches_target_in"),
    ],
    "quarries": [
        _col("progress.col.count", "count"), _col("progress.col.treated", "count"),
        _col("progress.col.in_progress", "count"), _col("progress.col.untreated", "count"),
        _col("export.col.treated_pct", "pct"), _col("progress.col.area_ha", "ha"),
        _col("progress.col.treated_area_ha", "ha"), _col("export.col.treated_area_pct", "pct"),
        _col("export.col.near", "count"), _col("export.col.near_treated", "count"),
        _col("export.col.far", "count"), _col("export.col.far_treated", "count"),
        _col("progress.col.high_risk_untreated", "count"), _col("progress.col.measure_mismatch", "count"),
    ],
    "river_segments": [
        _col("progress.col.segments", "count", "count"), _col("progress.col.length_km", "km"),
        _col("progress.col.accepted", "count"), _col("export.col.accepted_pct", "pct"),
        _col("progress.col.building", "count"), _col("progress.col.not_started", "count"),
        _col("progress.col.accepted_length_km", "km"), _col("export.col.good_water_pct", "pct"),
    ],
    "buffer_projects": [
        _col("progress.col.projects", "count", "count"), _col("progress.col.area_ha", "ha"),
        _col("progress.col.approved", "count"), _col("progress.col.building", "count"),
        _col("progress.col.finished", "count"),
        Column("progress.col.behind", "count", lambda r: r["at_risk"] + r["overdue"] + r["late"]),
        _col("export.col.mean_percent", "pct"),
    ],
}  # fmt: skip


def _records(fig: Figures, metric: str, lang: str) -> list[tuple[str | None, str, dict]]:
    """(adcode, name, figures) per district, then the city."""
    city_name = t("col.city", lang)
    if metric == "rates":
        r = fig.rates
        city = {**asdict(r.city), "target_pct": r.target_pct}
        return [(d.adcode, d.name, asdict(d)) for d in r.districts] + [(None, city_name, city)]
    report = fig.progress[metric]
    rows = [(d.adcode, d.name, plain(d.totals)) for d in report.districts]
    return [*rows, (None, city_name, plain(report.city))]


def _cell(column: Column, record: dict, lang: str) -> object:
    value = column.get(record)
    return t(str(value), lang) if column.kind == "text" and value is not None else value


def metric_table(fig: Figures, metric: str, lang: str | None = None) -> MetricTable:
    lang = lang or current_lang()
    columns = COLUMNS[metric]
    rows = [Row(code, name, [_cell(c, rec, lang) for c in columns])
            for code, name, rec in _records(fig, metric, lang)]  # fmt: skip
    return MetricTable(metric, t(f"export.metric.{metric}", lang), fig.as_of,
                       [t(c.key, lang) for c in columns], [c.kind for c in columns], rows)  # fmt: skip


def metric_tables(fig: Figures, lang: str | None = None) -> list[MetricTable]:
    """The rate first, then each progress metric that could be computed."""
    return [metric_table(fig, m, lang) for m in ("rates", *fig.progress)]


def label_notes(fig: Figures, lang: str | None = None) -> list[str]:
    """Each layer that must carry a provenance label, as "行政区（示意边界）"."""
    lang = lang or current_lang()
    specs = all_layers()
    return [
        t("map.with_note", lang, title=specs[n].title(lang), note=t(k, lang)) for n, k in fig.labels.items()
    ]


def label_texts(fig: Figures, lang: str | None = None) -> list[str]:
    """The distinct labels (示例数据, 示意边界) the figures must carry wherever they are shown."""
    return [t(k, lang) for k in sorted(set(fig.labels.values()), reverse=True)]
