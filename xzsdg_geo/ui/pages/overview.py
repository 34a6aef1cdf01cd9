"""总览 / Overview: the city's restoration rate for a year, the layers on a map, the district table."""

from __future__ import annotations

import streamlit as st

from ...config import store_location
from ...errors import UserError
from ...i18n import t
from ...mapping import NOTE_APPROXIMATE, NOTE_SAMPLE
from ...rates import RateReport
from ...textfmt import fmt_num
from .. import data, lang, map_view, rates_table


def _notices(notes: frozenset[str], language: str) -> None:
    if NOTE_SAMPLE in notes:
        st.info(t("ui.sample_notice", language))
    elif NOTE_APPROXIMATE in notes:
        st.info(t("ui.approximate_notice", language))


def _metrics(report: RateReport, language: str) -> None:
    c = report.city
    cols = st.columns(3)
    rate = t("ui.percent", language, value=fmt_num(c.rate_pct)) if c.rate_pct is not None else "—"
    cols[0].metric(t("ui.city_rate", language), rate)
    target = t("ui.percent", language, value=fmt_num(report.target_pct, 1)) if report.target_pct else "—"
    cols[1].metric(t("ui.city_target", language, year=report.as_of.year), target)
    gap = t("ui.hectares", language, value=fmt_num(c.gap_ha)) if c.gap_ha is not None else "—"
    cols[2].metric(t("ui.city_gap", language), gap)


def _page(location: str, stamp: data.Stamp, language: str) -> None:
    facts = data.store_facts(location, stamp)
    head = st.columns([1, 3], vertical_alignment="bottom")
    year = head[0].selectbox(t("ui.year", language), facts.years, index=len(facts.years) - 1, key="year")
    day = data.as_of(year)
    head[1].caption(t("ui.as_of", language, date=day.isoformat()))
    _notices(facts.notes, language)
    with st.spinner(t("ui.loading", language)):
        report = data.rates(location, stamp, day)
        layers = data.layers(location, stamp, day, language)
    if report.zones_first_recorded:
        st.warning(
            t(
                "ui.no_zones_yet",
                language,
                date=day.isoformat(),
                first=data.cst_date(report.zones_first_recorded),
            )
        )
    _metrics(report, language)
    map_view.show(layers, language)
    st.subheader(t("ui.rates_heading", language))
    rates_table.show(report, language)


def render() -> None:
    language = lang.current()
    st.title(t("ui.title", language))
    location = store_location()
    stamp = data.store_stamp(location)
    if stamp is None:
        st.error(t("ui.store_missing", language, path=location))
        return
    try:
        _page(location, stamp, language)
    except UserError as e:
        st.error(t("ui.store_error", language, message=e.message(language)))
