"""遥感核查 / Remote sensing: each completed parcel coloured by its verdict over the latest NDVI
image, the verified share beside the declared rate per district, and the parcels the images
contradict (the same checks as ``xzsdg verify``)."""

from __future__ import annotations

import folium
import pandas as pd
import streamlit as st

from ..i18n import t
from ..layers import get_layer
from ..mapping import enum_label, map_layers
from ..progress.report import ProgressReport
from ..rasters.verify import verify_parcels
from ..textfmt import fmt_num
from ..verify_map import ImageOverlay, ndvi_overlay, verdict_layer
from ..when import When
from . import data, lang, map_tools, map_view


@st.cache_data(show_spinner=False, max_entries=4)
def _checks(location: str, stamp: data.Stamp) -> ProgressReport:
    with data._opened(location) as store:  # the page module's one way to a store
        return verify_parcels(store)


@st.cache_data(show_spinner=False, max_entries=4)
def _image(location: str, stamp: data.Stamp) -> ImageOverlay | None:
    with data._opened(location) as store:
        return ndvi_overlay(store)


def _image_group(image: ImageOverlay, language: str) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name=t("maptools.verify_image", language, date=image.acquired_on))
    w, s, e, n = image.bounds
    folium.raster_layers.ImageOverlay(image.data_url, bounds=[[s, w], [n, e]], interactive=False).add_to(
        group
    )
    return group


def _pct(value: float | None) -> str:
    return f"{fmt_num(value)}%" if value is not None else "—"


def _table(report: ProgressReport, location: str, stamp: data.Stamp, language: str) -> None:
    rates = {d.adcode: d for d in data.rates(location, stamp, When(report.as_of)).districts}
    rows = [
        (d.name, _pct(rates[d.adcode].rate_pct if d.adcode in rates else None), _pct(d.totals.verified_pct),
         d.totals.counts.get("contradicted", 0))
        for d in report.districts
        if d.totals.parcels
    ]  # fmt: skip
    columns = [
        t(f"maptools.verify_col_{c}", language) for c in ("district", "declared", "verified", "contradicted")
    ]
    st.subheader(t("maptools.verify_table", language))
    st.table(pd.DataFrame(rows, columns=columns), hide_index=True)


def _faults(report: ProgressReport, language: str) -> None:
    faults = [c for c in report.items if c.verdict == "contradicted"]
    st.subheader(t("maptools.verify_faults", language))
    names = {d.adcode: d.name for d in report.districts}
    measure = get_layer("restoration_parcels").field("measure")
    frame = pd.DataFrame(
        [
            (
                c.feature_id,
                c.name,
                names.get(c.adcode, "—"),
                enum_label(measure, c.measure, language),
                _verdict(c.verdict, language),
            )
            for c in faults
        ],
        columns=[t(f"verify.col.{k}", language) for k in ("parcel", "name", "district", "measure")]
        + [t("maptools.verify_verdict", language)],
    )
    st.table(frame, hide_index=True)


def _verdict(code: str, language: str) -> str:
    return t(f"verify.verdict.{code}", language)


def _page(location: str, stamp: data.Stamp, language: str) -> None:
    st.title(t("pages.nav_verify", language))
    st.caption(t("maptools.verify_intro", language))
    with st.spinner(t("ui.loading", language)):
        report = _checks(location, stamp)
        image = _image(location, stamp)
    if image is None:
        st.info(t("maptools.verify_no_images", language))
    when = When.today()
    parcels = map_tools.layer_frame(location, stamp, when, "restoration_parcels")
    layers = map_layers({"districts": map_tools.layer_frame(location, stamp, when, "districts")}, language)
    verdicts = verdict_layer(parcels, report.items, language)
    if verdicts is not None:
        layers.append(verdicts)
    extra = [_image_group(image, language)] if image is not None else []
    map_view.show_map(layers, language, key="verify_map", extra=extra)
    _table(report, location, stamp, language)
    _faults(report, language)


def render() -> None:
    data.run_page(_page, lang.current())
