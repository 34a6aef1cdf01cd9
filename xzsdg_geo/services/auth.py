"""Who may do what, and who someone is.

Roles and permissions are enforced here, in the service layer the CLI and the app share; a page
hiding a button is a convenience, never the check. Authentication sits behind a small interface
so a bureau with an identity provider can use Streamlit's OIDC login (``st.login``) and map the
signed-in e-mail to a store account instead of a password.
"""

from __future__ import annotations

import datetime as dt
import enum
import getpass
import hashlib
import secrets
from dataclasses import dataclass
from typing import Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..config import settings
from ..dates import now_utc
from ..errors import Term, UserError
from ..store import Store
from ..store.base import User


class Role(enum.StrEnum):
    FIELD_TEAM = "field_team"
    DISTRICT_HEAD = "district_head"
    REVIEWER = "reviewer"
    ADMIN = "admin"


class Permission(enum.StrEnum):
    SUBMIT = "submit"
    VIEW_ALL_SUBMISSIONS = "view_all_submissions"
    REVIEW = "review"
    UNDO = "undo"
    VIEW_AUDIT = "view_audit"
    IMPORT = "import"
    MANAGE_USERS = "manage_users"
    EDIT_TARGETS = "edit_targets"


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.FIELD_TEAM: frozenset({Permission.SUBMIT}),
    Role.DISTRICT_HEAD: frozenset({Permission.VIEW_ALL_SUBMISSIONS, Permission.VIEW_AUDIT}),
    Role.REVIEWER: frozenset(
        {Permission.VIEW_ALL_SUBMISSIONS, Permission.VIEW_AUDIT, Permission.REVIEW, Permission.UNDO}
    ),
    Role.ADMIN: frozenset(Permission),
}


@dataclass(frozen=True)
class Principal:
    """An authenticated user as the services see them."""

    username: str
    role: Role
    district: str | None = None  # a district head's adcode
    must_change_password: bool = False  # signed in with a temporary password

    def can(self, permission: Permission) -> bool:
        return permission in GRANTS[self.role]


def require(principal: Principal, permission: Permission) -> None:
    if not principal.can(permission):
        raise UserError("auth.forbidden", user=principal.username, role=Term(f"role.{principal.role.value}"),
                        action=Term(f"perm.{permission.value}"))  # fmt: skip


def administrator_name(actor: Principal | None, permission: Permission) -> str:
    """Who an administrative write is recorded as: the account, checked for ``permission``; or,
    with no account named, the console operator (shell access to the store file is trusted)."""
    if actor is None:
        return f"console:{getpass.getuser()}"
    require(actor, permission)
    return actor.username


def parse_role(text: str) -> Role:
    try:
        return Role(text)
    except ValueError:
        raise UserError("auth.unknown_role", role=text, roles="、".join(r.value for r in Role)) from None


# -- passwords and accounts ---------------------------------------------------------------------
_HASHER = PasswordHasher()  # argon2id with the library's maintained defaults


def hash_password(password: str) -> str:
    if len(password) < settings().auth.min_password_length:
        raise UserError("auth.password_too_short", n=settings().auth.min_password_length)
    return _HASHER.hash(password)


def principal_of(store: Store, username: str) -> Principal:
    """The principal for a stored, enabled account (no password: for trusted local use, e.g. the CLI)."""
    user = store.get_user(username)
    if user is None:
        raise UserError("auth.no_such_user", user=username)
    if user.disabled:
        raise UserError("auth.disabled", user=username)
    return Principal(user.username, Role(user.role), user.district, bool(user.must_change_password))


class Authenticator(Protocol):
    def authenticate(self, username: str, password: str, client: str | None = None) -> Principal: ...


# Verified against when the name is unknown, so an unknown name costs what a wrong password costs.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))


class LocalAuthenticator:
    """Accounts in the store; argon2id hashes; throttled per account and per client.

    Unknown names, wrong passwords, locked accounts and throttled clients all get the same answer
    after the same work (one argon2 verification), so a sign-in reveals neither which names exist
    nor which accounts are locked. Failures are counted by one atomic statement each, so parallel
    guesses cannot slip past the count."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def authenticate(self, username: str, password: str, client: str | None = None) -> Principal:
        now = now_utc()
        conf = settings().auth
        window = _stamp(dt.datetime.now(dt.UTC) - dt.timedelta(minutes=conf.client_window_minutes))
        user = self.store.get_user(username.strip())
        good = verifies(user.password_hash if user else _DUMMY_HASH, password) and user is not None
        throttled = (
            client is not None and self.store.client_failures(client, window) >= conf.max_failed_per_client
        )
        locked = user is not None and bool(user.locked_until) and user.locked_until > now
        if not good or throttled or locked:
            self._fail(user, client, now, window, counted=not good)
            raise UserError("auth.bad_credentials", n=conf.max_failed_logins, minutes=conf.lockout_minutes)
        if user.disabled:
            raise UserError("auth.disabled", user=user.username)
        if user.failed_logins or user.locked_until:
            self.store.update_user(user.username, failed_logins=0, locked_until=None)
        return Principal(user.username, Role(user.role), user.district, bool(user.must_change_password))

    def _fail(self, user: User | None, client: str | None, now: str, window: str, *, counted: bool) -> None:
        """Count a wrong password against the account, and any refusal against the client."""
        conf = settings().auth
        if user is not None and counted:
            until = _stamp(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=conf.lockout_minutes))
            self.store.count_login_failure(user.username, now, conf.max_failed_logins, until)
        if client is not None:
            self.store.count_client_failure(client, now, window)


def verifies(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# -- sessions -----------------------------------------------------------------------------------
def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(store: Store, principal: Principal) -> str:
    """A new session token; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=settings().auth.session_hours)
    store.add_session(_token_hash(token), principal.username, _stamp(expires))
    return token


def resume_session(store: Store, token: str) -> Principal:
    username = store.session_user(_token_hash(token), now_utc())
    if username is None:
        raise UserError("auth.session_expired")
    return principal_of(store, username)


def end_session(store: Store, token: str) -> None:
    store.end_session(_token_hash(token))
