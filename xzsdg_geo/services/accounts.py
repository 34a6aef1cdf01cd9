"""Managing accounts: the first administrator, further users, the demo accounts of a sample store."""

from __future__ import annotations

import re

from ..errors import UserError
from ..store import Store
from ..store.base import User
from . import audit
from .auth import Permission, Principal, Role, hash_password, parse_role, require

_USERNAME = re.compile(r"^[A-Za-z0-9_.\-]{2,40}$")


def _district_codes(store: Store) -> set[str]:
    return set(store.features("districts")["adcode"])


def add_user(
    store: Store,
    actor: Principal | None,
    username: str,
    role: str,
    password: str,
    district: str | None = None,
) -> None:
    """Create an account. With no accounts yet (``actor`` None) only an administrator may be made."""
    parsed = parse_role(role)
    if actor is None:
        if store.users():
            raise UserError("auth.login_required")
        if parsed is not Role.ADMIN:
            raise UserError("auth.first_user_admin")
    else:
        require(actor, Permission.MANAGE_USERS)
    if not _USERNAME.match(username):
        raise UserError("auth.bad_username", user=username)
    if store.get_user(username) is not None:
        raise UserError("auth.user_exists", user=username)
    if parsed is Role.DISTRICT_HEAD and district not in _district_codes(store):
        raise UserError("auth.bad_district", district=district or "—")
    with store.transaction():
        store.add_user(username, parsed.value, district, hash_password(password))
        audit.record(store, actor.username if actor else username, "user_add",
                     detail={"user": username, "role": parsed.value, "district": district})  # fmt: skip


def list_users(store: Store, actor: Principal) -> list[User]:
    """Every account, for those who manage them."""
    require(actor, Permission.MANAGE_USERS)
    return store.users()


def add_demo_accounts(store: Store, password: str) -> list[tuple[str, str]]:
    """``admin``, ``reviewer``, ``field_team`` and ``head_<adcode>`` per district, one password."""
    hashed = hash_password(password)
    accounts = [("admin", Role.ADMIN, None), ("reviewer", Role.REVIEWER, None),
                ("field_team", Role.FIELD_TEAM, None)]  # fmt: skip
    accounts += [(f"head_{code}", Role.DISTRICT_HEAD, code) for code in sorted(_district_codes(store))]
    with store.transaction():
        for username, role, district in accounts:
            store.add_user(username, role.value, district, hashed)
        audit.record(store, "system", "demo_accounts", detail={"users": [a[0] for a in accounts]})
    return [(a[0], a[1].value) for a in accounts]
