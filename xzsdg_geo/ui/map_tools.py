"""The overview's map panels beside the map itself: print / export the current view, and the zoom a
district panel asks for. Kept out of the page module so the page only calls them.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from ..errors import UserError
from ..i18n import t
from ..map_print import Format, Orientation, Paper, PrintRequest, check_bbox, render
from . import data
from .map_view import Bounds, Focus

PRINT_KEY = "maptools_print"  # the print panel is open: the map reports its view
ZOOM_KEY = "maptools_zoom"  # the district the panel asked the map to zoom to


def print_wanted() -> bool:
    """Whether the map should report its view (only while the print panel is open: every pan reruns)."""
    return bool(st.session_state.get(PRINT_KEY))


def zoom_button(adcode: str, language: str) -> None:
    """In a district's panel: zoom the map to the district."""
    if st.button(t("maptools.zoom_panel", language), key=f"maptools_zoom_{adcode}"):
        st.session_state[ZOOM_KEY] = adcode


def focus(location: str, stamp: data.Stamp, day: dt.date) -> Focus | None:
    """The zoom the panel asked for, as the map takes it."""
    adcode = st.session_state.get(ZOOM_KEY)
    if not adcode:
        return None
    outlines = data.district_outlines(location, stamp, day)
    rows = outlines[outlines["adcode"].astype(str) == adcode]
    if rows.empty:
        return None
    return Focus(bounds=tuple(float(v) for v in rows.total_bounds))


@st.cache_data(show_spinner=False, max_entries=8)
def _printed(location: str, stamp: data.Stamp, day: dt.date, request: PrintRequest) -> bytes:
    with data._opened(location) as store:  # the page module's one way to a store
        frames = {name: store.features(name, at=data.end_of_day_utc(day)) for name in data.all_layers()}
    return render(frames, request)


def print_panel(location: str, stamp: data.Stamp, day: dt.date, view: Bounds | None, language: str) -> None:
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
    request = PrintRequest(bbox, paper, orientation, fmt, language, day)
    if st.button(t("maptools.print_make", language), key="maptools_make"):
        name = f"xzsdg-map-{day.isoformat()}-{paper.value}-{orientation.value}.{fmt.value}"
        body = _printed(location, stamp, day, request)
        mime = "application/pdf" if fmt is Format.PDF else "image/png"
        st.download_button(t("maptools.print_download", language, name=name), body, file_name=name, mime=mime,
                           key="maptools_download")  # fmt: skip
