"""Managing accounts: the first administrator, further users, the demo accounts of a sample store,
and the administration of existing ones (temporary passwords, unlock, disable, enable, one's own
password). Every change is audited; the CLI and the 设置 page both come through here.

Names may be Chinese (张三) or Latin; they are kept in NFKC form (full-width Ａ becomes A) and
compared casefolded, so ``Admin`` cannot sit beside ``admin`` (the store's unique ``name_key``).
"""

from __future__ import annotations

import re
import secrets
import unicodedata

from ..errors import UserError
from ..store import Store
from ..store.base import User
from . import audit
from .auth import (
    Permission,
    Principal,
    Role,
    administrator_name,
    hash_password,
    parse_role,
    require,
    verifies,
)

# Letters of any script, digits, and . _ - ; 2 to 40 of them; no spaces or control characters.
_USERNAME = re.compile(r"^[^\W][\w.\-]{1,39}$")
TEMPORARY_PASSWORD_BYTES = 9  # 12 URL-safe characters


def normalized_name(username: str) -> str:
    """The form a name is stored in (NFKC), refused with what to do when it cannot be one."""
    name = unicodedata.normalize("NFKC", username.strip())
    if not _USERNAME.match(name):
        raise UserError("auth.bad_username", user=username)
    return name


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
    name = normalized_name(username)
    if store.get_user(name) is not None:
        raise UserError("auth.user_exists", user=name)
    if parsed is Role.DISTRICT_HEAD and district not in _district_codes(store):
        raise UserError("auth.bad_district", district=district or "—")
    with store.transaction():
        store.add_user(name, parsed.value, district, hash_password(password))
        audit.record(store, actor.username if actor else name, "user_add",
                     detail={"user": name, "role": parsed.value, "district": district})  # fmt: skip


def list_users(store: Store, actor: Principal | None) -> list[User]:
    """Every account, for those who manage them (or the console operator)."""
    administrator_name(actor, Permission.MANAGE_USERS)
    return store.users()


def _account(store: Store, username: str) -> User:
    user = store.get_user(username.strip())
    if user is None:
        raise UserError("auth.no_such_user", user=username)
    return user


def reset_password(store: Store, actor: Principal | None, username: str) -> str:
    """A new temporary password (returned once, stored only as a hash) that must be changed at the
    next sign-in; the account is unlocked and its sessions end."""
    by = administrator_name(actor, Permission.MANAGE_USERS)
    user = _account(store, username)
    temporary = secrets.token_urlsafe(TEMPORARY_PASSWORD_BYTES)
    with store.transaction():
        store.update_user(user.username, password_hash=hash_password(temporary), must_change_password=1,
                          failed_logins=0, locked_until=None)  # fmt: skip
        store.end_user_sessions(user.username)
        audit.record(store, by, "user_reset_password", detail={"user": user.username})
    return temporary


def unlock(store: Store, actor: Principal | None, username: str) -> None:
    """Lift a lockout after failed sign-ins."""
    by = administrator_name(actor, Permission.MANAGE_USERS)
    user = _account(store, username)
    with store.transaction():
        store.update_user(user.username, failed_logins=0, locked_until=None)
        audit.record(store, by, "user_unlock", detail={"user": user.username})


def set_disabled(store: Store, actor: Principal | None, username: str, disabled: bool) -> None:
    """Disable (its sessions end at once) or enable an account; nobody disables themselves, so
    the last administrator cannot lock everyone out by a slip."""
    by = administrator_name(actor, Permission.MANAGE_USERS)
    user = _account(store, username)
    if disabled and actor is not None and user.username == actor.username:
        raise UserError("acct.not_yourself")
    with store.transaction():
        store.update_user(user.username, disabled=int(disabled))
        if disabled:
            store.end_user_sessions(user.username)
        audit.record(store, by, "user_disable" if disabled else "user_enable", detail={"user": user.username})


def change_password(store: Store, principal: Principal, current: str, new: str) -> None:
    """One's own password, after proving the current one; ends a temporary password."""
    user = _account(store, principal.username)
    if not verifies(user.password_hash, current):
        raise UserError("acct.wrong_current_password")
    if new == current:
        raise UserError("acct.same_password")
    with store.transaction():
        store.update_user(user.username, password_hash=hash_password(new), must_change_password=0)
        audit.record(store, user.username, "user_passwd", detail={"user": user.username})


def add_demo_accounts(store: Store, password: str) -> list[tuple[str, str]]:
    """``admin``, ``reviewer``, ``field_team`` and ``head_<adcode>`` per district, one password;
    each account has its own salt and hash."""
    accounts = [("admin", Role.ADMIN, None), ("reviewer", Role.REVIEWER, None),
                ("field_team", Role.FIELD_TEAM, None)]  # fmt: skip
    accounts += [(f"head_{code}", Role.DISTRICT_HEAD, code) for code in sorted(_district_codes(store))]
    with store.transaction():
        for username, role, district in accounts:
            store.add_user(username, role.value, district, hash_password(password))
        audit.record(store, "system", "demo_accounts", detail={"users": [a[0] for a in accounts]})
    return [(a[0], a[1].value) for a in accounts]
