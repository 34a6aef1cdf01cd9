"""The app's frame: page settings, the sign-in, and the pages the signed-in role may open.

Which pages a role sees is a convenience: every action is checked again by the services. The
workflow pages are files under ``pages/`` (run as page scripts, which also lets tests open them
with ``AppTest.switch_page``); the overview and progress pages are ``render`` functions.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from ..i18n import t
from ..services.auth import Permission, Principal, Role
from ..validation import sandbox
from . import auth, lang, verify_page, widgets, workflow
from .pages import overview, progress

PAGES_DIR = Path(__file__).parent / "pages"


@dataclass(frozen=True)
class PageSpec:
    url: str  # the URL path, and the title's catalog key ``pages.nav_<url>``
    target: Callable[[], None] | Path
    permission: Permission | None = None  # None: every signed-in user


# Where each role lands: the page of the one question each of them comes with.
LANDING = {Role.FIELD_TEAM: "upload", Role.DISTRICT_HEAD: "progress", Role.REVIEWER: "review",
           Role.ADMIN: "overview"}  # fmt: skip
# In menu order.
PAGES = (
    PageSpec("overview", overview.render),
    PageSpec("progress", progress.render),
    PageSpec("verify", verify_page.render),
    PageSpec("upload", PAGES_DIR / "upload.py", Permission.SUBMIT),
    PageSpec("review", PAGES_DIR / "review.py", Permission.REVIEW),
    PageSpec("prediction", PAGES_DIR / "prediction.py"),
    PageSpec("indicators", PAGES_DIR / "indicators.py"),
    PageSpec("exports", PAGES_DIR / "exports.py"),
    PageSpec("history", PAGES_DIR / "history.py", Permission.VIEW_AUDIT),
    PageSpec("settings", PAGES_DIR / "settings.py", Permission.MANAGE_USERS),
    PageSpec("password", PAGES_DIR / "password.py"),
)
PASSWORD_PAGE = PAGES[-1]


def pages_for(principal: Principal, language: str) -> list[st.Page]:
    """The role's pages; only the password page while a temporary password is in force."""
    allowed = [s for s in PAGES if s.permission is None or principal.can(s.permission)]
    landing = LANDING[principal.role]
    if principal.must_change_password:
        allowed, landing = [PASSWORD_PAGE], PASSWORD_PAGE.url
    return [
        st.Page(s.target, title=t(f"pages.nav_{s.url}", language), url_path=s.url, default=s.url == landing)
        for s in allowed
    ]


def _sidebar(principal: Principal, language: str) -> None:
    role = widgets.role(principal.role, language)
    who = t("pages.signed_in_as", language, user=widgets.md(principal.username), role=role)
    st.sidebar.markdown(who)
    if principal.district:
        names = workflow.district_names(*workflow.store_key())
        district = names.get(principal.district, principal.district)
        st.sidebar.caption(t("pages.own_district", language, district=district))
    if st.sidebar.button(t("pages.logout", language), key="logout"):
        auth.logout()
        st.rerun()


@st.cache_resource(show_spinner=False)
def _checking_worker() -> threading.Thread:
    """Starts the upload-checking worker's server once per app process, in the background, so the
    first upload does not wait the few seconds it takes to import GDAL."""
    thread = threading.Thread(target=sandbox.warm_up, name="checking-worker-warm-up", daemon=True)
    thread.start()
    return thread


def run() -> None:
    _checking_worker()
    st.set_page_config(page_title=t("ui.page_title", lang.current()), layout="wide")
    language = lang.switch()
    principal = auth.resolve()
    if principal is None:
        login = st.Page(PAGES_DIR / "login.py", title=t("pages.nav_login", language), url_path="login")
        navigation = st.navigation([login])
    else:
        _sidebar(principal, language)
        navigation = st.navigation(pages_for(principal, language))
    auth.sync_cookie()
    workflow.show_flash()
    navigation.run()
