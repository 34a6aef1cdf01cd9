"""The rate report as tables: Chinese (or English) column names, hectares and percentages.

The overview lists the districts in the store's order with the city last; the progress page ranks
them by rate, with the hectares still to restore. Numbers stay numbers (the tables sort); only the
display is formatted.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from ..i18n import t
from ..mapping import MISSING
from ..rates import DistrictRate, RateReport

HECTARES = ("zone_ha", "restored_ha", "remaining_ha", "gap_ha", "pace")
PERCENT = ("rate", "target")
COLUMNS = ("district", "zone_ha", "restored_ha", "rate", "target", "gap_ha", "pace", "reaches")
RANKING = ("rank", "district", "rate", "target", "gap_ha", "restored_ha", "remaining_ha", "zone_ha", "pace",
           "reaches")  # fmt: skip
BOLD = "font-weight: 600"
# Columns only the app shows; the others share the CLI's labels (col.*).
_OWN_LABELS = {"rank": "ui.col_rank", "remaining_ha": "ui.col_remaining_ha"}


def label(column: str, lang: str) -> str:
    return t(_OWN_LABELS.get(column, f"col.{column}"), lang)


def reaches_text(d: DistrictRate, final_year: int, lang: str) -> str:
    """The year the final target is reached at the district's pace, or why there is none."""
    if d.rate_pct is None:
        return t("rates.no_zones", lang)
    return str(d.reaches_target_in) if d.reaches_target_in else t("rates.not_by", lang, year=final_year)


def frame(report: RateReport, lang: str) -> pd.DataFrame:
    """One row per district, then the city."""
    rows = [
        [d.name, d.zone_ha, d.restored_ha, d.rate_pct, d.target_pct, d.gap_ha, d.pace_ha_per_year,
         reaches_text(d, report.final_year, lang)]
        for d in report.districts
    ]  # fmt: skip
    c = report.city
    rows.append([t("col.city", lang), c.zone_ha, c.restored_ha, c.rate_pct, report.target_pct, c.gap_ha,
                 None, ""])  # fmt: skip
    return pd.DataFrame(rows, columns=[label(k, lang) for k in COLUMNS])


def ranked(report: RateReport) -> list[DistrictRate]:
    """Districts with zones by rate, highest first (ties by name); those without zones last."""
    with_zones = sorted(
        (d for d in report.districts if d.rate_pct is not None), key=lambda d: (-d.rate_pct, d.name)
    )
    return with_zones + [d for d in report.districts if d.rate_pct is None]


def ranking(report: RateReport, lang: str) -> pd.DataFrame:
    """The districts ranked by rate, with the hectares still to restore; rank empty without zones."""
    rows = []
    for i, d in enumerate(ranked(report), start=1):
        rank = i if d.rate_pct is not None else None
        remaining = d.zone_ha - d.restored_ha if d.rate_pct is not None else None
        rows.append([rank, d.name, d.rate_pct, d.target_pct, d.gap_ha, d.restored_ha, remaining, d.zone_ha,
                     d.pace_ha_per_year, reaches_text(d, report.final_year, lang)])  # fmt: skip
    out = pd.DataFrame(rows, columns=[label(k, lang) for k in RANKING])
    return out.astype({label("rank", lang): "Int64"})


def styled(table: pd.DataFrame, lang: str, bold_rows: Sequence[int] = ()) -> Styler:
    """Display formats only (thousands separators, %, — for no value), some rows bold."""
    names = set(table.columns)
    formats = {label(k, lang): "{:,.2f}" for k in HECTARES if label(k, lang) in names}
    formats |= {label(k, lang): "{:.2f}%" for k in PERCENT if label(k, lang) in names}
    bold = set(bold_rows)
    return (
        table.style.format(formats, na_rep=MISSING)
        .hide(axis="index")
        .apply(lambda row: [BOLD if row.name in bold else ""] * len(row), axis=1)
    )


def show(report: RateReport, lang: str) -> None:
    """A static table: eleven rows need no scrolling or sorting, and keep their display formats."""
    table = frame(report, lang)
    st.table(styled(table, lang, bold_rows=[len(table) - 1]))


def show_ranking(report: RateReport, lang: str, selected: str | None = None) -> None:
    """The ranking; the selected district's row bold."""
    order = [d.adcode for d in ranked(report)]
    bold = [order.index(selected)] if selected in order else []
    st.table(styled(ranking(report, lang), lang, bold_rows=bold))
