"""Sign-in survives a refresh, and signing out ends it, in Debian's Chromium with the app under
``streamlit run`` (``tests/browser.py``): the cookie carries only the opaque token."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import WAIT_MS, chromium, needs_chromium, offline_page, running_app

from xzsdg_geo.services.auth import _token_hash
from xzsdg_geo.store import open_store

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def app(sample_store_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp("session")
    store = folder / "app.gpkg"
    shutil.copy(sample_store_file, store)
    with running_app(store, folder) as url:
        yield url, store


def _session_cookie(page: object) -> str | None:
    found = [c for c in page.context.cookies() if c["name"] == "xzsdg_session"]
    return found[0]["value"] if found else None


def test_a_refresh_keeps_the_sign_in_and_signing_out_ends_it(app: tuple[str, Path]) -> None:
    url, store_path = app
    with chromium() as browser, offline_page(browser) as offline:
        page = offline.page
        page.goto(url)
        page.get_by_label("用户名").fill("reviewer")
        page.get_by_label("密码").fill("xzsdg-demo")
        page.get_by_role("button", name="登录").click()
        page.get_by_role("heading", name="审核").wait_for(timeout=WAIT_MS)
        page.wait_for_function("document.cookie.includes('xzsdg_session=')", timeout=WAIT_MS)
        token = _session_cookie(page)
        store = open_store(str(store_path))
        try:  # the cookie is the opaque token of a live store session, nothing else
            assert token and store.session_user(_token_hash(token), "0000") == "reviewer"
        finally:
            store.close()
        page.reload()
        page.get_by_role("heading", name="审核").wait_for(timeout=WAIT_MS)
        assert page.get_by_role("button", name="登录").count() == 0
        page.get_by_role("button", name="退出登录").click()
        page.get_by_role("button", name="登录").wait_for(timeout=WAIT_MS)
        page.reload()
        page.get_by_role("button", name="登录").wait_for(timeout=WAIT_MS)
        assert page.get_by_role("heading", name="审核").count() == 0
        store = open_store(str(store_path))
        try:  # revoked in the store, whatever the browser still holds
            assert store.session_user(_token_hash(token), "0000") is None
        finally:
            store.close()
        assert offline.refused == []
