"""Exports: files a user takes away, built from the store and returned as bytes with a file name
and MIME type, so a download button and the CLI's ``--out`` serve the same thing.

- :func:`export_rates`: the restoration rate and the other goals' progress of a year, as an Excel
  workbook (a sheet per metric, per district, and the indicator table) or one CSV.
- :func:`export_layer`: one layer's current features as GeoPackage, zipped Shapefile (GBK), GeoJSON
  or KML.
- :func:`export_store`: every layer's current features in one GeoPackage.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from ..dates import CST, today_cst
from ..errors import Term, UserError
from ..i18n import current_lang, t
from ..indicators import tracker
from ..indicators.tracker import as_of_for
from ..layers import LayerSpec, all_layers
from ..services.importing import layer_spec
from ..store import Store
from ..when import When, recorded_day
from .base import Export, make_export
from .csvfile import long_csv, wide_csv
from .geojson import geojson
from .gpkg import geopackage
from .kml import kml
from .options import LayerOptions
from .shp import shapefile_zip
from .tables import Figures, gather, label_notes, label_texts, metric_tables
from .xlsx import workbook

__all__ = [
    "FORMATS",
    "LAYER_FORMATS",
    "TABLE_FORMATS",
    "Export",
    "LayerOptions",
    "export_layer",
    "export_rates",
    "export_store",
]

TABLE_FORMATS = ("xlsx", "csv", "csv-wide")
LAYER_WRITERS: dict[str, Callable[[Store, LayerSpec, LayerOptions], bytes]] = {
    "gpkg": lambda store, spec, options: geopackage(store, [spec], options),
    "shp": shapefile_zip,
    "geojson": geojson,
    "kml": kml,
}
LAYER_FORMATS = tuple(LAYER_WRITERS)
STORE_FORMATS = ("gpkg",)
FORMATS = (*TABLE_FORMATS, *LAYER_FORMATS)


def _check_format(fmt: str, allowed: tuple[str, ...], what: str) -> None:
    if fmt not in allowed:
        raise UserError(
            "export.bad_format", format=fmt, what=Term(f"export.what.{what}"), allowed="、".join(allowed)
        )


def generated_at() -> str:
    return dt.datetime.now(CST).strftime("%Y-%m-%d %H:%M")


def about_lines(fig: Figures, year: int, lang: str) -> list[str]:
    """What the figures are: title, date, data labels, what could not be computed, how it is counted."""
    lines = [t("export.book_title", lang, year=year), t("export.as_of", lang, date=fig.as_of.isoformat()),
             fig.when.recorded_label(lang), t("export.generated", lang, at=generated_at())]  # fmt: skip
    if notes := label_notes(fig, lang):
        lines.append(t("export.labels", lang, labels="；".join(notes)))
    lines += [t("export.problem", lang, metric=t(f"export.metric.{m}", lang), message=msg)
              for m, msg in fig.problems.items()]  # fmt: skip
    lines += [t("export.method.rates", lang), t("export.method.pct", lang)]
    return lines


def export_rates(
    store: Store,
    year: int,
    fmt: str,
    *,
    lang: str | None = None,
    today: dt.date | None = None,
    known_at: dt.datetime | None = None,
) -> Export:
    """The year's figures (at its last day, or today for the year under way), as the store held
    them at ``known_at`` (default now)."""
    _check_format(fmt, TABLE_FORMATS, "rates")
    lang = lang or current_lang()
    today = today or recorded_day(known_at)
    as_of = as_of_for(year, today)
    if as_of is None:
        raise UserError("export.future_year", year=year)
    fig = gather(store, When(as_of, known_at), lang)
    tables = metric_tables(fig, lang)
    if fmt in ("csv", "csv-wide"):
        data = long_csv(tables, lang) if fmt == "csv" else wide_csv(tables, lang)
        return make_export(data, f"xzsdg_rates_{year}" + ("_wide" if fmt == "csv-wide" else ""), fmt)
    indicators = tracker(store, year, today, known_at)
    book = workbook(tables, indicators, label_texts(fig, lang), about_lines(fig, year, lang), lang)
    return make_export(book, f"xzsdg_rates_{year}", fmt)


def _stem(what: str, options: LayerOptions) -> str:
    day = options.as_of or today_cst()
    crs = "" if options.crs == "EPSG:4490" else "_" + options.crs.replace(":", "").lower()
    return f"xzsdg_{what}_{day:%Y%m%d}{crs}"


def export_layer(store: Store, layer: str, fmt: str, options: LayerOptions | None = None) -> Export:
    """One layer's features (current, or as of a day), in the options' CRS and field names."""
    _check_format(fmt, LAYER_FORMATS, "layer")
    options = options or LayerOptions()
    options.check(fmt)
    spec = layer_spec(layer)
    return make_export(LAYER_WRITERS[fmt](store, spec, options), _stem(spec.name, options), fmt)


def export_store(store: Store, fmt: str = "gpkg", options: LayerOptions | None = None) -> Export:
    """Every layer's features in one GeoPackage, a table per layer."""
    _check_format(fmt, STORE_FORMATS, "store")
    options = options or LayerOptions()
    options.check(fmt)
    return make_export(geopackage(store, all_layers().values(), options), _stem("store", options), fmt)
