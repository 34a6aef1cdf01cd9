"""The report as one self-contained HTML document (pictures inlined), and as PDF from that same
document, so the published web page and the printed report never differ."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from ..i18n import t
from ..textfmt import fmt_num
from .content import ReportContent, short_number
from .fonts import CSS_STACK

TEMPLATES = Path(__file__).resolve().parent / "templates"
DIGITS = {"ha": 2, "km": 2, "pct": 1, "count": 0, "year": 0, "num": 2}


def cell(value: object, kind: str) -> str:
    """A table cell as the report prints it; ``—`` for no value."""
    if value is None:
        return "—"
    if kind == "year":
        return str(value)
    return fmt_num(float(value), DIGITS[kind]) if kind in DIGITS else str(value)


def css_string(text: str) -> Markup:
    """Text as a quoted CSS string (the page header and footer), safe inside ``<style>``."""
    escaped = text.replace("\\", "\\5c ").replace('"', "\\22 ").replace("<", "\\3c ")
    return Markup(f'"{escaped}"')


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
    )
    env.filters.update(cell=cell, css_string=css_string, short=short_number,
                       num=lambda v, d=2: fmt_num(v, d))  # fmt: skip
    env.globals["zip"] = zip
    return env


def render_html(content: ReportContent) -> str:
    lang = content.lang
    title = t("report.title", lang, year=content.year)
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            c=content,
            t=lambda key, **params: t(key, lang, **params),
            font_stack=CSS_STACK,
            header_text=title,
            footer_text="｜".join([t("export.as_of", lang, date=content.as_of.isoformat()), *content.labels]),
        )
    )


def render_pdf(html: str) -> bytes:
    """WeasyPrint lays the document out on A4 and embeds the (subset) fonts it used."""
    from weasyprint import HTML  # heavy (≈1 s): loaded only when a PDF is asked for

    return HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
