"""The app's frame: page settings, the language switch and the navigation over ``pages/``."""

from __future__ import annotations

import streamlit as st

from ..i18n import t
from . import lang
from .pages import overview


def run() -> None:
    st.set_page_config(page_title=t("ui.page_title", lang.current()), layout="wide")
    chosen = lang.switch()
    pages = [st.Page(overview.render, title=t("ui.page_overview", chosen), url_path="overview", default=True)]
    st.navigation(pages).run()
