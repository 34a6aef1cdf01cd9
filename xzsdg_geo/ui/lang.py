"""The interface language: Chinese by default, English on request, kept in the session."""

from __future__ import annotations

import streamlit as st

from ..i18n import LANGS, current_lang, t

KEY = "lang"
NAMES = {"zh": "中文", "en": "English"}


def current() -> str:
    """The session's language; before the switch is first drawn, ``XZSDG_LANG`` or zh."""
    return st.session_state.get(KEY) or current_lang()


def switch() -> str:
    """The language radio in the sidebar; returns the chosen language."""
    if KEY not in st.session_state:
        st.session_state[KEY] = current_lang()
    return st.sidebar.radio(t("ui.language"), LANGS, format_func=NAMES.__getitem__, key=KEY, horizontal=True)
