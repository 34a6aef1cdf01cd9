"""进度 / Progress: where each district stands against the plan for a chosen year.

The restoration rate per district against its target (bar chart with the target line, figures,
ranking), its trend from the first year with data to today and, at the present pace, on to the
plan's final year; then the plan's other goals: quarry pits treated, river segments accepted as
幸福河湖, buffer projects finished on time. A district head lands on their own district (the adcode
the sign-in keeps in ``st.session_state["district"]``). Every figure comes from the services
through the cached reads of :mod:`xzsdg_geo.ui.data`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import altair as alt
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from ...config import settings, targets
from ...i18n import t
from ...layers import get_layer
from ...mapping import enum_label
from ...progress import ProgressReport
from ...progress.quarries import PriorityList
from ...rates import RateReport
from ...textfmt import fmt_num
from ...when import When
from .. import data, lang, progress_maps, rates_table

DISTRICT_KEY = "progress_district"
CITY = "city"  # the district choice meaning the whole city (a select box shows None as unset)
HEAD_DISTRICT_KEY = "district"  # set by the sign-in for district heads
MET_COLOR, BEHIND_COLOR, TARGET_COLOR = "#31a354", "#f28e2b", "#d62728"
CITY_COLOR, DISTRICT_COLOR = "#1f77b4", "#9467bd"
PRIORITY_ROWS = 10
CHART_HEIGHT = 320


@dataclass(frozen=True)
class Standing:
    """The figures of the city or of one district on the date asked."""

    name: str
    zone_ha: float
    restored_ha: float
    rate_pct: float | None
    target_pct: float | None
    gap_ha: float | None
    pace: float | None  # ha a year, over the configured past years
    reaches: str  # the year the final target is reached at that pace, or why not


# -- shared formatting ----------------------------------------------------------------------------
def _pct(value: float | None, language: str, digits: int = 2) -> str:
    return t("ui.percent", language, value=fmt_num(value, digits)) if value is not None else "—"


def _ha(value: float | None, language: str) -> str:
    return t("ui.hectares", language, value=fmt_num(value)) if value is not None else "—"


def _table(frame: pd.DataFrame, formats: dict[str, str], selected: str | None = None) -> None:
    """A static table with display formats; the row of the selected district (first column) bold."""

    def bold(row: pd.Series) -> list[str]:
        return [rates_table.BOLD if selected is not None and row.iloc[0] == selected else ""] * len(row)

    st.table(frame.style.format(formats, na_rep="—").hide(axis="index").apply(bold, axis=1))


# -- the restoration rate -------------------------------------------------------------------------
def projection(zone: float, restored: float, pace: float | None, start: dt.date, final_year: int) -> list:
    """(date, rate %) at ``start`` and each year's end to ``final_year`` at ``pace`` ha a year."""
    if zone <= 0:
        return []
    points = [(start, 100.0 * restored / zone)]
    for year in range(start.year, final_year + 1):
        end = dt.date(year, 12, 31)
        if end > start:
            grown = restored + max(pace or 0.0, 0.0) * (end - start).days / 365.25
            points.append((end, 100.0 * min(grown, zone) / zone))
    return points


def _city_standing(report: RateReport, language: str) -> Standing:
    c = report.city
    paces = [d.pace_ha_per_year for d in report.districts if d.pace_ha_per_year is not None]
    pace = sum(paces) if paces else None
    path = projection(c.zone_ha, c.restored_ha, pace, report.as_of, report.final_year)
    reached = next((day.year for day, rate in path if rate >= report.final_target_pct - 1e-9), None)
    if c.rate_pct is None:
        reaches = t("rates.no_zones", language)
    else:
        reaches = str(reached) if reached else t("rates.not_by", language, year=report.final_year)
    name = t("col.city", language)
    return Standing(name, c.zone_ha, c.restored_ha, c.rate_pct, report.target_pct, c.gap_ha, pace, reaches)


def standing(report: RateReport, adcode: str | None, language: str) -> Standing:
    d = next((d for d in report.districts if d.adcode == adcode), None)
    if d is None:
        return _city_standing(report, language)
    reaches = rates_table.reaches_text(d, report.final_year, language)
    return Standing(d.name, d.zone_ha, d.restored_ha, d.rate_pct, d.target_pct, d.gap_ha, d.pace_ha_per_year,
                    reaches)  # fmt: skip


def _rate_metrics(s: Standing, report: RateReport, language: str) -> None:
    delta = None
    if s.rate_pct is not None and s.target_pct is not None:
        delta = t("ui.points", language, value=f"{s.rate_pct - s.target_pct:+.2f}")
    top = st.columns(4)
    top[0].metric(t("ui.rate_of", language, name=s.name), _pct(s.rate_pct, language), delta=delta)
    top[1].metric(t("ui.target_of", language, year=report.as_of.year), _pct(s.target_pct, language, 1))
    top[2].metric(t("ui.gap", language), _ha(s.gap_ha, language))
    final = fmt_num(report.final_target_pct, 0)
    top[3].metric(t("ui.reaches_final", language, target=final), s.reaches)
    low = st.columns(4)
    remaining = s.zone_ha - s.restored_ha if s.rate_pct is not None else None
    low[0].metric(t("ui.restored", language), _ha(s.restored_ha, language))
    low[1].metric(t("ui.remaining", language), _ha(remaining, language))
    low[2].metric(t("ui.zone", language), _ha(s.zone_ha, language))
    pace = t("ui.hectares_per_year", language, value=fmt_num(s.pace)) if s.pace is not None else "—"
    low[3].metric(t("ui.pace", language), pace)


def rate_chart(report: RateReport, selected: str | None, language: str) -> alt.LayerChart:
    """Each district's rate as a bar (met / behind its target), the city target as a dashed line,
    a district's own target as a tick where it differs; ranked, the selected district outlined."""
    ranked = [d for d in rates_table.ranked(report) if d.rate_pct is not None]
    met, behind = t("ui.target_met", language), t("ui.target_behind", language)
    frame = pd.DataFrame(
        {
            "district": [d.name for d in ranked],
            "rate": [round(d.rate_pct, 2) for d in ranked],
            "target": [d.target_pct for d in ranked],
            "status": [met if d.on_track is not False else behind for d in ranked],
            "selected": [d.adcode == selected for d in ranked],
        }
    )
    x = alt.X("district:N", sort=list(frame["district"]), title=None, axis=alt.Axis(labelAngle=0))
    y_title = t("ui.rate_axis", language)
    bars = alt.Chart(frame).mark_bar().encode(
        x=x,
        y=alt.Y("rate:Q", title=y_title, scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("status:N", scale=alt.Scale(domain=[met, behind], range=[MET_COLOR, BEHIND_COLOR]),
                        legend=alt.Legend(title=None, orient="top")),
        stroke=alt.condition("datum.selected", alt.value("#222222"), alt.value(None)),
        strokeWidth=alt.condition("datum.selected", alt.value(2.5), alt.value(0)),
        tooltip=[alt.Tooltip("district:N", title=t("col.district", language)),
                 alt.Tooltip("rate:Q", title=t("col.rate", language), format=".2f"),
                 alt.Tooltip("target:Q", title=t("col.target", language), format=".1f")],
    )  # fmt: skip
    layers = [bars]
    if report.target_pct is not None:
        label = t("ui.target_line", language, year=report.as_of.year, value=fmt_num(report.target_pct, 1))
        line = pd.DataFrame({"target": [report.target_pct], "label": [label]})
        rule = alt.Chart(line).mark_rule(color=TARGET_COLOR, strokeDash=[6, 4], size=2).encode(y="target:Q")
        text = rule.mark_text(align="right", dx=-4, dy=-8, color=TARGET_COLOR, fontSize=12).encode(
            text="label:N", x=alt.value("width")
        )
        layers += [rule, text]
    own = frame[frame["target"].notna() & (frame["target"] != report.target_pct)]
    if not own.empty:
        layers.append(alt.Chart(own).mark_tick(color=TARGET_COLOR, thickness=3).encode(x=x, y="target:Q"))
    # each bar's value over the target line: dark text on a white halo
    values = alt.Chart(frame).encode(x=x, y="rate:Q", text=alt.Text("rate:Q", format=".1f"))
    halo = values.mark_text(dy=-7, fontSize=11, color="white", stroke="white", strokeWidth=3)
    layers += [halo, values.mark_text(dy=-7, fontSize=11, color="#333333")]
    return alt.layer(*layers).properties(height=CHART_HEIGHT)


def _rate_section(report: RateReport, adcode: str | None, language: str) -> None:
    st.header(t("ui.rate_heading", language, year=report.as_of.year))
    _rate_metrics(standing(report, adcode, language), report, language)
    no_zones = [d.name for d in report.districts if d.rate_pct is None]
    st.altair_chart(rate_chart(report, adcode, language), width="stretch")
    if no_zones:
        st.caption(t("ui.no_zones_districts", language, names="、".join(no_zones)))
    st.subheader(t("ui.ranking_heading", language))
    rates_table.show_ranking(report, language, adcode)


# -- trend and projection -------------------------------------------------------------------------
def _rates_by_year(restored: pd.DataFrame, adcode: str | None) -> pd.DataFrame:
    rows = restored if adcode is None else restored[restored["adcode"] == adcode]
    sums = rows.groupby(["year", "date"], as_index=False)[["zone_ha", "restored_ha"]].sum()
    sums = sums[sums["zone_ha"] > 0]
    return sums.assign(rate=100.0 * sums["restored_ha"] / sums["zone_ha"])


def _series(points: Sequence[tuple[dt.date, float]], series: str, kind: str) -> pd.DataFrame:
    return pd.DataFrame({"date": [d for d, _ in points], "rate": [r for _, r in points], "series": series,
                         "kind": kind})  # fmt: skip


def trend_frame(restored: pd.DataFrame, now: RateReport, adcode: str | None, language: str) -> pd.DataFrame:
    """The rate at each year's end (today for this year), then projected to the final year at the
    present pace, for the city and the selected district; the targets by year."""
    actual, projected = t("ui.trend_actual", language), t("ui.trend_projected", language)
    parts = []
    for code in [None] if adcode is None else [None, adcode]:
        s = standing(now, code, language)
        past = _rates_by_year(restored, code)
        parts.append(_series(list(zip(past["date"], past["rate"], strict=True)), s.name, actual))
        ahead = projection(s.zone_ha, s.restored_ha, s.pace, now.as_of, now.final_year)
        parts.append(_series(ahead, s.name, projected))
    plan, goal = targets(), t("ui.trend_target", language)
    years = range(min(plan.city), now.final_year + 1)
    parts.append(_series([(dt.date(y, 12, 31), plan.for_year(y, adcode)) for y in years], goal, goal))
    out = pd.concat([p for p in parts if not p.empty], ignore_index=True)
    return out.assign(date=pd.to_datetime(out["date"]), rate=out["rate"].astype(float).round(2))


def trend_chart(frame: pd.DataFrame, final_year: int, language: str) -> alt.LayerChart:
    goal = t("ui.trend_target", language)
    lines = frame[frame["kind"] != goal]
    series = list(dict.fromkeys(lines["series"]))
    colors = alt.Scale(domain=series, range=[CITY_COLOR, DISTRICT_COLOR][: len(series)])
    # Values are at the end of a year: the tick at 1 January is labelled with the year just ended.
    label = "timeFormat(timeOffset('day', datum.value, -1), '%Y')"
    first = frame["date"].min() - pd.Timedelta(days=60)  # room for the first point, before a tick
    span = [first.date().isoformat(), dt.date(final_year + 1, 1, 1).isoformat()]
    x = alt.X("date:T", title=t("ui.year_end", language), scale=alt.Scale(domain=span),
              axis=alt.Axis(tickCount="year", labelExpr=label))  # fmt: skip
    y = alt.Y("rate:Q", title=t("ui.rate_axis", language))
    tooltip = [
        alt.Tooltip("series:N", title=""),
        alt.Tooltip("date:T", title=t("ui.date", language), format="%Y-%m-%d"),
        alt.Tooltip("rate:Q", title=t("col.rate", language), format=".2f"),
    ]
    kinds = alt.Scale(domain=[t("ui.trend_actual", language), t("ui.trend_projected", language)],
                      range=[[1, 0], [5, 4]])  # solid, dashed: said under the chart  # fmt: skip
    drawn = alt.Chart(lines).mark_line(point=True).encode(
        x=x, y=y, color=alt.Color("series:N", scale=colors, legend=alt.Legend(title=None, orient="top")),
        strokeDash=alt.StrokeDash("kind:N", scale=kinds, legend=None),
        detail="kind:N", tooltip=[*tooltip, alt.Tooltip("kind:N", title="")],
    )  # fmt: skip
    marks = (
        alt.Chart(frame[frame["kind"] == goal])
        .mark_point(shape="diamond", filled=True, size=90, color=TARGET_COLOR)
        .encode(x=x, y=y, tooltip=tooltip)
    )
    return alt.layer(drawn, marks).properties(height=CHART_HEIGHT)


def _trend_section(location: str, stamp: data.Stamp, years: tuple[int, ...], adcode: str | None,
                   language: str) -> None:  # fmt: skip
    now = data.rates(location, stamp, When.today())
    st.header(t("ui.trend_heading", language, first=years[0], final=now.final_year))
    with st.spinner(t("ui.loading_trend", language)):
        restored = data.restored_by_year(location, stamp, years, now.when)
    frame = trend_frame(restored, now, adcode, language)
    st.altair_chart(trend_chart(frame, now.final_year, language), width="stretch")
    st.caption(t("ui.trend_note", language, years=settings().pace_years))


# -- the plan's other goals -----------------------------------------------------------------------
def _totals(report: ProgressReport, adcode: str | None, language: str) -> object:
    """The layer's totals for the district, or the city's; says so when the district has none."""
    row = next((d for d in report.districts if d.adcode == adcode), None)
    if row is None:
        return report.city
    if not row.totals.count:
        layer = get_layer(report.layer).title(language)
        st.caption(t("ui.none_in_district", language, district=row.name, layer=layer))
    return row.totals


def _per_district(report: ProgressReport, columns: dict[str, Callable], language: str) -> pd.DataFrame:
    """Districts holding features of the layer, then the city, one column per ``progress.col.*`` key."""
    rows = [(d.name, d.totals) for d in report.districts if d.totals.count]
    rows.append((t("col.city", language), report.city))
    out = {t("col.district", language): [name for name, _ in rows]}
    for key, cell in columns.items():
        out[t(f"progress.col.{key}", language)] = [cell(totals) for _, totals in rows]
    return pd.DataFrame(out)


def _formats(language: str, percent: Sequence[str] = (), number: Sequence[str] = ()) -> dict[str, str]:
    return {t(f"progress.col.{k}", language): "{:.1f}%" for k in percent} | {
        t(f"progress.col.{k}", language): "{:,.2f}" for k in number
    }


def _notes(report: ProgressReport, language: str) -> None:
    city, notes = report.city, []
    if city.undated:
        notes.append(t(f"progress.note.undated.{report.layer}", language, n=city.undated))
    if getattr(city, "points", 0):
        notes.append(t("progress.note.points", language, n=city.points))
    if report.outside_districts:
        notes.append(t("progress.note.outside", language, n=report.outside_districts))
    for note in notes:
        st.caption(note)


def _of(part: int, whole: int) -> str:
    return f"{part} / {whole}"


QUARRY_COLUMNS = {
    "count": lambda q: q.count, "treated": lambda q: q.treated, "treated_pct": lambda q: q.treated_pct,
    "area_ha": lambda q: q.area_ha,
    "treated_area_ha": lambda q: q.treated_area_ha, "treated_area_pct": lambda q: q.treated_area_pct,
    "near": lambda q: _of(q.near_treated, q.near), "far": lambda q: _of(q.far_treated, q.far),
    "high_risk_untreated": lambda q: q.high_risk_untreated,
}  # fmt: skip


def _waiting(plist: PriorityList, adcode: str | None) -> list:
    return [q for q in plist.items if adcode is None or q.adcode == adcode]


PRIORITY_COLUMNS = ("rank", "quarry", "district", "hazard_level", "location", "distance_km", "strategy",
                    "status", "priority")  # fmt: skip


def _priority_frame(plist: PriorityList, adcode: str | None, language: str) -> pd.DataFrame:
    measure, status = (get_layer("quarries").field(name) for name in ("measure", "status"))
    rows = [
        (n, q.name, q.district or "—", t(f"progress.level.{q.hazard_level}", language),
         t(f"progress.location.{q.location}", language), q.distance_m / 1000,
         enum_label(measure, q.strategy, language), enum_label(status, q.status, language), q.priority)
        for n, q in enumerate(_waiting(plist, adcode)[:PRIORITY_ROWS], start=1)
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=[t(f"progress.col.{k}", language) for k in PRIORITY_COLUMNS])


def _quarries(location: str, stamp: data.Stamp, when: When, adcode: str | None, language: str) -> None:
    report = data.progress(location, stamp, when, "quarries")
    q = _totals(report, adcode, language)
    cols = st.columns(5)
    cols[0].metric(t("ui.quarries_treated", language), _of(q.treated, q.count))
    cols[1].metric(t("progress.col.treated_pct", language), _pct(q.treated_pct, language, 1))
    cols[2].metric(t("ui.quarries_area", language), _ha(q.treated_area_ha, language),
                   help=t("ui.of_total", language, total=_ha(q.area_ha, language)))  # fmt: skip
    cols[3].metric(t("progress.col.treated_area_pct", language), _pct(q.treated_area_pct, language, 1))
    cols[4].metric(t("progress.col.high_risk_untreated", language), str(q.high_risk_untreated))
    table = _per_district(report, QUARRY_COLUMNS, language)
    _table(table, _formats(language, ("treated_pct", "treated_area_pct"), ("area_ha", "treated_area_ha")),
           _selected_name(report, adcode))  # fmt: skip
    _notes(report, language)
    st.caption(t("progress.note.built_up", language))
    plist = data.priorities(location, stamp, when)
    st.subheader(t("ui.priority_heading", language, n=len(_waiting(plist, adcode))))
    frame = _priority_frame(plist, adcode, language)
    if frame.empty:
        st.caption(t("ui.nothing_waiting", language))
    else:
        _table(frame, _formats(language, (), ("distance_km", "priority")))


RIVER_COLUMNS = {
    "segments": lambda r: r.count, "length_km": lambda r: r.length_km, "accepted": lambda r: r.accepted,
    "accepted_pct": lambda r: r.accepted_pct, "building": lambda r: r.building,
    "not_started": lambda r: r.not_started, "good_water_pct": lambda r: r.good_water_pct,
}  # fmt: skip


def _rivers(location: str, stamp: data.Stamp, when: When, adcode: str | None, language: str) -> None:
    report = data.progress(location, stamp, when, "river_segments")
    goal, r = report.target, _totals(report, adcode, language)
    cols = st.columns(4)
    whole = goal.target_accepted if adcode is None else r.count
    cols[0].metric(t("ui.rivers_accepted", language, year=goal.target_year), _of(r.accepted, whole))
    target = _pct(goal.good_water_target_pct, language, 1)
    cols[1].metric(t("ui.rivers_good_water", language), _pct(r.good_water_pct, language, 1),
                   help=t("ui.rivers_good_water_target", language, target=target))  # fmt: skip
    remaining = goal.remaining if adcode is None else r.count - r.accepted
    cols[2].metric(t("ui.rivers_remaining", language), str(remaining))
    needed = fmt_num(goal.needed_per_year, 1) if goal.needed_per_year else "—"
    cols[3].metric(t("ui.rivers_needed", language), needed)  # the city's: the target is the city's
    table = _per_district(report, RIVER_COLUMNS, language)
    _table(table, _formats(language, ("accepted_pct", "good_water_pct"), ("length_km",)),
           _selected_name(report, adcode))  # fmt: skip
    _notes(report, language)


def _project_frame(report: ProgressReport, adcode: str | None, language: str) -> pd.DataFrame:
    stage = get_layer("buffer_projects").field("stage")
    rows = [
        (p.name, p.district or "—", enum_label(stage, p.stage, language),
         t(f"progress.timeliness.{p.timeliness}", language), p.percent_complete, p.expected_pct,
         p.due_on.isoformat() if p.due_on else "—")
        for p in report.items
        if adcode is None or p.adcode == adcode
    ]  # fmt: skip
    keys = ("name", "district", "stage", "timeliness", "percent", "expected", "due_on")
    return pd.DataFrame(rows, columns=[t(f"progress.col.{k}", language) for k in keys])


def _buffers(location: str, stamp: data.Stamp, when: When, adcode: str | None, language: str) -> None:
    report = data.progress(location, stamp, when, "buffer_projects")
    goal, b = report.target, _totals(report, adcode, language)
    cols = st.columns(4)
    if adcode is None:
        cols[0].metric(
            t("ui.buffers_finished", language, year=goal.target_year), _of(goal.finished, goal.due)
        )
    else:
        cols[0].metric(t("ui.buffers_finished_here", language), _of(b.finished, b.count))
    cols[1].metric(t("progress.timeliness.on_track", language), str(b.on_track))
    cols[2].metric(t("progress.col.behind", language), str(b.at_risk + b.overdue + b.late))
    cols[3].metric(t("progress.col.mean_percent", language), _pct(b.mean_percent, language, 1))
    frame = _project_frame(report, adcode, language)
    if frame.empty:
        st.caption(t("ui.no_projects", language))
    else:
        _table(frame, _formats(language, ("percent", "expected")))
    _notes(report, language)


def _selected_name(report: ProgressReport, adcode: str | None) -> str | None:
    return next((d.name for d in report.districts if d.adcode == adcode), None)


def _goals_section(location: str, stamp: data.Stamp, when: When, adcode: str | None, language: str) -> None:
    st.header(t("ui.goals_heading", language))
    names = ("quarries", "river_segments", "buffer_projects")
    tabs = st.tabs([get_layer(name).title(language) for name in names])
    for tab, draw in zip(tabs, (_quarries, _rivers, _buffers), strict=True):
        with tab:
            draw(location, stamp, when, adcode, language)


# -- the page -------------------------------------------------------------------------------------
def _district_choice(report: RateReport, language: str, where: DeltaGenerator) -> str | None:
    """The district shown (``None``: the city); a district head's own at first. The box is keyed by
    language (the city's label changes with it; the choice is kept in ``DISTRICT_KEY``)."""
    names = {d.adcode: d.name for d in report.districts}
    options = [CITY, *names]
    if st.session_state.get(DISTRICT_KEY) not in options:
        own = st.session_state.get(HEAD_DISTRICT_KEY)
        st.session_state[DISTRICT_KEY] = own if own in names else CITY
    chosen = where.selectbox(
        t("ui.district", language),
        options,
        index=options.index(st.session_state[DISTRICT_KEY]),
        format_func=lambda a: names.get(a, t("col.city", language)),
        key=f"{DISTRICT_KEY}_{language}",
    )
    st.session_state[DISTRICT_KEY] = chosen
    return None if chosen == CITY else chosen


def _page(location: str, stamp: data.Stamp, language: str) -> None:
    st.title(t("ui.progress_title", language))
    facts = data.store_facts(location, stamp)
    head = st.columns([1, 1, 2], vertical_alignment="bottom")
    year = head[0].selectbox(
        t("ui.year", language), facts.years, index=len(facts.years) - 1, key="progress_year"
    )
    when = data.year_end(year)
    report = data.rates(location, stamp, when)
    adcode = _district_choice(report, language, head[1])
    head[2].caption(t("ui.as_of", language, date=when.on.isoformat()))
    data.show_notices(facts, language)
    _rate_section(report, adcode, language)
    progress_maps.show(location, stamp, when, report, adcode, language)
    _trend_section(location, stamp, facts.years, adcode, language)
    _goals_section(location, stamp, when, adcode, language)


def render() -> None:
    data.run_page(_page, lang.current())
