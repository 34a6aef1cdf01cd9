"""登录 / Sign in: a password checked against the store's accounts, or the bureau's identity provider.

Run as a page script by ``st.navigation`` (hence the absolute imports and the ``__main__`` guard).
"""

from __future__ import annotations

import streamlit as st

from xzsdg_geo.config import store_location
from xzsdg_geo.errors import UserError
from xzsdg_geo.i18n import t
from xzsdg_geo.ui import auth, data, lang


def _password_form(language: str) -> None:
    with st.form("login"):
        username = st.text_input(t("pages.username", language))
        password = st.text_input(t("pages.password", language), type="password")
        submitted = st.form_submit_button(t("pages.login_button", language), type="primary")
    if not submitted:
        return
    try:
        auth.login(username, password)
    except UserError as err:
        st.error(err.message(language))
        return
    st.rerun()


def _identity_provider(language: str) -> None:
    """The provider's button when ``[auth]`` is configured in secrets (see :mod:`xzsdg_geo.ui.auth`)."""
    if not auth.oidc_configured():
        return
    st.divider()
    if st.user.is_logged_in:  # signed in at the provider, but no store account (the notice says so)
        st.button(t("pages.oidc_logout", language), on_click=st.logout)
    else:
        st.button(t("pages.oidc_login", language), on_click=st.login)


def render() -> None:
    language = lang.current()
    st.title(t("ui.title", language))
    location = store_location()
    if data.store_stamp(location) is None:
        st.error(t("ui.store_missing", language, path=location))
        return
    st.subheader(t("pages.login_heading", language))
    notice = st.session_state.get(auth.NOTICE_KEY)
    if notice is not None:
        st.warning(notice.message(language))
    _password_form(language)
    _identity_provider(language)


if __name__ == "__main__":
    render()
