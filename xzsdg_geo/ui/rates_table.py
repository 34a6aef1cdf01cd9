"""The rate report as a table: Chinese (or English) column names, hectares and percentages."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from ..i18n import t
from ..mapping import MISSING
from ..rates import DistrictRate, RateReport

HECTARES = ("zone_ha", "restored_ha", "gap_ha", "pace")
PERCENT = ("rate", "target")
COLUMNS = ("district", "zone_ha", "restored_ha", "rate", "target", "gap_ha", "pace", "reaches")


def _reaches(d: DistrictRate, final_year: int, lang: str) -> str:
    if d.rate_pct is None:
        return t("rates.no_zones", lang)
    return str(d.reaches_target_in) if d.reaches_target_in else t("rates.not_by", lang, year=final_year)


def frame(report: RateReport, lang: str) -> pd.DataFrame:
    """One row per district, then the city; numbers stay numbers so the table sorts."""
    rows = [
        [d.name, d.zone_ha, d.restored_ha, d.rate_pct, d.target_pct, d.gap_ha, d.pace_ha_per_year,
         _reaches(d, report.final_year, lang)]
        for d in report.districts
    ]  # fmt: skip
    c = report.city
    rows.append([t("col.city", lang), c.zone_ha, c.restored_ha, c.rate_pct, report.target_pct, c.gap_ha,
                 None, ""])  # fmt: skip
    return pd.DataFrame(rows, columns=[t(f"col.{k}", lang) for k in COLUMNS])


def styled(report: RateReport, lang: str) -> Styler:
    """Display formats only (thousands separators, %, — for no value; the city row bold)."""
    table = frame(report, lang)
    formats = {t(f"col.{k}", lang): "{:,.2f}" for k in HECTARES} | {
        t(f"col.{k}", lang): "{:.2f}%" for k in PERCENT
    }
    city = len(table) - 1
    return (
        table.style.format(formats, na_rep=MISSING)
        .hide(axis="index")
        .apply(lambda row: ["font-weight: 600" if row.name == city else ""] * len(row), axis=1)
    )


def show(report: RateReport, lang: str) -> None:
    """A static table: eleven rows need no scrolling or sorting, and keep their display formats."""
    st.table(styled(report, lang))
