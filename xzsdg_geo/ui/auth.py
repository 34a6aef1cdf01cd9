"""Who is signed in: a session token in ``st.session_state``, checked against the store every run.

The token also lives in a cookie, so a refresh, a bookmark or a second tab resumes the session:
the browser keeps only the opaque token (expiring with the session), the store keeps its hash,
expiry and revocation. Streamlit reads cookies on the server (``st.context.cookies``) but cannot
set them. streamlit-authenticator writes its cookie with extra-streamlit-components'
``CookieManager``; tried here, that component sends a value back after it renders, which reruns
the page a moment after sign-in, in the middle of what the user does next. So the cookie is
written by one line of script in a zero-height ``components.html`` frame (same origin as the
app), which sends nothing back. A cookie set from script cannot be ``httpOnly``; it is
``SameSite=Strict`` and, over HTTPS, ``Secure``; signing out revokes the token in the store, so a
copied cookie is worth nothing after that.

The services own everything that matters (password hashes, lockout, session expiry, roles); this
module only keeps the token a successful login returned and turns it back into a
:class:`~xzsdg_geo.services.auth.Principal` on each run, so an expired session or a disabled
account takes effect at the next click.

Password login (:class:`~xzsdg_geo.services.auth.LocalAuthenticator`) is the default. A bureau with
an identity provider configures Streamlit's OIDC login in ``.streamlit/secrets.toml``::

    [auth]                       # Streamlit's own section: redirect_uri, cookie_secret, client_id, ...
    redirect_uri = "https://monitor.example.gov.cn/oauth2callback"
    cookie_secret = "..."
    client_id = "..."
    client_secret = "..."
    server_metadata_url = "https://idp.example.gov.cn/.well-known/openid-configuration"

    [xzsdg_accounts]             # the verified e-mail -> the store account whose role applies
    "zhang.san@example.gov.cn" = "reviewer"

The login page then offers the provider's button (``st.login``); once Streamlit reports the person
signed in, :class:`IdentityProviderAuthenticator` maps ``st.user.email`` to a store account and a
normal store session starts: roles, districts and the audit trail stay the store's.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import streamlit as st
import streamlit.components.v1 as components

from ..config import settings, store_location
from ..errors import UserError
from ..services.auth import (
    Authenticator,
    LocalAuthenticator,
    Principal,
    end_session,
    principal_of,
    resume_session,
    start_session,
)
from ..store import Store, open_store

COOKIE = "xzsdg_session"
COOKIE_PENDING_KEY = "auth_cookie_pending"  # a token to write into the cookie on the next run
SIGNED_OUT_KEY = "auth_signed_out"  # the cookie this browser sent is no longer to be resumed
TOKEN_KEY = "auth_token"
PRINCIPAL_KEY = "auth_principal"
NOTICE_KEY = "auth_notice"  # why the user was signed out (expired session), shown on the login page
DISTRICT_KEY = "district"  # a district head's adcode: the progress page opens on it
OIDC_SECTION = "auth"
OIDC_ACCOUNTS_SECTION = "xzsdg_accounts"


class IdentityProviderAuthenticator:
    """An :class:`Authenticator` for people the identity provider has already verified.

    ``authenticate(email)`` takes the e-mail Streamlit's OIDC login reports and needs no password:
    the provider checked the person. It must only ever be given ``st.user.email`` after
    ``st.user.is_logged_in``; the mapping names which store account (and so which role) applies.
    """

    def __init__(self, store: Store, accounts: Mapping[str, str]) -> None:
        self.store = store
        self.accounts = {email.strip().lower(): user for email, user in accounts.items()}

    def authenticate(self, username: str, password: str = "", client: str | None = None) -> Principal:
        account = self.accounts.get(username.strip().lower())
        if account is None:
            raise UserError("pages.oidc_unknown", email=username)
        return principal_of(self.store, account)


@contextmanager
def opened_store(location: str | None = None) -> Iterator[Store]:
    """The store the app is configured with, closed after use (opening a GeoPackage costs ~1 ms)."""
    store = open_store(location or store_location())
    try:
        yield store
    finally:
        store.close()


def _secrets_section(name: str) -> Mapping[str, object] | None:
    try:
        return st.secrets.get(name)
    except FileNotFoundError:  # no secrets.toml at all
        return None


def oidc_configured() -> bool:
    return _secrets_section(OIDC_SECTION) is not None


def _start(store: Store, authenticator: Authenticator, username: str, password: str) -> Principal:
    principal = authenticator.authenticate(username, password, _client())
    token = start_session(store, principal)
    st.session_state[TOKEN_KEY] = token
    st.session_state[COOKIE_PENDING_KEY] = token
    st.session_state.pop(SIGNED_OUT_KEY, None)
    st.session_state[PRINCIPAL_KEY] = principal
    if principal.district:
        st.session_state[DISTRICT_KEY] = principal.district
    st.session_state.pop(NOTICE_KEY, None)
    return principal


def _client() -> str | None:
    """Who is signing in, for the per-client throttle: the browser's address as Streamlit sees it
    (``None`` where there is none, e.g. a local script run)."""
    address = st.context.ip_address
    return address if isinstance(address, str) else None


def login(username: str, password: str) -> Principal:
    """Check a password with the store's accounts; a :class:`UserError` says why not."""
    with opened_store() as store:
        return _start(store, LocalAuthenticator(store), username.strip(), password)


def _identity_login() -> Principal | None:
    """A store session for someone the OIDC provider signed in, if they map to an account."""
    if not oidc_configured() or not st.user.is_logged_in:
        return None
    accounts = _secrets_section(OIDC_ACCOUNTS_SECTION) or {}
    with opened_store() as store:
        return _start(store, IdentityProviderAuthenticator(store, accounts), str(st.user.email or ""), "")


def resolve() -> Principal | None:
    """The signed-in principal for this run, or ``None``: the login page is shown, with the reason
    (an expired session, an identity that maps to no account) in ``NOTICE_KEY``."""
    token = st.session_state.get(TOKEN_KEY)
    from_cookie = token is None and (token := _cookie_token()) is not None
    if from_cookie:
        st.session_state[TOKEN_KEY] = token
    try:
        if token is None:
            return _identity_login()
        with opened_store() as store:
            principal = resume_session(store, token)
    except UserError as err:
        _forget()
        st.session_state[SIGNED_OUT_KEY] = True  # a stale cookie is not tried again on every run
        if not from_cookie:  # a cookie from a signed-out or expired session just means: sign in
            st.session_state[NOTICE_KEY] = err
        return None
    st.session_state[PRINCIPAL_KEY] = principal
    return principal


def _cookie_token() -> str | None:
    """The session token this browser's cookie carried when it connected, unless signed out since."""
    if st.session_state.get(SIGNED_OUT_KEY):
        return None
    token = st.context.cookies.get(COOKIE)
    return token if isinstance(token, str) and token else None


def sync_cookie() -> None:
    """Write the session cookie after a sign-in (once). Signing out does not delete it: the token
    is revoked in the store, which is what counts, and the next sign-in overwrites it."""
    token = st.session_state.pop(COOKIE_PENDING_KEY, None)
    if token is None:
        return
    seconds = settings().auth.session_hours * 3600
    secure = "; Secure" if str(st.context.url or "").startswith("https://") else ""
    cookie = f"{COOKIE}={token}; Max-Age={seconds}; Path=/; SameSite=Strict{secure}"
    # In the sidebar: a frame that comes and goes in the main area would shift the elements after
    # it, and Streamlit would mount the map anew on the next run.
    with st.sidebar:
        components.html(f"<script>window.parent.document.cookie = {json.dumps(cookie)};</script>", height=0)


def principal() -> Principal:
    """The principal :func:`resolve` found for this run (pages run only after it did)."""
    return st.session_state[PRINCIPAL_KEY]


def _forget() -> None:
    for key in (TOKEN_KEY, PRINCIPAL_KEY, DISTRICT_KEY):
        st.session_state.pop(key, None)


def logout() -> None:
    """End the store session; with OIDC, sign out of Streamlit's identity cookie too."""
    token = st.session_state.get(TOKEN_KEY)
    if token is not None:
        with opened_store() as store:
            end_session(store, token)
    _forget()
    st.session_state[SIGNED_OUT_KEY] = True
    if oidc_configured() and st.user.is_logged_in:
        st.logout()
