"""The 指标 page's trend chart: one indicator's values by year against its target."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ..i18n import t
from ..indicators.catalog import indicators
from ..indicators.trend import trend
from . import workflow


def panel(language: str) -> None:
    """A select of the 40 indicators and the chosen one's actual and target lines."""
    st.subheader(t("maptools.trend_heading", language))
    every = indicators()
    no = st.selectbox(t("maptools.trend_pick", language), list(every), key="indicator_trend_no",
                      format_func=lambda n: f"{n}. {every[n].name_zh}（{every[n].unit}）")  # fmt: skip
    points = workflow.read(lambda store: trend(store, every[no]))
    if points is None:
        return
    actual, target = t("maptools.trend_actual", language), t("maptools.trend_target", language)
    frame = pd.DataFrame(
        {actual: [p.value for p in points], target: [p.target for p in points]},
        index=pd.Index([str(p.year) for p in points], name=t("maptools.trend_year", language)),
    )
    if frame[actual].isna().all():
        st.caption(t("maptools.trend_none", language))
    st.line_chart(frame, y=[actual, target], color=["#117733", "#CC3311"], y_label=every[no].unit)
