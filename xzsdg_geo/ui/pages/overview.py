"""总览 / Overview: the city's restoration rate for a year, the layers on a map, a clicked district's
progress beside it, the district table.

The map and the district panel form a fragment: a click on the map reruns only them. The map is
sent before the rates are computed (their figures fill the row above it afterwards), so it starts
drawing while the server still counts.
"""

from __future__ import annotations

import streamlit as st

from ...basemaps import Tiles
from ...i18n import t
from ...rates import DistrictRate, RateReport
from ...textfmt import fmt_num
from ...when import When
from .. import data, lang, map_tools, map_view, rates_table

SELECTED_KEY = "overview_district"  # the district whose panel is open
CLICK_KEY = "overview_click"  # the last map click turned into a district
HEAD_DISTRICT_KEY = "district"  # set by the sign-in for district heads


def _percent(value: float | None, language: str, digits: int = 2) -> str:
    return t("ui.percent", language, value=fmt_num(value, digits)) if value is not None else "—"


def _hectares(value: float | None, language: str) -> str:
    return t("ui.hectares", language, value=fmt_num(value)) if value is not None else "—"


def _metrics(report: RateReport, language: str) -> None:
    c = report.city
    cols = st.columns(3)
    cols[0].metric(t("ui.city_rate", language), _percent(c.rate_pct, language))
    cols[1].metric(
        t("ui.city_target", language, year=report.as_of.year), _percent(report.target_pct, language, 1)
    )
    cols[2].metric(t("ui.city_gap", language), _hectares(c.gap_ha, language))


def _selected(click: tuple[float, float] | None, location: str, stamp: data.Stamp, when: When) -> str | None:
    """The district whose panel is open: the last one clicked, else a district head's own."""
    if click is not None and click != st.session_state.get(CLICK_KEY):
        st.session_state[CLICK_KEY] = click
        st.session_state[SELECTED_KEY] = data.district_at(location, stamp, when, *click)
    return st.session_state.get(SELECTED_KEY, st.session_state.get(HEAD_DISTRICT_KEY))


def _close() -> None:
    st.session_state[SELECTED_KEY] = None


def _district_panel(report: RateReport, adcode: str | None, language: str) -> None:
    district = next((d for d in report.districts if d.adcode == adcode), None)
    if district is None:
        st.info(t("ui.click_district", language))
        return
    head = st.columns([4, 1], vertical_alignment="center")
    head[0].subheader(district.name)
    head[1].button("✕", key="overview_close", on_click=_close, help=t("ui.close_panel", language))
    map_tools.zoom_button(district.adcode, language)
    _district_figures(district, report, language)


def _district_figures(d: DistrictRate, report: RateReport, language: str) -> None:
    if d.rate_pct is None:
        st.caption(t("rates.no_zones", language))
        return
    delta = None
    if d.target_pct is not None:
        delta = t("ui.points", language, value=f"{d.rate_pct - d.target_pct:+.2f}")
    st.metric(t("ui.rate", language), _percent(d.rate_pct, language), delta=delta)
    rows = [
        (t("ui.target_of", language, year=report.as_of.year), _percent(d.target_pct, language, 1)),
        (t("ui.gap", language), _hectares(d.gap_ha, language)),
        (t("ui.restored_of_zone", language), t("ui.of_hectares", language, part=fmt_num(d.restored_ha),
                                               whole=fmt_num(d.zone_ha))),
        (t("ui.pace", language), t("ui.hectares_per_year", language, value=fmt_num(d.pace_ha_per_year))),
        (t("ui.reaches_final", language, target=fmt_num(report.final_target_pct, 0)),
         rates_table.reaches_text(d, report.final_year, language)),
    ]  # fmt: skip
    st.markdown("\n".join(f"- {label}：**{value}**" for label, value in rows))


@st.fragment
def _map_and_panel(location: str, stamp: data.Stamp, when: When, language: str, tiles: Tiles | None) -> None:
    left, right = st.columns([3, 1])
    with left:
        layers = data.layers(location, stamp, when, language, bool(tiles and tiles.gcj02))
        focus = map_tools.focus(location, stamp, when, bool(tiles and tiles.gcj02))
        shown = map_view.show_map(layers, language, tiles, focus=focus, report_view=map_tools.print_wanted())
        map_tools.print_panel(location, stamp, when, shown.view, language)
    adcode = _selected(shown.clicked, location, stamp, when)
    with right:
        _district_panel(data.rates(location, stamp, when), adcode, language)


def _page(location: str, stamp: data.Stamp, language: str) -> None:
    st.title(t("ui.title", language))
    facts = data.store_facts(location, stamp)
    head = st.columns([1, 1, 2], vertical_alignment="bottom")
    year = head[0].selectbox(
        t("ui.year", language), facts.years, index=len(facts.years) - 1, key="overview_year"
    )
    tiles = map_view.choose(language, head[1])
    when = data.year_end(year)
    head[2].caption(t("ui.as_of", language, date=when.on.isoformat()))
    data.show_notices(facts, language)
    above = st.container()
    with st.spinner(t("ui.loading", language)):
        _map_and_panel(location, stamp, when, language, tiles)
        report = data.rates(location, stamp, when)
    with above:
        if report.city.zone_ha == 0:  # real-world time: no zone in the inventory yet on that day
            st.warning(t("clocks.no_zones_on", language, date=when.on.isoformat()))
        _metrics(report, language)
    st.subheader(t("ui.rates_heading", language))
    rates_table.show(report, language)
    map_tools.attribute_panel(location, stamp, when, language)


def render() -> None:
    data.run_page(_page, lang.current())


def basemap_settings() -> None:
    """The administrators' basemap section (the settings page calls it): the default basemap."""
    map_view.settings_section(lang.current())
