"""The annual monitoring report (年度监测报告), for publication: HTML and PDF from one template.

Per-district restoration rates against the targets with a chart, two static maps, the other goals'
progress, the plan's indicators by SDG, and where every figure came from and as of when. Sample
data and approximate boundaries are labelled on every page. The report reads the store at one
instant and prints it ("computed at"): ``report --year Y --as-recorded <that instant>`` later
reads the same versions, so it regenerates the same figures.
"""

from __future__ import annotations

import datetime as dt

from ..dates import CST
from ..errors import UserError
from ..exports import generated_at
from ..exports.base import Export, make_export
from ..i18n import current_lang
from ..indicators.tracker import as_of_for
from ..store import Store
from ..when import When, recorded_day
from .content import ReportContent, gather_content
from .fonts import require_cjk_font
from .render import render_html, render_pdf

__all__ = ["REPORT_FORMATS", "ReportContent", "build_report", "report_content"]

REPORT_FORMATS = ("pdf", "html")


def report_content(
    store: Store,
    year: int,
    *,
    lang: str | None = None,
    today: dt.date | None = None,
    known_at: dt.datetime | None = None,
) -> ReportContent:
    """The report's figures as the store held them at ``known_at`` (default: this instant, which
    the report then records); "today" for the year under way is the day of that instant."""
    known_at = known_at or dt.datetime.now(CST)
    as_of = as_of_for(year, today or recorded_day(known_at))
    if as_of is None:
        raise UserError("export.future_year", year=year)
    require_cjk_font()
    return gather_content(store, year, When(as_of, known_at), generated_at(), lang or current_lang())


def build_report(
    store: Store,
    year: int,
    fmt: str,
    *,
    lang: str | None = None,
    today: dt.date | None = None,
    known_at: dt.datetime | None = None,
) -> Export:
    """The report of ``year`` (figures at its last day, or today for the year under way), as the
    store held them at ``known_at`` (default now)."""
    if fmt not in REPORT_FORMATS:
        raise UserError("report.bad_format", format=fmt, allowed="、".join(REPORT_FORMATS))
    html = render_html(report_content(store, year, lang=lang, today=today, known_at=known_at))
    data = html.encode("utf-8") if fmt == "html" else render_pdf(html)
    return make_export(data, f"xzsdg_report_{year}", fmt)
