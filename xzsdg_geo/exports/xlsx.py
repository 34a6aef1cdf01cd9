"""The Excel workbook a district head reports upward with: one sheet per metric, one per district,
the indicator table, and a first sheet saying what the figures are, as of when and from what data.

Numbers are stored as numbers (formatted, never as text) so the sheets can be summed and charted.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..i18n import t
from ..indicators import IndicatorRow, Tracker
from ..textfmt import display_width
from .tables import MetricTable

FORMATS = {"ha": "#,##0.00", "km": "#,##0.00", "pct": "0.00", "count": "0", "year": "0", "num": "General"}
TITLE = Font(bold=True, size=14)
BOLD = Font(bold=True)
NOTE = Font(italic=True, color="666666")
HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
CITY_FILL = PatternFill("solid", fgColor="F2F2F2")
THIN = Side(style="thin", color="AAAAAA")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_ROW = 4  # title, subtitle, blank, header
MAX_WIDTH = 60
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def sheet_name(text: str, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique in the book."""
    base = _BAD_SHEET_CHARS.sub("_", text)[:31]
    name, n = base, 2
    while name in taken:
        suffix = f"({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


def _heading(ws: Worksheet, title: str, subtitle: str) -> None:
    ws.cell(1, 1, title).font = TITLE
    ws.cell(2, 1, subtitle).font = NOTE


def _table(
    ws: Worksheet, headers: Sequence[str], rows: Sequence[Sequence[object]], kinds: Sequence[Sequence[str]]
) -> None:
    """Header and rows from :data:`HEADER_ROW` on, boxed, typed (``kinds``: per row, per cell),
    frozen below the header."""
    for j, text in enumerate(headers, start=1):
        cell = ws.cell(HEADER_ROW, j, text)
        cell.font, cell.fill, cell.border = BOLD, HEADER_FILL, BOX
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for i, (values, row_kinds) in enumerate(zip(rows, kinds, strict=True), start=HEADER_ROW + 1):
        for j, (value, kind) in enumerate(zip(values, row_kinds, strict=True), start=1):
            cell = ws.cell(i, j, value)
            cell.border = BOX
            if kind != "text" and value is not None:
                cell.number_format = FORMATS[kind]
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 2)
    _fit_columns(ws, [headers, *rows])


def _fit_columns(ws: Worksheet, rows: Sequence[Sequence[object]]) -> None:
    for j in range(len(rows[0])):
        texts = [f"{v:,.2f}" if isinstance(v, float) else str(v) for r in rows if (v := r[j]) is not None]
        width = max((display_width(s) for s in texts), default=8) + 2
        ws.column_dimensions[get_column_letter(j + 1)].width = min(MAX_WIDTH, max(8, width))


def _bold_last(ws: Worksheet, n_columns: int) -> None:
    for j in range(1, n_columns + 1):
        cell = ws.cell(ws.max_row, j)
        cell.font, cell.fill = BOLD, CITY_FILL


def _subtitle(table_date: str, notes: Sequence[str], lang: str) -> str:
    parts = [t("export.as_of", lang, date=table_date), *notes]
    return "｜".join(parts)


def add_metric_sheet(
    wb: Workbook, table: MetricTable, notes: Sequence[str], taken: set[str], lang: str
) -> None:
    ws = wb.create_sheet(sheet_name(table.title, taken))
    _heading(ws, table.title, _subtitle(table.as_of.isoformat(), notes, lang))
    headers = [t("col.district", lang), *table.headers]
    _table(ws, headers, [[r.name, *r.values] for r in table.rows], [["text", *table.kinds]] * len(table.rows))
    _bold_last(ws, len(headers))


def add_district_sheet(
    wb: Workbook, adcode: str, name: str, tables: Sequence[MetricTable], notes: Sequence[str],
    taken: set[str], lang: str,
) -> None:  # fmt: skip
    """One district's figures from every metric: category, item, value."""
    ws = wb.create_sheet(sheet_name(name, taken))
    _heading(ws, t("export.district_title", lang, name=name, code=adcode),
             _subtitle(tables[0].as_of.isoformat(), notes, lang))  # fmt: skip
    rows, kinds = [], []
    for table in tables:
        row = table.district(adcode)
        values = row.values if row else [None] * len(table.headers)
        for header, kind, value in zip(table.headers, table.kinds, values, strict=True):
            rows.append([table.title, header, value])
            kinds.append(kind)
    headers = [t("export.col.category", lang), t("export.col.item", lang), t("export.col.value", lang)]
    _table(ws, headers, rows, [["text", "text", k] for k in kinds])


def _indicator_row(r: IndicatorRow, lang: str) -> list[object]:
    ind = r.indicator
    source = t(f"indicators.source.{r.reading.source.value}", lang) if r.reading else None
    kind, status = (
        t(f"indicators.kind.{ind.kind.value}", lang),
        t(f"indicators.status.{r.status.value}", lang),
    )
    values = [ind.baseline, r.target, r.value]
    return [ind.no, ind.sdg, ind.name_zh, ind.unit or None, kind, *values, source, status, ind.note or None]


def indicator_rows(tracker: Tracker, lang: str) -> tuple[list[str], list[list[object]], list[str]]:
    """The tracker as a table: headers, rows, kinds."""
    year, base = tracker.year, tracker.rows[0].indicator.baseline_year
    headers = [t(f"export.ind.{k}", lang) for k in ("no", "sdg", "name", "unit", "kind")]
    headers += [t("export.ind.baseline", lang, year=base), t("export.ind.target", lang, year=year),
                t("export.ind.actual", lang, year=year), t("export.ind.source", lang),
                t("export.ind.status", lang), t("export.ind.note", lang)]  # fmt: skip
    rows = [_indicator_row(r, lang) for r in tracker.rows]
    kinds = ["count", "text", "text", "text", "text", "num", "num", "num", "text", "text", "text"]
    return headers, rows, kinds


def add_indicator_sheet(
    wb: Workbook, tracker: Tracker, notes: Sequence[str], taken: set[str], lang: str
) -> None:
    ws = wb.create_sheet(sheet_name(t("export.ind.sheet", lang), taken))
    _heading(ws, t("export.ind.title", lang, year=tracker.year), _subtitle(str(tracker.year), notes, lang))
    headers, rows, kinds = indicator_rows(tracker, lang)
    _table(ws, headers, rows, [kinds] * len(rows))


def add_notes_sheet(wb: Workbook, lines: Sequence[str], lang: str) -> None:
    ws = wb.active
    ws.title = sheet_name(t("export.notes_sheet", lang), set())
    ws.cell(1, 1, lines[0]).font = TITLE
    for i, line in enumerate(lines[1:], start=3):
        ws.cell(i, 1, line)
    ws.column_dimensions["A"].width = 100


def workbook(
    tables: Sequence[MetricTable], tracker: Tracker, notes: Sequence[str], about: Sequence[str], lang: str
) -> bytes:
    """``about``: the first sheet's lines (title first); ``notes``: labels every sheet repeats."""
    wb = Workbook()
    add_notes_sheet(wb, about, lang)
    taken = {wb.active.title}
    for table in tables:
        add_metric_sheet(wb, table, notes, taken, lang)
    for row in tables[0].rows:
        if row.adcode is not None:
            add_district_sheet(wb, row.adcode, row.name, tables, notes, taken, lang)
    add_indicator_sheet(wb, tracker, notes, taken, lang)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
