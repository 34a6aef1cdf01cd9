"""Accounts, password hashing, login throttling and sessions on a real store."""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from xzsdg_geo.errors import UserError
from xzsdg_geo.services import accounts, auth
from xzsdg_geo.services.auth import LocalAuthenticator, Principal, Role
from xzsdg_geo.store import open_store

PASSWORD = "correct horse"


def _admin(store) -> Principal:
    accounts.add_user(store, None, "chief", "admin", PASSWORD)
    return auth.principal_of(store, "chief")


def test_first_user_must_be_an_admin_and_needs_no_login(empty_store):
    with pytest.raises(UserError) as err:
        accounts.add_user(empty_store, None, "someone", "reviewer", PASSWORD)
    assert err.value.key == "auth.first_user_admin"
    admin = _admin(empty_store)
    assert admin.role is Role.ADMIN
    with pytest.raises(UserError) as err:  # once a user exists, an actor is required
        accounts.add_user(empty_store, None, "second", "admin", PASSWORD)
    assert err.value.key == "auth.login_required"


def test_passwords_are_stored_as_argon2id_hashes(empty_store):
    _admin(empty_store)
    stored = empty_store.get_user("chief").password_hash
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_login_succeeds_with_the_right_password_only(empty_store):
    _admin(empty_store)
    login = LocalAuthenticator(empty_store)
    assert login.authenticate("chief", PASSWORD).username == "chief"
    for name, password in (("chief", "wrong password"), ("nobody", PASSWORD)):
        with pytest.raises(UserError) as err:
            login.authenticate(name, password)
        assert err.value.key == "auth.bad_credentials"  # same answer: names are not revealed


def test_repeated_failures_lock_the_account_even_for_the_right_password(empty_store):
    _admin(empty_store)
    login = LocalAuthenticator(empty_store)
    for _ in range(auth.settings().auth.max_failed_logins):
        with pytest.raises(UserError):
            login.authenticate("chief", "wrong password")
    assert empty_store.get_user("chief").locked_until is not None
    with pytest.raises(UserError) as err:
        login.authenticate("chief", PASSWORD)
    assert err.value.key == "auth.bad_credentials"  # locked: the same answer as a wrong password


def test_a_success_resets_the_failure_count(empty_store):
    _admin(empty_store)
    login = LocalAuthenticator(empty_store)
    with pytest.raises(UserError):
        login.authenticate("chief", "wrong password")
    assert empty_store.get_user("chief").failed_logins == 1
    login.authenticate("chief", PASSWORD)
    assert empty_store.get_user("chief").failed_logins == 0


def test_sessions_resume_until_ended_and_store_only_a_hash(empty_store):
    admin = _admin(empty_store)
    token = auth.start_session(empty_store, admin)
    assert auth.resume_session(empty_store, token) == admin
    assert empty_store.session_user(token, "0000") is None  # the raw token is not what is stored
    auth.end_session(empty_store, token)
    with pytest.raises(UserError) as err:
        auth.resume_session(empty_store, token)
    assert err.value.key == "auth.session_expired"


def test_expired_sessions_are_refused(empty_store):
    admin = _admin(empty_store)
    token = auth.start_session(empty_store, admin)
    assert auth.resume_session(empty_store, token)
    assert empty_store.session_user(auth._token_hash(token), "9999-01-01T00:00:00.000000Z") is None


@pytest.mark.parametrize(
    ("role", "district", "key"),
    [("emperor", None, "auth.unknown_role"), ("district_head", "999999", "auth.bad_district")],
)
def test_bad_accounts_are_refused_with_a_reason(sample_store, role, district, key):
    admin = auth.principal_of(sample_store, "admin")
    before = len(sample_store.users())
    with pytest.raises(UserError) as err:
        accounts.add_user(sample_store, admin, "newbie", role, PASSWORD, district)
    assert err.value.key == key
    assert len(sample_store.users()) == before


def test_short_passwords_and_duplicate_names_are_refused(sample_store):
    admin = auth.principal_of(sample_store, "admin")
    with pytest.raises(UserError) as err:
        accounts.add_user(sample_store, admin, "newbie", "reviewer", "short")
    assert err.value.key == "auth.password_too_short"
    with pytest.raises(UserError) as err:
        accounts.add_user(sample_store, admin, "reviewer", "reviewer", PASSWORD)
    assert err.value.key == "auth.user_exists"


def test_sample_store_has_the_demo_accounts(sample_store):
    users = {u.username: u for u in sample_store.users()}
    assert {"admin", "reviewer", "field_team"} <= set(users)
    codes = set(sample_store.features("districts")["adcode"])
    assert {u.district for u in users.values() if u.role == "district_head"} == codes
    assert LocalAuthenticator(sample_store).authenticate("head_320305", "xzsdg-demo").district == "320305"


def test_a_store_without_sample_has_no_accounts(empty_store):
    assert empty_store.users() == []


def _guess(location: str, username: str, password: str, client: str | None = None) -> str:
    """One sign-in on a connection of its own (as another browser tab would); the refusal's key."""
    store = open_store(location)
    try:
        LocalAuthenticator(store).authenticate(username, password, client)
        return "ok"
    except UserError as err:
        return err.key
    finally:
        store.close()


def test_parallel_wrong_guesses_lock_the_account(empty_store):
    """12 guesses at once, each with its own connection: every one is counted, the account locks,
    and the real password is then refused too."""
    _admin(empty_store)
    with ThreadPoolExecutor(12) as pool:
        keys = list(pool.map(lambda i: _guess(empty_store.location, "chief", f"wrong {i}"), range(12)))
    assert keys == ["auth.bad_credentials"] * 12
    assert empty_store.get_user("chief").locked_until is not None
    assert _guess(empty_store.location, "chief", PASSWORD) == "auth.bad_credentials"


def _timed_refusal(login: LocalAuthenticator, username: str, password: str) -> tuple[str, float]:
    start = time.perf_counter()
    with pytest.raises(UserError) as err:
        login.authenticate(username, password)
    return str(err.value), time.perf_counter() - start


def test_unknown_wrong_and_locked_accounts_answer_alike(empty_store):
    """Same message, and about the same time (each verifies one argon2 hash, a dummy for unknown names)."""
    _admin(empty_store)
    accounts.add_user(empty_store, auth.principal_of(empty_store, "chief"), "locked", "reviewer", PASSWORD)
    login = LocalAuthenticator(empty_store)
    for _ in range(auth.settings().auth.max_failed_logins):
        with pytest.raises(UserError):
            login.authenticate("locked", "wrong password")
    cases = {
        "unknown": ("nobody", PASSWORD),
        "wrong": ("chief", "wrong password"),
        "locked": ("locked", PASSWORD),
    }
    runs = {name: [_timed_refusal(login, *args) for _ in range(5)] for name, args in cases.items()}
    messages = {m for results in runs.values() for m, _ in results}
    assert len(messages) == 1
    medians = {name: statistics.median(t for _, t in results) for name, results in runs.items()}
    fastest, slowest = min(medians.values()), max(medians.values())
    assert fastest > 0.02, medians  # every case did the argon2 work (a dict look-up takes microseconds)
    assert slowest < 2.5 * fastest, medians


def test_one_client_is_throttled_whatever_names_it_tries(empty_store):
    _admin(empty_store)
    limit = auth.settings().auth.max_failed_per_client
    login = LocalAuthenticator(empty_store)
    for i in range(limit):
        with pytest.raises(UserError):
            login.authenticate(f"user{i}", "wrong password", client="203.0.113.9")
    assert _guess(empty_store.location, "chief", PASSWORD, client="203.0.113.9") == "auth.bad_credentials"
    assert _guess(empty_store.location, "chief", PASSWORD, client="198.51.100.1") == "ok"
    assert empty_store.get_user("chief").locked_until is None  # other names' guesses do not lock it
