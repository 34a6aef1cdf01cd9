"""Account administration on a real store (both backends) and from the shell: temporary passwords,
unlock, disable, enable, one's own password, Chinese names, names unique by NFKC + casefold."""

from __future__ import annotations

import io

import pytest

from xzsdg_geo.errors import UserError
from xzsdg_geo.services import accounts, auth
from xzsdg_geo.services.auth import LocalAuthenticator, principal_of
from xzsdg_geo.store import open_store

PASSWORD = "xzsdg-demo"


def _sign_in(store, name: str, password: str):
    return LocalAuthenticator(store).authenticate(name, password)


def _refused(store, name: str, password: str) -> str:
    with pytest.raises(UserError) as err:
        _sign_in(store, name, password)
    return err.value.key


def test_chinese_names_are_allowed_and_names_are_unique_ignoring_case_and_width(sample_store):
    admin = principal_of(sample_store, "admin")
    accounts.add_user(sample_store, admin, "张三", "reviewer", "a long password")
    assert _sign_in(sample_store, "张三", "a long password").username == "张三"
    for clash in ("Admin", "ＡＤＭＩＮ", "张三 "):
        with pytest.raises(UserError) as err:
            accounts.add_user(sample_store, admin, clash, "reviewer", "a long password")
        assert err.value.key == "auth.user_exists", clash
    assert _sign_in(sample_store, "ＡＤＭＩＮ", PASSWORD).username == "admin"  # the same account
    for bad in ("张", "with space", "a\x00b"):
        with pytest.raises(UserError) as err:
            accounts.add_user(sample_store, admin, bad, "reviewer", "a long password")
        assert err.value.key == "auth.bad_username", bad


def test_demo_accounts_each_have_their_own_salt_and_hash(sample_store):
    hashes = [u.password_hash for u in sample_store.users()]
    salts = [h.split("$")[4] for h in hashes]
    assert len(set(hashes)) == len(hashes) and len(set(salts)) == len(salts)


def test_a_reset_gives_a_temporary_password_that_must_be_changed(sample_store):
    admin = principal_of(sample_store, "admin")
    token = auth.start_session(sample_store, principal_of(sample_store, "reviewer"))
    temporary = accounts.reset_password(sample_store, admin, "reviewer")
    assert _refused(sample_store, "reviewer", PASSWORD) == "auth.bad_credentials"
    with pytest.raises(UserError):  # the reset signed the account out everywhere
        auth.resume_session(sample_store, token)
    signed_in = _sign_in(sample_store, "reviewer", temporary)
    assert signed_in.must_change_password
    with pytest.raises(UserError) as err:
        accounts.change_password(sample_store, signed_in, "not it", "a new long password")
    assert err.value.key == "acct.wrong_current_password"
    with pytest.raises(UserError) as err:
        accounts.change_password(sample_store, signed_in, temporary, temporary)
    assert err.value.key == "acct.same_password"
    accounts.change_password(sample_store, signed_in, temporary, "a new long password")
    assert not _sign_in(sample_store, "reviewer", "a new long password").must_change_password
    actions = [(e.actor, e.action, e.detail.get("user")) for e in sample_store.audit()[-2:]]
    assert actions == [("admin", "user_reset_password", "reviewer"), ("reviewer", "user_passwd", "reviewer")]


def test_unlock_disable_and_enable(sample_store):
    admin = principal_of(sample_store, "admin")
    for _ in range(auth.settings().auth.max_failed_logins):
        _refused(sample_store, "field_team", "wrong password")
    assert _refused(sample_store, "field_team", PASSWORD) == "auth.bad_credentials"
    accounts.unlock(sample_store, admin, "field_team")
    assert _sign_in(sample_store, "field_team", PASSWORD).username == "field_team"
    token = auth.start_session(sample_store, principal_of(sample_store, "field_team"))
    accounts.set_disabled(sample_store, admin, "field_team", True)
    assert _refused(sample_store, "field_team", PASSWORD) == "auth.disabled"
    with pytest.raises(UserError):
        auth.resume_session(sample_store, token)
    accounts.set_disabled(sample_store, admin, "field_team", False)
    assert _sign_in(sample_store, "field_team", PASSWORD).username == "field_team"
    with pytest.raises(UserError) as err:
        accounts.set_disabled(sample_store, admin, "admin", True)
    assert err.value.key == "acct.not_yourself"
    actions = [e.action for e in sample_store.audit()[-3:]]
    assert actions == ["user_unlock", "user_disable", "user_enable"]


@pytest.mark.parametrize("action", ["reset", "unlock", "disable"])
def test_only_administrators_administer(sample_store, action):
    reviewer = principal_of(sample_store, "reviewer")
    calls = {
        "reset": lambda: accounts.reset_password(sample_store, reviewer, "field_team"),
        "unlock": lambda: accounts.unlock(sample_store, reviewer, "field_team"),
        "disable": lambda: accounts.set_disabled(sample_store, reviewer, "field_team", True),
    }
    before = sample_store.get_user("field_team")
    with pytest.raises(UserError) as err:
        calls[action]()
    assert err.value.key == "auth.forbidden"
    assert sample_store.get_user("field_team") == before


@pytest.mark.parametrize("backend", ["gpkg"], indirect=True)
def test_the_cli_administers_accounts(sample_store, run, monkeypatch):
    location = sample_store.location
    sample_store.close()
    code, out, _ = run("user", "reset-password", "field_team", "--as", "admin", "--store", location)
    assert code == 0
    temporary = out.strip().split("：")[1].split("（")[0]
    store = open_store(location)
    try:
        assert _sign_in(store, "field_team", temporary).must_change_password
    finally:
        store.close()
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{temporary}\nbrand new password\n"))
    assert run("user", "passwd", "field_team", "--store", location)[0] == 0
    for action in ("disable", "enable", "unlock"):
        assert run("user", action, "field_team", "--as", "admin", "--store", location)[0] == 0
    code, out, _ = run("user", "list", "--as", "admin", "--store", location)
    assert code == 0 and "field_team" in out
    code, _, err = run("user", "disable", "field_team", "--as", "reviewer", "--store", location)
    assert code != 0 and "Traceback" not in err
    code, _, err = run("user", "unlock", "--store", location)
    assert code != 0 and "张三" in err
    store = open_store(location)
    try:
        assert _sign_in(store, "field_team", "brand new password").username == "field_team"
    finally:
        store.close()
