"""预测 / Prediction: where the ground will still sink, which zones have settled (稳沉), and what new
subsidence does to each district's rate at the plan's end.

A date slider through time (year ends to 2030, or the final basin); the predicted zones by severity
over the districts, surveyed zones and working faces; predicted vs surveyed areas; the rate
consequence per district; stability per zone and the parcels to look at again. Run as a page script.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import geopandas as gpd
import pandas as pd
import shapely
import streamlit as st

from xzsdg_geo.config import targets
from xzsdg_geo.geo import STORE_CRS
from xzsdg_geo.i18n import t
from xzsdg_geo.layers import LayerSpec, get_layer
from xzsdg_geo.mapping import layer_data
from xzsdg_geo.prediction.parameters import prediction_config
from xzsdg_geo.services import prediction as svc
from xzsdg_geo.store import open_store
from xzsdg_geo.textfmt import fmt_num
from xzsdg_geo.ui import data, lang, map_view

FIRST_YEAR, LAST_YEAR = 2024, 2030
FINAL = "final"
CELL_M = 20.0  # the page's grid: a quarter of the cells of the CLI's default, the same zones to ~1 %
MAP_LAYERS = ("districts", "subsidence_zones", "working_faces")


@dataclasses.dataclass(frozen=True)
class PageFigures:
    """What one date's page shows, computed once per store stamp and date."""

    zones: gpd.GeoDataFrame
    influence: gpd.GeoDataFrame
    comparison: svc.Comparison | None
    max_mm: float
    effects: list[svc.DistrictEffect]
    stability: svc.StabilityReport
    frames: dict[str, gpd.GeoDataFrame]


# A resource (shared, never mutated), as the overview's layers: the figures are defined in this page
# script, whose classes do not pickle.
@st.cache_resource(show_spinner=False, max_entries=8)
def figures(location: str, stamp: data.Stamp, on: dt.date | None) -> PageFigures | None:
    store = open_store(location)
    try:
        if store.features("working_faces", fields=()).empty:
            return None
        prediction = svc.predict(store, on, cell_m=CELL_M)
        effects = svc.rate_consequence(store, prediction, targets().final_year)
        report = svc.stability(store, min(on or dt.date.today(), dt.date.today()))
        area = shapely.box(*prediction.influence.bounds).buffer(0.02)  # the map opens on the prediction
        frames = {name: _near(store.features(name), area) for name in MAP_LAYERS}
    finally:
        store.close()
    return PageFigures(
        svc.zones_frame(prediction),
        svc.influence_frame(prediction),
        prediction.comparison,
        prediction.max_mm,
        effects,
        report,
        frames,
    )


def _near(frame: gpd.GeoDataFrame, area: shapely.Geometry) -> gpd.GeoDataFrame:
    """The features within reach of the prediction, cut to its box (so the map opens on it)."""
    near = frame[frame.geometry.intersects(area)].copy()
    near.geometry = near.geometry.intersection(area)
    return near


def _shown_as(name: str, fields: tuple[str, ...], style: dict) -> LayerSpec:
    """A declared layer's spec, renamed and restyled, to draw a derived layer (predicted zones, the
    boundary of influence) with the map code that draws the store's layers."""
    spec = get_layer("subsidence_zones")
    return dataclasses.replace(
        spec,
        name=name,
        title_zh=t(f"prediction.{name}", "zh"),
        title_en=t(f"prediction.{name}", "en"),
        fields=tuple(f for f in spec.fields if f.name in fields),
        style=style,
    )


def _derived_layers(fig: PageFigures, language: str) -> list:
    look = prediction_config().style
    zones = _shown_as(
        "predicted_zones",
        ("severity",),
        {"field": "severity", "weight": 1, "fill_opacity": look.fill_opacity, "colors": look.colors},
    )
    edge = _shown_as(
        "influence_boundary",
        ("name",),
        {"color": look.influence_color, "weight": 2, "fill_opacity": 0.0, "dash_array": "4 4"},
    )
    frame = gpd.GeoDataFrame(fig.zones[["severity"]], geometry=fig.zones.geometry.values, crs=STORE_CRS)
    return [
        layer_data(edge, fig.influence.assign(name=t("prediction.influence_boundary", language)), language),
        layer_data(zones, frame[~frame.geometry.is_empty], language),
    ]


def _map(fig: PageFigures, language: str) -> None:
    layers = [layer_data(get_layer(name), fig.frames[name], language) for name in MAP_LAYERS]
    layers += _derived_layers(fig, language)
    map_view.show([x for x in layers if x is not None], language, key="prediction_map")


def _pct(value: float | None) -> str:
    return fmt_num(value, 2) + " %" if value is not None else "—"


def _effects(fig: PageFigures, language: str) -> None:
    year = targets().final_year
    st.subheader(t("prediction.effects_title", language, year=year))
    rows = [
        (e.name, fmt_num(e.zone_ha), fmt_num(e.new_ha), _pct(e.rate_pct), _pct(e.rate_with_new_pct))
        for e in fig.effects
        if e.zone_ha > 0 or e.new_ha > 0
    ]
    keys = ("district", "zone_ha", "new_ha", "rate", "rate_with_new")
    st.table(pd.DataFrame(rows, columns=[t(f"prediction.col.{k}", language) for k in keys]), hide_index=True)
    for e in fig.effects:
        if e.new_ha > 0:
            st.warning(
                t(
                    "predict.effect",
                    language,
                    district=e.name,
                    new=fmt_num(e.new_ha),
                    year=year,
                    before=_pct(e.rate_pct),
                    after=_pct(e.rate_with_new_pct),
                )
            )


def _stability(fig: PageFigures, language: str) -> None:
    report = fig.stability
    st.subheader(t("prediction.stability_title", language, date=report.on.isoformat()))
    rows = [
        (
            z.zone_id,
            z.name,
            t(f"stability.verdict.{z.verdict.value}", language),
            z.points,
            t("stability.yes", language) if z.under_faces else "",
        )
        for z in report.zones
        if z.points or z.under_faces
    ]
    keys = ("zone", "name", "verdict", "points", "under")
    st.table(pd.DataFrame(rows, columns=[t(f"stability.col.{k}", language) for k in keys]), hide_index=True)
    st.markdown(
        t(
            "stability.planned",
            language,
            n=len(report.planned_on_unstable),
            ids="、".join(report.planned_on_unstable) or "—",
        )
    )
    st.markdown(
        t(
            "stability.restored",
            language,
            n=len(report.restored_over_faces),
            ids="、".join(report.restored_over_faces) or "—",
        )
    )


def _date(choice: int | str) -> dt.date | None:
    return None if choice == FINAL else dt.date(int(choice), 12, 31)


def body(location: str, stamp: data.Stamp, language: str) -> None:
    options = [*range(FIRST_YEAR, LAST_YEAR + 1), FINAL]
    choice = st.select_slider(
        t("prediction.date", language),
        options=options,
        value=targets().final_year,
        format_func=lambda o: t("predict.final", language) if o == FINAL else str(o),
    )
    fig = figures(location, stamp, _date(choice))
    if fig is None:
        st.info(t("prediction.no_faces", language))
        return
    c = fig.comparison
    cols = st.columns(3)
    cols[0].metric(t("prediction.max", language), f"{fmt_num(fig.max_mm, 0)} mm")
    cols[1].metric(t("prediction.predicted_ha", language), fmt_num(c.predicted_ha if c else None))
    cols[2].metric(t("prediction.new_ha", language), fmt_num(c.new_ha if c else None))
    _map(fig, language)
    _effects(fig, language)
    _stability(fig, language)


def render() -> None:
    language = lang.current()
    st.title(t("pages.nav_prediction", language))
    st.caption(t("prediction.caption", language))
    data.run_page(body, language)


if __name__ == "__main__":
    render()
