"""Users and API tokens of the HTTP service (``riskengine users``, ``riskengine serve``).

A token is ``rk_<token id>_<secret>``: the id (8 hex digits) is public, shown in listings and
used to revoke the token; the secret (32 random bytes, url-safe) is shown once, when the
token is made. Only the sha256 of the whole token is stored, so a copy of the database does
not give anyone a working token. ``authenticate`` answers the same "invalid or expired token"
for an unknown, revoked or expired token and for a disabled user: a caller learns nothing
about which tokens exist.

Every change (user added, token made or revoked, user disabled) is one transaction with its
audit entry; rows are never deleted, so a name in the audit log always resolves to a user.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Table, insert, select, update

from riskengine.application import base
from riskengine.errors import AuthError, ForbiddenError, InputError, NotFoundError
from riskengine.roles import ROLES, allowed
from riskengine.settings import Settings
from riskengine.store.schema import TokenRow, UserRow

if TYPE_CHECKING:
    from riskengine.store.store import Store

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
_TOKEN = re.compile(r"^rk_([0-9a-f]{8})_([A-Za-z0-9_-]{20,100})$")
INVALID = "invalid or expired token"


@dataclass(frozen=True)
class User:
    """An authenticated caller: its name is the actor of every audit entry it causes."""

    name: str
    role: str

    def require(self, action: str) -> None:
        """Raise ForbiddenError unless the role allows ``action`` (``riskengine.roles``)."""
        if not allowed(self.role, action):
            raise ForbiddenError(f"{self.name} ({self.role}) may not {action}")


@dataclass(frozen=True)
class Issued:
    """A token just made: ``token`` is shown once and never again."""

    user: str
    token_id: str
    token: str
    expires: date | None


def _users() -> Table:
    table = UserRow.__table__
    assert isinstance(table, Table)
    return table


def _tokens() -> Table:
    table = TokenRow.__table__
    assert isinstance(table, Table)
    return table


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_name(name: str) -> None:
    if not _NAME.match(name):
        raise InputError("NAME", f"{name!r}: 1-64 letters, digits, '.', '_', '@' or '-', "
                                 "starting with a letter or digit")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise InputError("--role", f"{role!r}: one of {', '.join(ROLES)}")


def _check_expiry(expires: date | None, today: date) -> None:
    if expires is not None and expires <= today:
        raise InputError("--expires", f"{expires.isoformat()} is not after today")


def _issue(conn: Connection, user: str, expires: date | None, at: datetime) -> Issued:
    token_id = secrets.token_hex(4)
    while conn.execute(select(_tokens().c.token_id)
                       .where(_tokens().c.token_id == token_id)).first():
        token_id = secrets.token_hex(4)
    token = f"rk_{token_id}_{secrets.token_urlsafe(32)}"
    conn.execute(insert(_tokens()), [{"token_id": token_id, "user": user,
                                      "hash": digest(token), "created_at": at,
                                      "expires": expires, "revoked_at": None}])
    return Issued(user, token_id, token, expires)


def _user_row(conn: Connection, name: str) -> dict[str, Any]:
    row = conn.execute(select(_users()).where(_users().c.name == name)).mappings().first()
    if row is None:
        raise NotFoundError(f"no user {name!r} (see `riskengine users list`)")
    return dict(row)


def add_user(settings: Settings, name: str, role: str, actor: str,
             expires: date | None = None) -> Issued:
    """Add a user with ``role`` and make its first token (returned once)."""
    from riskengine.store.audit import append_audit

    _check_name(name)
    _check_role(role)
    at = base.now()
    _check_expiry(expires, at.date())
    with base.open_store(settings) as store, store.transaction(write=True) as conn:
        if conn.execute(select(_users().c.name).where(_users().c.name == name)).first():
            raise InputError("NAME", f"user {name!r} exists (a token: `users token {name}`)")
        conn.execute(insert(_users()), [{"name": name, "role": role, "created_by": actor,
                                         "created_at": at, "disabled_at": None}])
        issued = _issue(conn, name, expires, at)
        append_audit(conn, actor, "user_add", {"user": name, "role": role,
                                               "token_id": issued.token_id,
                                               "expires": _day(expires)}, at)
    return issued


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def new_token(settings: Settings, name: str, actor: str,
              expires: date | None = None) -> Issued:
    """Another token for an enabled user (e.g. to rotate one before revoking it)."""
    from riskengine.store.audit import append_audit

    at = base.now()
    _check_expiry(expires, at.date())
    with base.open_store(settings) as store, store.transaction(write=True) as conn:
        if _user_row(conn, name)["disabled_at"] is not None:
            raise InputError(name, "the user is disabled")
        issued = _issue(conn, name, expires, at)
        append_audit(conn, actor, "token_add", {"user": name, "token_id": issued.token_id,
                                                "expires": _day(expires)}, at)
    return issued


def revoke_token(settings: Settings, token_id: str, actor: str) -> str:
    """Revoke a token by its id; returns its user's name."""
    from riskengine.store.audit import append_audit

    at = base.now()
    t = _tokens()
    with base.open_store(settings) as store, store.transaction(write=True) as conn:
        row = conn.execute(select(t).where(t.c.token_id == token_id)).mappings().first()
        if row is None:
            raise NotFoundError(f"no token {token_id!r} (see `riskengine users list`)")
        if row["revoked_at"] is not None:
            raise InputError(token_id, "already revoked")
        conn.execute(update(t).where(t.c.token_id == token_id).values(revoked_at=at))
        append_audit(conn, actor, "token_revoke", {"user": row["user"],
                                                   "token_id": token_id}, at)
    return str(row["user"])


def disable_user(settings: Settings, name: str, actor: str) -> None:
    """Disable a user: none of its tokens authenticates any more (the row stays)."""
    from riskengine.store.audit import append_audit

    at = base.now()
    with base.open_store(settings) as store, store.transaction(write=True) as conn:
        if _user_row(conn, name)["disabled_at"] is not None:
            raise InputError(name, "already disabled")
        conn.execute(update(_users()).where(_users().c.name == name).values(disabled_at=at))
        append_audit(conn, actor, "user_disable", {"user": name}, at)


def list_users(settings: Settings) -> list[dict[str, Any]]:
    """Every user with its tokens (ids, dates and state; never hashes)."""
    with base.open_store(settings) as store, store.transaction(write=False) as conn:
        users = [dict(r) for r in conn.execute(select(_users()).order_by(_users().c.name))
                 .mappings()]
        tokens = [dict(r) for r in conn.execute(select(_tokens()).order_by(
            _tokens().c.created_at, _tokens().c.token_id)).mappings()]
    return [_user_json(u, [t for t in tokens if t["user"] == u["name"]]) for u in users]


def _user_json(user: dict[str, Any], tokens: list[dict[str, Any]]) -> dict[str, Any]:
    def stamp(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {"name": user["name"], "role": user["role"], "created_by": user["created_by"],
            "created_at": stamp(user["created_at"]), "disabled_at": stamp(user["disabled_at"]),
            "tokens": [{"token_id": t["token_id"], "created_at": stamp(t["created_at"]),
                        "expires": _day(t["expires"]), "revoked_at": stamp(t["revoked_at"])}
                       for t in tokens]}


def authenticate(settings: Settings, token: str, today: date) -> User:
    """The user a bearer token stands for, or AuthError (the same message whatever is
    wrong: unknown, malformed, revoked, expired, user disabled). A token is valid before its
    ``expires`` day, not on it."""
    with base.open_store(settings) as store:
        return authenticate_in(store, token, today)


def _token_query() -> Any:
    t, u = _tokens(), _users()
    return (select(t.c.token_id, t.c.hash, t.c.expires, t.c.revoked_at, u.c.name, u.c.role,
                   u.c.disabled_at).join(u, u.c.name == t.c.user))


def authenticate_in(store: Store, token: str, today: date) -> User:
    """``authenticate`` on an open store (the service keeps one)."""
    match = _TOKEN.match(token or "")
    if match is None:
        raise AuthError(INVALID)
    query = _token_query().where(_tokens().c.token_id == match.group(1))
    with store.transaction(write=False) as conn:
        row = conn.execute(query).mappings().first()
    return _checked(dict(row) if row is not None else None, token, today)


def _checked(row: Mapping[str, Any] | None, token: str, today: date) -> User:
    """The user of ``row`` (the token's row joined with its user), or AuthError."""
    if row is None or not hmac.compare_digest(str(row["hash"]), digest(token)):
        raise AuthError(INVALID)
    if row["revoked_at"] or row["disabled_at"] or (row["expires"] and row["expires"] <= today):
        raise AuthError(INVALID)
    return User(str(row["name"]), str(row["role"]))


class TokenTable:
    """Every token row of the store in memory, for the service: a request is authenticated
    without a query. ``changed()`` tells whether anything was committed to the store since
    it was last asked (for SQLite ``PRAGMA data_version``: any other connection's commit,
    from this process or another, e.g. ``riskengine users revoke``); the table is read again
    before the next answer whenever it says so, so a revocation, a new token or a disabled
    user counts from the first request after its commit. Expiry is checked per request
    against ``today``. Without ``changed`` (PostgreSQL) every request reads its row."""

    def __init__(self, store: Store, changed: Callable[[], bool] | None) -> None:
        self._store, self._changed = store, changed
        self._rows: dict[str, Mapping[str, Any]] | None = None
        self._lock = threading.Lock()

    @property
    def in_memory(self) -> bool:
        """True when ``authenticate`` answers without a query (but after a change)."""
        return self._changed is not None

    def authenticate(self, token: str, today: date) -> User:
        """The user ``token`` stands for (as ``authenticate_in``), or AuthError."""
        if self._changed is None:
            return authenticate_in(self._store, token, today)
        match = _TOKEN.match(token or "")
        if match is None:
            raise AuthError(INVALID)
        return _checked(self._current().get(match.group(1)), token, today)

    def _current(self) -> dict[str, Mapping[str, Any]]:
        assert self._changed is not None
        with self._lock:
            if self._changed() or self._rows is None:
                with self._store.transaction(write=False) as conn:
                    rows = conn.execute(_token_query()).mappings().all()
                self._rows = {str(r["token_id"]): dict(r) for r in rows}
            return self._rows
