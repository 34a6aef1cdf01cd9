"""The 进度 page's maps: the city with each district coloured by its rate against the target (the
chosen district — a head's own at first — outlined), and the chosen district's own map (the
overview's layers, zoomed to it). The progress page only calls :func:`show`."""

from __future__ import annotations

import streamlit as st
from shapely.geometry import mapping

from ..i18n import t
from ..mapping import map_layers
from ..rates import RateReport
from ..standing_map import standing_layer
from ..when import When
from . import data, map_tools, map_view


def show(location: str, stamp: data.Stamp, when: When, report: RateReport, adcode: str | None,
         language: str) -> None:  # fmt: skip
    districts = map_tools.layer_frame(location, stamp, when, "districts")
    chosen = districts[districts["adcode"].astype(str) == str(adcode)] if adcode else districts.iloc[:0]
    left, right = st.columns(2)
    with left:
        st.subheader(t("maptools.progress_city_map", language))
        layers = map_layers({"districts": districts}, language)
        standing = standing_layer(districts, report, language)
        if standing is not None:
            layers.append(standing)
        outline = (
            map_view.Focus(geometry=mapping(chosen.geometry.iloc[0]), fit=False) if len(chosen) else None
        )
        map_view.show_map(layers, language, key="progress_city_map", focus=outline)
    with right:
        if not len(chosen):
            st.info(t("maptools.progress_pick_district", language))
            return
        st.subheader(t("maptools.progress_district_map", language, district=chosen["name"].iloc[0]))
        own = data.layers(location, stamp, when, language)
        bounds = tuple(float(v) for v in chosen.total_bounds)
        map_view.show_map(own, language, key="progress_district_map", focus=map_view.Focus(bounds=bounds))
