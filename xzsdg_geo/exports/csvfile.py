"""CSV of the same figures as the workbook, in two shapes: long, one figure per line (date,
category, district, item, value), so one file holds every metric and pivots in Excel; and wide, one
line per district (then the city) with a column per metric and item, as a table is read. UTF-8 with
a BOM: without it Excel reads Chinese as GBK and shows mojibake."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from ..i18n import t
from .tables import MetricTable

BOM = "\ufeff"
DIGITS = 4  # 0.0001 ha is a square metre: more is noise


def _plain(value: object) -> object:
    if value is None:
        return ""
    return round(value, DIGITS) if isinstance(value, float) else value


def long_csv(tables: Sequence[MetricTable], lang: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    keys = ("as_of", "category", "adcode", "district", "item", "value")
    writer.writerow([t(f"export.csv.{k}", lang) for k in keys])
    for table in tables:
        for row in table.rows:
            for header, value in zip(table.headers, row.values, strict=True):
                writer.writerow([table.as_of.isoformat(), table.title, row.adcode or "", row.name, header,
                                 _plain(value)])  # fmt: skip
    return (BOM + out.getvalue()).encode("utf-8")


def wide_csv(tables: Sequence[MetricTable], lang: str) -> bytes:
    """One line per district, in the tables' order (the city last); columns "<metric>·<item>"."""
    columns = [
        (table, j, f"{table.title}·{header}") for table in tables for j, header in enumerate(table.headers)
    ]
    places = list(dict.fromkeys((row.adcode, row.name) for table in tables for row in table.rows))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [t(f"export.csv.{k}", lang) for k in ("as_of", "adcode", "district")] + [c[2] for c in columns]
    )
    as_of = tables[0].as_of.isoformat() if tables else ""
    for adcode, name in places:
        cells = []
        for table, j, _ in columns:
            row = next((r for r in table.rows if (r.adcode, r.name) == (adcode, name)), None)
            cells.append(_plain(row.values[j]) if row is not None else "")
        writer.writerow([as_of, adcode or "", name, *cells])
    return (BOM + out.getvalue()).encode("utf-8")
