"""历史 / History: the audit log, a feature's versions, and a district's rate year by year.

The audit log is the record of every write (exportable as CSV for Excel); a feature's timeline
shows each version with who recorded it and from which submission or import; a district's rate
by year is the real-world state at each year's end as known now (cached, shared with the
overview); "as reported on …" shows a year's figures as the store held them at the end of a chosen
day beside today's, with the recorded changes since that explain the difference. Run as a page
script by ``st.navigation`` (hence the absolute imports and the
``__main__`` guard).
"""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

from xzsdg_geo.dates import today_cst
from xzsdg_geo.i18n import t
from xzsdg_geo.layers import all_layers, get_layer
from xzsdg_geo.services import audit, history, reported
from xzsdg_geo.services.history import VersionRow
from xzsdg_geo.store.base import AuditEntry
from xzsdg_geo.textfmt import fmt_num
from xzsdg_geo.ui import auth, data, lang, widgets, workflow
from xzsdg_geo.when import end_of_day

SECTIONS = ("audit", "feature", "district", "reported")
SECTION_LABELS = {"reported": "clocks.section_reported"}
AUDIT_ROWS_SHOWN = 1000


# -- the audit log --------------------------------------------------------------------------------
def _audit_frame(rows: list[AuditEntry], language: str) -> pd.DataFrame:
    body = [
        (widgets.local_time(e.at), e.actor, widgets.action_label(e.action, language), e.submission_id,
         widgets.layer_title(e.layer, language) if e.layer else "", len(e.feature_ids),
         "、".join(e.feature_ids[:5]) + ("…" if len(e.feature_ids) > 5 else ""))
        for e in reversed(rows[-AUDIT_ROWS_SHOWN:])
    ]  # fmt: skip
    keys = ("at", "actor", "action", "submission", "layer", "n", "features")
    return pd.DataFrame(body, columns=[t(f"pages.audit_{k}", language) for k in keys])


def _audit(language: str) -> None:
    since = st.date_input(t("pages.since", language), value=None, key="audit_since")
    rows = workflow.read(lambda store: audit.entries(store, auth.principal(), since))
    if rows is None:
        return
    st.download_button(
        t("pages.audit_csv", language),
        audit.to_csv(rows),
        file_name=f"xzsdg-audit-{today_cst().isoformat()}.csv",
        mime="text/csv",
    )
    if len(rows) > AUDIT_ROWS_SHOWN:
        st.caption(t("pages.audit_truncated", language, n=AUDIT_ROWS_SHOWN, total=len(rows)))
    st.dataframe(_audit_frame(rows, language), hide_index=True, width="stretch")


# -- a feature ------------------------------------------------------------------------------------
def _versions_frame(rows: list[VersionRow], language: str) -> pd.DataFrame:
    spec = get_layer(rows[0].layer)
    measure = "pages.col_length" if spec.is_line else "pages.col_area"
    columns = [t(f"pages.hist_{k}", language) for k in ("version", "from", "to", "by", "source")]
    columns += [t(measure, language)] + [f.label_zh if language == "zh" else f.label_en for f in spec.fields]
    body = [
        [
            r.version,
            widgets.local_time(r.valid_from),
            widgets.local_time(r.valid_to),
            r.recorded_by,
            r.source,
            round(r.measure, 2),
            *(widgets.plain_value(f, r.properties.get(f.name), language) for f in spec.fields),
        ]
        for r in rows
    ]
    return pd.DataFrame(body, columns=columns)


def _feature(language: str) -> None:
    cols = st.columns([2, 1])
    fid = cols[0].text_input(t("pages.feature_id", language), key="hist_fid").strip()
    names = ["", *all_layers()]
    layer = cols[1].selectbox(
        t("pages.layer", language),
        names,
        key="hist_layer",
        format_func=lambda n: widgets.layer_title(n, language) if n else t("pages.all", language),
    )
    if not fid:
        return
    rows = workflow.read(lambda store: history.timeline(store, fid, layer or None))
    if rows:
        title = widgets.layer_title(rows[0].layer, language)
        st.caption(t("pages.hist_found", language, id=widgets.md(fid), layer=title, n=len(rows)))
        st.dataframe(_versions_frame(rows, language), hide_index=True, width="stretch")


# -- a district -----------------------------------------------------------------------------------
def _district_years(adcode: str, language: str) -> pd.DataFrame:
    """The district's rate and target at each year's end, from the first year with data."""
    location, stamp = workflow.store_key()
    years = data.store_facts(location, stamp).years
    bar = st.progress(0.0, text=t("pages.computing_years", language))
    rows = []
    for i, year in enumerate(years):
        report = data.rates(location, stamp, data.year_end(year))
        d = next(d for d in report.districts if d.adcode == adcode)
        rows.append((year, d.rate_pct, d.target_pct, d.restored_ha, d.zone_ha))
        bar.progress((i + 1) / len(years), text=t("pages.computing_years", language))
    bar.empty()
    return pd.DataFrame(rows, columns=["year", "rate", "target", "restored", "zone"])


def _chart(frame: pd.DataFrame, language: str) -> alt.Chart:
    rate, target = t("pages.series_rate", language), t("pages.series_target", language)
    long = frame.melt(id_vars="year", value_vars=["rate", "target"], var_name="series", value_name="pct")
    long["series"] = long["series"].map({"rate": rate, "target": target})
    return (
        alt.Chart(long.dropna())
        .mark_line(point=True)
        .encode(
            x=alt.X("year:O", title=t("pages.year", language), axis=alt.Axis(labelAngle=0)),
            y=alt.Y("pct:Q", title=t("pages.rate_axis", language), scale=alt.Scale(zero=False)),
            color=alt.Color(
                "series:N",
                title=None,
                scale=alt.Scale(domain=[rate, target], range=["#31a354", "#d62728"]),
                legend=alt.Legend(orient="top", symbolType="stroke"),
            ),
            strokeDash=alt.StrokeDash(
                "series:N", legend=None, scale=alt.Scale(domain=[rate, target], range=[[1, 0], [6, 4]])
            ),
            tooltip=["year:O", "series:N", alt.Tooltip("pct:Q", format=".2f")],
        )
    )


def _district(language: str) -> None:
    names = workflow.district_names(*workflow.store_key())
    codes = list(names)
    own = st.session_state.get(auth.DISTRICT_KEY)
    adcode = st.selectbox(
        t("pages.district", language),
        codes,
        index=codes.index(own) if own in codes else 0,
        format_func=names.__getitem__,
        key="hist_district",
    )
    frame = _district_years(adcode, language)
    st.altair_chart(_chart(frame, language), width="stretch")
    table = _year_table(frame, language)
    right = {c: st.column_config.TextColumn(alignment="right") for c in table.columns}
    rows_px = 35 * (len(table) + 1) + 3  # every year in view, no inner scrolling
    st.dataframe(table, hide_index=True, width="stretch", height=rows_px, column_config=right)


def _year_table(frame: pd.DataFrame, language: str) -> pd.DataFrame:
    """The figures as the overview's table writes them (thousands separators, — for none)."""
    columns = {"year": frame["year"].astype(str)}
    for k in ("rate", "target", "restored", "zone"):
        columns[k] = frame[k].map(lambda v: fmt_num(None if pd.isna(v) else float(v)))
    return pd.DataFrame(columns).rename(columns={k: t(f"pages.district_{k}", language) for k in columns})


# -- as reported on … ------------------------------------------------------------------------------
def _comparison_frame(comparison: reported.Comparison, language: str) -> pd.DataFrame:
    def pct(value: float | None) -> str:
        return fmt_num(value, 2)

    body = [
        (name or t("col.city", language), pct(then), pct(now),
         pct(None if then is None or now is None else now - then))
        for name, then, now in comparison.district_rows()
    ]  # fmt: skip
    keys = ("district", "then", "now", "change")
    return pd.DataFrame(body, columns=[t(f"clocks.col_{k}", language) for k in keys])


def _reported(language: str) -> None:
    """A year's figures as the store held them at the end of a day, beside today's."""
    cols = st.columns(2)
    today = today_cst()
    on = cols[0].date_input(
        t("clocks.reported_on", language),
        value=today - dt.timedelta(days=30),
        max_value=today,
        key="reported_on",
    )
    years = list(range(today.year, 2011, -1))
    default = years.index(on.year - 1) if on.month == 1 and on.year - 1 in years else years.index(on.year)
    year = cols[1].selectbox(t("ui.year", language), years, index=default, key="reported_year")
    day = min(dt.date(year, 12, 31), today)
    comparison = workflow.read(lambda store: reported.compare(store, auth.principal(), day, end_of_day(on)))
    if comparison is None:
        return
    st.caption(t("clocks.reported_caption", language, day=day.isoformat(), on=on.isoformat()))
    st.dataframe(_comparison_frame(comparison, language), hide_index=True, width="stretch")
    st.subheader(t("clocks.changes_heading", language, n=len(comparison.changes)))
    if comparison.changes:
        st.dataframe(_audit_frame(comparison.changes, language), hide_index=True, width="stretch")
    else:
        st.caption(t("clocks.no_changes", language))


def render() -> None:
    language = lang.current()
    st.title(t("pages.nav_history", language))
    section = st.radio(
        t("pages.section", language),
        SECTIONS,
        horizontal=True,
        key="hist_section",
        format_func=lambda s: t(SECTION_LABELS.get(s, f"pages.section_{s}"), language),
        label_visibility="collapsed",
    )
    sections = {"audit": _audit, "feature": _feature, "district": _district, "reported": _reported}
    sections[section](language)


if __name__ == "__main__":
    render()
