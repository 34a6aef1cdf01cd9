"""设置 / Settings (administrators): accounts, the targets in force, district boundaries, basemap.

Targets are read from ``config/targets.toml`` and shown here; they change through that file,
so every change has the repository's history. A boundaries file replaces the whole set of
districts as new versions (the old ones stay in the history). Run as a page script by
``st.navigation`` (hence the absolute imports and the ``__main__`` guard).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st

from xzsdg_geo.config import targets
from xzsdg_geo.i18n import t
from xzsdg_geo.readers import ReadOptions
from xzsdg_geo.services import accounts, importing
from xzsdg_geo.services.auth import Role
from xzsdg_geo.store import Store
from xzsdg_geo.ui import auth, lang, widgets, workflow
from xzsdg_geo.ui.pages import overview

ROLES = tuple(Role)


# -- accounts -------------------------------------------------------------------------------------
def _users_frame(store: Store, names: dict[str, str], language: str) -> pd.DataFrame:
    rows = [
        (u.username, widgets.role(u.role, language), names.get(u.district, u.district or ""),
         t("pages.yes", language) if u.disabled else "", widgets.local_time(u.locked_until),
         t("pages.yes", language) if u.must_change_password else "")
        for u in accounts.list_users(store, auth.principal())
    ]  # fmt: skip
    keys = ("name", "role", "district", "disabled", "locked")
    columns = [t(f"pages.user_{k}", language) for k in keys] + [t("acct.col_must_change", language)]
    return pd.DataFrame(rows, columns=columns)


def _add_user(username: str, role: Role, district: str | None, password: str, language: str):
    def action(store: Store) -> str:
        accounts.add_user(store, auth.principal(), username.strip(), role.value, password,
                          district if role is Role.DISTRICT_HEAD else None)  # fmt: skip
        return t("pages.user_added", language, user=username.strip(), role=widgets.role(role, language))

    return action


def _administer(username: str, action: str, language: str) -> Callable[[Store], str]:
    """One administrative action on an account; the confirmation names it (a reset shows the
    temporary password, once)."""

    def run(store: Store) -> str:
        actor = auth.principal()
        if action == "reset":
            password = accounts.reset_password(store, actor, username)
            return t("acct.temporary_password", language, user=username, password=password)
        if action == "unlock":
            accounts.unlock(store, actor, username)
            return t("acct.unlocked", language, user=username)
        accounts.set_disabled(store, actor, username, action == "disable")
        return t("acct.disabled" if action == "disable" else "acct.enabled", language, user=username)

    return run


def _manage(language: str) -> None:
    users = workflow.read(lambda store: accounts.list_users(store, auth.principal())) or []
    if not users:
        return
    st.markdown(f"**{t('acct.manage_heading', language)}**")
    by_name = {u.username: u for u in users}
    name = st.selectbox(t("acct.pick_user", language), list(by_name), key="acct_pick")
    cols = st.columns(3)
    action = None
    if cols[0].button(t("acct.reset_button", language), key="acct_reset"):
        action = "reset"
    if cols[1].button(t("acct.unlock_button", language), key="acct_unlock"):
        action = "unlock"
    toggle = "enable" if by_name[name].disabled else "disable"
    if cols[2].button(t(f"acct.{toggle}_button", language), key="acct_toggle"):
        action = toggle
    if action:
        workflow.write(_administer(name, action, language))


def _accounts(names: dict[str, str], language: str) -> None:
    st.subheader(t("pages.accounts_heading", language))
    table = workflow.read(lambda store: _users_frame(store, names, language))
    if table is not None:
        st.dataframe(table, hide_index=True, width="stretch")
    _manage(language)
    with st.form("add_user", clear_on_submit=False):
        st.markdown(f"**{t('pages.add_user', language)}**")
        cols = st.columns(3)
        username = cols[0].text_input(t("pages.username", language))
        role = cols[1].selectbox(
            t("pages.role", language), ROLES, format_func=lambda r: t(f"role.{r}", language)
        )
        district = cols[2].selectbox(t("pages.district_for_head", language), [None, *names],
                                     format_func=lambda c: names[c] if c else "—")  # fmt: skip
        cols = st.columns(2)
        password = cols[0].text_input(t("pages.password", language), type="password")
        again = cols[1].text_input(t("pages.password_again", language), type="password")
        if st.form_submit_button(t("pages.add_user_button", language), type="primary"):
            if password != again:
                st.error(t("auth.password_mismatch", language))
            else:
                workflow.write(_add_user(username, role, district, password, language))


# -- targets --------------------------------------------------------------------------------------
def _targets(names: dict[str, str], language: str) -> None:
    st.subheader(t("pages.targets_heading", language))
    plan = targets()
    years = sorted(set(plan.city) | {y for table in plan.districts.values() for y in table})
    frame = pd.DataFrame({t("pages.year", language): [str(y) for y in years],
                          t("pages.city_target", language): [plan.for_year(y) for y in years]})  # fmt: skip
    for code in plan.districts:
        frame[names.get(code, code)] = [plan.for_year(y, code) for y in years]
    percents = {column: "{:.1f}" for column in frame.columns[1:]}
    st.dataframe(frame.style.format(percents, na_rep="—"), hide_index=True)
    st.caption(t("pages.targets_hint", language, year=plan.final_year, final=plan.final))


# -- boundaries -----------------------------------------------------------------------------------
def _import(data: bytes, filename: str, options: ReadOptions, language: str) -> Callable[[Store], str]:
    """Import through a temporary file (the service reads a path), removed right after."""

    def action(store: Store) -> str:
        with tempfile.TemporaryDirectory(prefix="xzsdg-boundaries-") as folder:
            path = Path(folder) / (Path(filename).name or "districts")
            path.write_bytes(data)
            summary = importing.import_file(store, path, "districts", actor=auth.principal(), options=options)
        r = summary.result
        return t("pages.boundaries_done", language, n=summary.n_features, id=summary.import_id,
                 created=len(r.created), updated=len(r.updated), retired=len(r.retired))  # fmt: skip

    return action


def _boundaries(language: str) -> None:
    st.subheader(t("pages.boundaries_heading", language))
    st.caption(t("pages.boundaries_hint", language))
    file = st.file_uploader(t("pages.file", language), key="bnd_file")
    cols = st.columns(2)
    crs = cols[0].text_input(t("pages.crs", language), help=t("pages.crs_help", language), key="bnd_crs")
    encoding = cols[1].text_input(t("pages.encoding", language), key="bnd_encoding")
    if file is None or not st.button(t("pages.boundaries_button", language), type="primary"):
        return
    options = ReadOptions(crs=crs.strip() or None, encoding=encoding.strip() or None)
    with st.status(t("pages.importing", language)):
        workflow.write(_import(file.getvalue(), file.name, options, language))


def render() -> None:
    language = lang.current()
    st.title(t("pages.nav_settings", language))
    names = workflow.district_names(*workflow.store_key())
    _accounts(names, language)
    _targets(names, language)
    _boundaries(language)
    overview.basemap_settings()  # the basemap belongs to the overview page, which draws it


if __name__ == "__main__":
    render()
