"""修改密码 / Change password: one's own, after the current one; the only page open while a
temporary password (set by an administrator's reset) is in force. Run as a page script by
``st.navigation`` (hence the absolute imports and the ``__main__`` guard).
"""

from __future__ import annotations

import streamlit as st

from xzsdg_geo.i18n import t
from xzsdg_geo.services import accounts
from xzsdg_geo.store import Store
from xzsdg_geo.ui import auth, lang, workflow


def _change(current: str, new: str, language: str):
    def action(store: Store) -> str:
        accounts.change_password(store, auth.principal(), current, new)
        return t("acct.password_changed", language)

    return action


def render() -> None:
    language = lang.current()
    st.title(t("acct.passwd_heading", language))
    if auth.principal().must_change_password:
        st.warning(t("acct.must_change", language))
    with st.form("passwd"):
        current = st.text_input(t("acct.current_password", language), type="password")
        new = st.text_input(t("acct.new_password", language), type="password")
        again = st.text_input(t("pages.password_again", language), type="password")
        if st.form_submit_button(t("acct.passwd_button", language), type="primary"):
            if new != again:
                st.error(t("auth.password_mismatch", language))
            else:
                workflow.write(_change(current, new, language))


if __name__ == "__main__":
    render()
