"""Draws the overview map with streamlit-folium, Leaflet served from this app's ``static`` folder,
and the basemap choice.

What makes the map cheap to interact with:

- ``returned_objects=["last_object_clicked"]``: panning and zooming send nothing back; a click on a
  feature sends its position only (the page turns it into the district clicked, in a fragment).
- The year's layers and the legend go as ``feature_group_to_add``: the map script itself (basemap,
  district outlines, lakes) is the same from one year to the next, so streamlit-folium keeps the
  map and swaps those layers instead of mounting a new map.

streamlit-folium's frontend adds exactly the map's ``default_js``/``default_css`` as script and
link tags in its iframe, so the local URLs set by ``build_view`` are all it loads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import folium
import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit_folium import st_folium

from .. import basemaps
from ..basemaps import Basemap, BasemapConfig, Secrets, Tiles
from ..errors import UserError
from ..i18n import t
from ..mapping import Assets, MapLayer, build_view, focus_group, ground_point

HEIGHT = 620
RETURNED = ["last_object_clicked"]
# While the print panel is open the map also reports its view (every pan then reruns the fragment).
RETURNED_WITH_VIEW = ["last_object_clicked", "bounds"]
BASEMAP_KEY = "basemap"
Bounds = tuple[float, float, float, float]  # lon/lat: west, south, east, north


@dataclass(frozen=True)
class Focus:
    """Where the map should go without being mounted again: a feature to outline (GeoJSON geometry,
    in the map's coordinates) or a view to fit."""

    geometry: dict | None = None
    bounds: Bounds | None = None
    fit: bool = True  # zoom to the outlined feature (else only outline it)


@dataclass(frozen=True)
class Shown:
    """What the map reported: the ground (lon, lat) of the last feature clicked, and its view."""

    clicked: tuple[float, float] | None
    view: Bounds | None


def assets() -> Assets:
    """``static`` as the browser reaches it, behind ``server.baseUrlPath`` if one is set."""
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return Assets(f"/{base}/app/static" if base else "/app/static")


def _view(value: dict) -> Bounds | None:
    b = value.get("bounds") or {}
    sw, ne = b.get("_southWest") or {}, b.get("_northEast") or {}
    if not sw.get("lng") or not ne.get("lng"):
        return None
    return (float(sw["lng"]), float(sw["lat"]), float(ne["lng"]), float(ne["lat"]))


def show_map(
    layers: Sequence[MapLayer],
    lang: str,
    tiles: Tiles | None = None,
    key: str = "map",
    focus: Focus | None = None,
    report_view: bool = False,
    extra: Sequence[folium.FeatureGroup] = (),
) -> Shown:
    """Draws the map (moved to ``focus`` if given, ``extra`` groups under the layers, such as an
    image); returns what it reported."""
    view = build_view(layers, lang=lang, assets=assets(), tiles=tiles)
    groups = [*extra, *view.groups]
    if focus is not None:
        groups.append(focus_group(focus.geometry, focus.bounds, focus.fit))
    value = (
        st_folium(
            view.map,
            key=key,
            height=HEIGHT,
            use_container_width=True,
            returned_objects=RETURNED_WITH_VIEW if report_view else RETURNED,
            feature_group_to_add=groups,
            layer_control=view.control,
        )
        or {}
    )
    clicked = value.get("last_object_clicked")
    point = ground_point(clicked["lat"], clicked["lng"], bool(tiles and tiles.gcj02)) if clicked else None
    return Shown(point, _view(value) if report_view else None)


def show(
    layers: Sequence[MapLayer], lang: str, tiles: Tiles | None = None, key: str = "map"
) -> tuple[float, float] | None:
    """Draws the map; returns the (lon, lat) on the ground of the last feature clicked, if any."""
    return show_map(layers, lang, tiles, key).clicked


def secrets(config: BasemapConfig) -> Secrets:
    """The secrets.toml sections the basemaps name, as plain tables (none without a secrets file)."""
    sections = {b.key for b in config.basemaps.values() if b.key}
    try:
        return {s: dict(st.secrets[s]) for s in sections if s in st.secrets}
    except FileNotFoundError:  # no secrets.toml at all
        return {}


def _label(basemap: Basemap, keys: Secrets, lang: str) -> str:
    if basemap.available(keys):
        return basemap.title(lang)
    return t("basemap.needs_key", lang, basemap=basemap.title(lang))


def choose(lang: str, where: DeltaGenerator) -> Tiles | None:
    """The basemap select box (the configured default first time); the tiles to draw, if any.

    A basemap whose key is not configured stays listed, and choosing it says how to configure it.
    The box is keyed by language (its labels change with it; the choice is kept in ``BASEMAP_KEY``).
    """
    config = basemaps.load()
    keys = secrets(config)
    names = list(config.basemaps)
    if st.session_state.get(BASEMAP_KEY) not in names:
        st.session_state[BASEMAP_KEY] = config.default_for(keys).name
    name = where.selectbox(
        t("basemap.label", lang),
        names,
        index=names.index(st.session_state[BASEMAP_KEY]),
        format_func=lambda n: _label(config.basemaps[n], keys, lang),
        key=f"{BASEMAP_KEY}_{lang}",
    )
    st.session_state[BASEMAP_KEY] = name
    try:
        tiles = config.get(name).resolve(keys)
    except UserError as err:
        st.warning(err.message(lang))
        return None
    if tiles is not None:
        st.caption(t("basemap.online_note_gcj02" if tiles.gcj02 else "basemap.online_note", lang))
    return tiles


def settings_section(lang: str) -> None:
    """For administrators: the basemap the overview opens with, saved to ``config/basemaps.toml``."""
    config = basemaps.load()
    keys = secrets(config)
    names = list(config.basemaps)
    st.subheader(t("basemap.settings_heading", lang))
    st.caption(t("basemap.settings_help", lang))
    name = st.selectbox(
        t("basemap.default_label", lang),
        names,
        index=names.index(config.default),
        format_func=lambda n: _label(config.basemaps[n], keys, lang),
        key=f"basemap_default_{lang}",  # labels change with the language
    )
    chosen = config.basemaps[name]
    if not chosen.available(keys):
        st.warning(t("basemap.default_needs_key", lang, basemap=chosen.title(lang), section=chosen.key))
    if st.button(t("basemap.save", lang), key="basemap_save", disabled=name == config.default):
        try:
            basemaps.save_default(name)
        except UserError as err:
            st.error(err.message(lang))
            return
        st.session_state.pop(BASEMAP_KEY, None)  # this session opens on the new default too
        st.success(t("basemap.saved", lang, basemap=chosen.title(lang)))
