"""Everything the annual report shows, gathered once from the store: the same figures and tables
as the Excel export, the indicator tracker, the charts and maps, and where the data came from."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass

import geopandas as gpd

from ..dates import CST
from ..exports.tables import Figures, MetricTable, gather, label_notes, label_texts, metric_tables
from ..i18n import t
from ..indicators import Tracker, tracker
from ..layers import all_layers
from ..mapping import provenance
from ..rates import on_the_ground
from ..store import Store
from ..textfmt import fmt_num
from ..when import When, store_stamp
from . import charts
from .prediction import PredictionSection, prediction_section

RATE_MAP_LAYERS = ("districts", "subsidence_zones", "restoration_parcels")
PROGRESS_MAP_LAYERS = ("districts", "quarries", "river_segments", "buffer_projects")
# The column a layer's map colours by, and the attribute of its progress items that says it on the date.
DAY_STATUS = {"quarries": ("status", "status"), "river_segments": ("happy_status", "status"),
              "buffer_projects": ("stage", "stage")}  # fmt: skip


@dataclass(frozen=True)
class Picture:
    caption: str
    png: bytes

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass(frozen=True)
class LayerSource:
    title: str
    count: int
    last_change: dt.date | None  # the newest version then in force, as a day in China
    label: str | None  # 示例数据 / 示意边界


@dataclass(frozen=True)
class ReportContent:
    year: int
    when: When  # known_at always set: the instant the figures were computed at
    generated: str
    lang: str
    labels: list[str]  # the distinct data labels every page carries
    label_notes: list[str]  # which layer carries which label
    figures: Figures
    tables: list[MetricTable]  # the rate first, then each progress metric
    tracker: Tracker
    rate_chart: Picture
    maps: list[Picture]
    bars: list[tuple[str, float, str]]  # each other goal: label, percent done, figure text
    progress_chart: Picture | None
    layers: list[LayerSource]
    imports: list[dict]
    prediction: PredictionSection | None  # the working faces' predicted subsidence and its effect

    @property
    def as_of(self) -> dt.date:
        return self.when.on

    @property
    def computed_at(self) -> str:
        """The record time the figures were read at, China time, in full (for ``--as-recorded``)."""
        return str(self.when.to_dict()["as_recorded"])


def _cst_day(stamp: str) -> dt.date:
    return dt.datetime.fromisoformat(stamp).astimezone(CST).date()


def layer_sources(store: Store, when: When, lang: str) -> list[LayerSource]:
    """Each layer as the figures read it: the store at ``when.known_at``."""
    rows = []
    for spec in all_layers().values():
        frame = store.features(spec.name, known_at=when.known_at)
        last = _cst_day(max(frame["valid_from"])) if len(frame) else None
        key = provenance(frame)
        rows.append(LayerSource(spec.title(lang), len(frame), last, t(key, lang) if key else None))
    return rows


def _bar(key: str, done: int, total: int, lang: str, **params: object) -> tuple[str, float, str]:
    share = 100.0 * done / total if total > 0 else 0.0
    return (
        t(f"report.bar.{key}", lang, **params),
        share,
        t(f"report.bar.{key}_text", lang, done=done, total=total),
    )


def progress_bars(fig: Figures, lang: str) -> list[tuple[str, float, str]]:
    """(label, percent done, figure text) per goal the store could measure."""
    bars = []
    if (q := fig.progress.get("quarries")) is not None:
        bars.append(_bar("quarries", q.city.treated, q.city.count, lang))
    if (r := fig.progress.get("river_segments")) is not None:
        g = r.target
        bars.append(_bar("rivers", g.accepted, g.target_accepted, lang, year=g.target_year))
    if (b := fig.progress.get("buffer_projects")) is not None:
        g = b.target
        bars.append(_bar("buffers", g.finished, g.due, lang, year=g.target_year))
    return bars


def on_the_day(frames: dict[str, gpd.GeoDataFrame], fig: Figures) -> dict[str, gpd.GeoDataFrame]:
    """Features coloured by their status on the date, as the tables count them: a pit stored as
    treated, or a parcel stored as completed, whose completion date is later was not done yet; a
    zone not in the inventory then is left out."""
    out = on_the_ground(frames, fig.as_of)
    for layer, (column, attribute) in DAY_STATUS.items():
        if layer in out and layer in fig.progress:
            status = {i.feature_id: getattr(i, attribute) for i in fig.progress[layer].items}
            frame = out[layer]
            out[layer] = frame.assign(**{column: frame["feature_id"].map(status).fillna(frame[column])})
    return out


def _maps(store: Store, fig: Figures, notes: list[str], lang: str) -> list[Picture]:
    pictures = []
    for key, names in (("rates", RATE_MAP_LAYERS), ("progress", PROGRESS_MAP_LAYERS)):
        title = t(f"report.map.{key}", lang, date=fig.as_of.isoformat())
        frames = on_the_day({name: store.features(name, known_at=fig.when.known_at) for name in names}, fig)
        pictures.append(Picture(title, charts.layer_map(frames, title, notes, lang)))
    return pictures


def gather_content(store: Store, year: int, when: When, generated: str, lang: str) -> ReportContent:
    as_of = when.on
    fig = gather(store, when, lang)
    notes = label_texts(fig, lang)
    rate_title = t("report.chart.rates", lang, date=as_of.isoformat())
    bars = progress_bars(fig, lang)
    progress_title = t("report.chart.progress", lang, date=as_of.isoformat())
    progress_chart = (
        Picture(progress_title, charts.progress_chart(bars, progress_title, notes)) if bars else None
    )
    return ReportContent(
        year=year,
        when=when,
        generated=generated,
        lang=lang,
        labels=notes,
        label_notes=label_notes(fig, lang),
        figures=fig,
        tables=metric_tables(fig, lang),
        tracker=tracker(store, year, as_of, when.known_at),
        rate_chart=Picture(rate_title, charts.rate_chart(fig.rates, rate_title, notes, lang)),
        maps=_maps(store, fig, notes, lang),
        bars=bars,
        progress_chart=progress_chart,
        layers=layer_sources(store, when, lang),
        imports=_imports(store, when),
        prediction=prediction_section(store, when),
    )


def _imports(store: Store, when: When) -> list[dict]:
    """The imports the store had recorded by ``when.known_at`` (the record time read)."""
    stamp = store_stamp(when.known_at) if when.known_at else None
    return [i for i in store.imports() if stamp is None or i["recorded_at"] <= stamp]


def short_number(value: float | None) -> str:
    """A figure as a reader expects it: at most two decimals, no trailing zeros."""
    if value is None:
        return "—"
    return fmt_num(value, 2).rstrip("0").rstrip(".") if not float(value).is_integer() else fmt_num(value, 0)
