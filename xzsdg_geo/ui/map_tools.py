"""The overview's map panels beside the map itself: print / export the current view, the zoom a
district panel asks for, and the attribute table (filter, sort, select → zoom and outline on the
map, export the filtered rows). Kept out of the page module so the page only calls them.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st
from shapely.geometry import mapping, shape

from .. import attribute_table
from ..errors import UserError
from ..i18n import t
from ..layers import all_layers
from ..map_print import Format, Orientation, Paper, PrintRequest, check_bbox, render
from ..mapping import trim
from ..rates import on_the_ground
from ..when import When
from . import data, lang
from .map_view import Bounds, Focus

PRINT_KEY = "maptools_print"  # the print panel is open: the map reports its view
ZOOM_KEY = "maptools_zoom"  # the district the panel asked the map to zoom to
TABLE_KEY = "maptools_table"  # the attribute table (its selection)
TABLE_LAYER_KEY = "maptools_table_layer"
TABLE_FILTER_KEY = "maptools_table_filter"


def print_wanted() -> bool:
    """Whether the map should report its view (only while the print panel is open: every pan reruns)."""
    return bool(st.session_state.get(PRINT_KEY))


def zoom_button(adcode: str, language: str) -> None:
    """In a district's panel: zoom the map to the district."""
    if st.button(t("maptools.zoom_panel", language), key=f"maptools_zoom_{adcode}"):
        st.session_state[ZOOM_KEY] = adcode


def _selected_geometry(location: str, stamp: data.Stamp, when: When, gcj02: bool) -> dict | None:
    """The attribute table's selected row as GeoJSON in the map's coordinates, if a row is selected."""
    state = st.session_state.get(TABLE_KEY) or {}  # the dataframe's selection state (a dict)
    rows = list((state.get("selection") or {}).get("rows") or [])
    layer = st.session_state.get(TABLE_LAYER_KEY)
    if not rows or layer not in all_layers():
        return None
    frame = layer_frame(location, stamp, when, layer)
    shown = _filtered(
        location, stamp, when, layer, str(st.session_state.get(TABLE_FILTER_KEY) or ""), lang.current()
    )
    if rows[0] >= len(shown):
        return None
    geometry = attribute_table.geometry_of(frame, shown.index[rows[0]])
    if geometry is None or not gcj02:
        return geometry
    return mapping(trim(np.array([shape(geometry)], dtype=object), gcj02=True)[0])


def focus(location: str, stamp: data.Stamp, when: When, gcj02: bool = False) -> Focus | None:
    """Where the map should go: the attribute table's selected feature, else the district the panel
    asked for."""
    geometry = _selected_geometry(location, stamp, when, gcj02)
    if geometry is not None:
        return Focus(geometry=geometry)
    adcode = st.session_state.get(ZOOM_KEY)
    if not adcode:
        return None
    outlines = data.district_outlines(location, stamp, when)
    rows = outlines[outlines["adcode"].astype(str) == adcode]
    if rows.empty:
        return None
    return Focus(bounds=tuple(float(v) for v in rows.total_bounds))


@st.cache_data(show_spinner=False, max_entries=8)
def _printed(location: str, stamp: data.Stamp, when: When, request: PrintRequest) -> bytes:
    with data._opened(location) as store:  # the page module's one way to a store
        frames = {name: store.features(name, known_at=when.known_at) for name in data.all_layers()}
    frames = on_the_ground(frames, when.on)
    return render(frames, request)


def print_panel(location: str, stamp: data.Stamp, when: When, view: Bounds | None, language: str) -> None:
    """Paper, orientation and format; the map of the view the map reported (else the whole city)."""
    if not st.toggle(t("maptools.print_toggle", language), key=PRINT_KEY):
        return
    st.caption(t("maptools.print_help", language))
    cols = st.columns(3)
    paper = cols[0].selectbox(t("maptools.print_size", language), list(Paper), key="maptools_paper")
    orientation = cols[1].selectbox(
        t("maptools.print_orientation", language),
        list(Orientation),
        format_func=lambda o: t(f"maptools.print_{o.value}", language),
        key="maptools_orientation",
    )
    fmt = cols[2].selectbox(
        t("maptools.print_format", language),
        list(Format),
        format_func=lambda f: f.upper(),
        key="maptools_format",
    )
    bbox = None
    if view is not None:
        try:
            bbox = check_bbox(view)
        except UserError:
            bbox = None
    if bbox is None:
        st.caption(t("maptools.print_view_city", language))
    request = PrintRequest(bbox, paper, orientation, fmt, language, when.on)
    if st.button(t("maptools.print_make", language), key="maptools_make"):
        name = f"xzsdg-map-{when.on.isoformat()}-{paper.value}-{orientation.value}.{fmt.value}"
        body = _printed(location, stamp, when, request)
        mime = "application/pdf" if fmt is Format.PDF else "image/png"
        st.download_button(t("maptools.print_download", language, name=name), body, file_name=name, mime=mime,
                           key="maptools_download")  # fmt: skip


@st.cache_data(show_spinner=False, max_entries=16)
def layer_frame(location: str, stamp: data.Stamp, when: When, layer: str) -> gpd.GeoDataFrame:
    """One layer's features on the ground at ``when`` (as the rate counts them)."""
    with data._opened(location) as store:  # the page module's one way to a store
        frame = store.features(layer, known_at=when.known_at)
    return on_the_ground({layer: frame}, when.on)[layer]


@st.cache_data(show_spinner=False, max_entries=32)
def _filtered(
    location: str, stamp: data.Stamp, when: When, layer: str, text: str, language: str
) -> pd.DataFrame:
    rows = attribute_table.table(all_layers()[layer], layer_frame(location, stamp, when, layer), language)
    return rows[attribute_table.matches(rows, text)]


def attribute_panel(location: str, stamp: data.Stamp, when: When, language: str) -> None:
    """A layer's features as a table: filter by any text, sort by a header, select a row to zoom to
    it and outline it on the map, export what the filter left as CSV."""
    st.subheader(t("maptools.table_heading", language))
    specs = all_layers()
    cols = st.columns([1, 2])
    layer = cols[0].selectbox(
        t("maptools.table_layer", language), list(specs), format_func=lambda n: specs[n].title(language),
        key=TABLE_LAYER_KEY, index=list(specs).index("restoration_parcels"),
    )  # fmt: skip
    text = cols[1].text_input(
        t("maptools.table_filter", language),
        key=TABLE_FILTER_KEY,
        placeholder=t("maptools.table_filter_placeholder", language),
    )
    frame = layer_frame(location, stamp, when, layer)
    shown = _filtered(location, stamp, when, layer, text, language)
    st.caption(t("maptools.table_rows", language, shown=len(shown), total=len(frame)) + " · "
               + t("maptools.table_select_help", language))  # fmt: skip
    st.dataframe(shown, key=TABLE_KEY, on_select="rerun", selection_mode="single-row", hide_index=True,
                 use_container_width=True, height=320)  # fmt: skip
    name = f"{layer}-{when.on.isoformat()}.csv"
    st.download_button(t("maptools.table_export", language), shown.to_csv(index=False).encode("utf-8-sig"),
                       file_name=name, mime="text/csv", key="maptools_table_csv")  # fmt: skip
