"""指标 / Indicators: the plan's 40 indicators by SDG, with their status for a year; administrators
enter yearly actuals (kept with history). #19 and #20 come from the rasters and layers.

Run as a page script by ``st.navigation``.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from xzsdg_geo.dates import today_cst
from xzsdg_geo.i18n import t
from xzsdg_geo.indicators.tracker import IndicatorRow, Tracker, set_actual, tracker
from xzsdg_geo.services.auth import Permission
from xzsdg_geo.textfmt import fmt_num
from xzsdg_geo.ui import auth, indicator_trend, lang, workflow

FIRST_YEAR = 2024
COLUMNS = ("no", "name", "unit", "target", "value", "source", "status")


def _row(r: IndicatorRow, language: str) -> tuple:
    source = t(f"indicators.source.{r.reading.source.value}", language) if r.reading else "—"
    return (r.indicator.no, r.indicator.name_zh, r.indicator.unit, fmt_num(r.target),
            fmt_num(r.value), source, t(f"indicators.status.{r.status.value}", language))  # fmt: skip


def _table(board: Tracker, language: str) -> None:
    counts = {s.value: n for s, n in board.counts().items()}
    st.markdown(t("indicators.list_title", language, year=board.year, **counts))
    for sdg, rows in board.by_sdg():
        st.subheader(sdg)
        frame = pd.DataFrame([_row(r, language) for r in rows],
                             columns=[t(f"indicators.col.{c}", language) for c in COLUMNS])  # fmt: skip
        st.table(frame, hide_index=True)


def _entry(year: int, board: Tracker, language: str) -> None:
    """Administrators: a yearly actual, written with history and an audit record."""
    entered = [r.indicator for r in board.rows]
    with st.form("indicator_entry"):
        st.subheader(t("pages.indicator_entry", language, year=year))
        chosen = st.selectbox(t("indicators.col.name", language), entered,
                              format_func=lambda i: f"{i.no}. {i.name_zh}（{i.unit}）")  # fmt: skip
        value = st.number_input(t("indicators.col.value", language), value=None, format="%.4f")
        note = st.text_input(t("pages.note", language))
        if st.form_submit_button(t("pages.indicator_save", language)) and value is not None:

            def action(store) -> str:
                set_actual(store, auth.principal(), chosen.no, year, float(value), note or None)
                return t("pages.indicator_saved", language, no=chosen.no, year=year)

            workflow.write(action)


def render() -> None:
    language = lang.current()
    st.title(t("pages.nav_indicators", language))
    year = st.selectbox(t("pages.year", language), list(range(today_cst().year, FIRST_YEAR - 1, -1)),
                        key="indicator_year")  # fmt: skip
    board = workflow.read(lambda store: tracker(store, year))
    if board is None:
        return
    _table(board, language)
    indicator_trend.panel(language)
    if auth.principal().can(Permission.EDIT_TARGETS):
        _entry(year, board, language)


if __name__ == "__main__":
    render()
