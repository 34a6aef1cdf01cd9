"""CSV of the same figures as the workbook, one figure per line (date, category, district, item,
value), so one file holds every metric and pivots in Excel. UTF-8 with a BOM: without it Excel
reads Chinese as GBK and shows mojibake."""

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
