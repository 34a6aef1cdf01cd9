"""Draws the map's layers with streamlit-folium, Leaflet served from this app's ``static`` folder.

``returned_objects=[]``: panning, zooming or clicking the map sends nothing back, so it never
reruns the page. streamlit-folium's frontend adds exactly the map's ``default_js``/``default_css``
as script and link tags in its iframe, so the local URLs set by ``build_map`` are all it loads.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st
from streamlit_folium import st_folium

from ..mapping import Assets, MapLayer, build_map

HEIGHT = 620


def assets() -> Assets:
    """``static/vendor`` as the browser reaches it, behind ``server.baseUrlPath`` if one is set."""
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return Assets(f"/{base}/app/static/vendor" if base else "/app/static/vendor")


def show(layers: Sequence[MapLayer], lang: str, key: str = "map") -> None:
    m = build_map(layers, lang=lang, assets=assets())
    st_folium(m, key=key, height=HEIGHT, use_container_width=True, returned_objects=[])
