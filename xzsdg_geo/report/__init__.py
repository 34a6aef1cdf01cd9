"""The annual monitoring report (年度监测报告), for publication: HTML and PDF from one template.

Per-district restoration rates against the targets with a chart, two static maps, the other goals'
progress, the plan's indicators by SDG, and where every figure came from and as of when. Sample
data and approximate boundaries are labelled on every page.
"""

from __future__ import annotations

import datetime as dt

from ..errors import UserError
from ..exports import generated_at
from ..exports.base import Export, make_export
from ..i18n import current_lang
from ..indicators.tracker import as_of_for
from ..store import Store
from .content import ReportContent, gather_content
from .fonts import require_cjk_font
from .render import render_html, render_pdf

__all__ = ["REPORT_FORMATS", "ReportContent", "build_report", "report_content"]

REPORT_FORMATS = ("pdf", "html")


def report_content(
    store: Store, year: int, *, lang: str | None = None, today: dt.date | None = None
) -> ReportContent:
    as_of = as_of_for(year, today)
    if as_of is None:
        raise UserError("export.future_year", year=year)
    require_cjk_font()
    return gather_content(store, year, as_of, generated_at(), lang or current_lang())


def build_report(
    store: Store, year: int, fmt: str, *, lang: str | None = None, today: dt.date | None = None
) -> Export:
    """The report of ``year`` (figures at its last day, or today for the year under way)."""
    if fmt not in REPORT_FORMATS:
        raise UserError("report.bad_format", format=fmt, allowed="、".join(REPORT_FORMATS))
    html = render_html(report_content(store, year, lang=lang, today=today))
    data = html.encode("utf-8") if fmt == "html" else render_pdf(html)
    return make_export(data, f"xzsdg_report_{year}", fmt)
