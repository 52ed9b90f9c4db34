"""Users and tokens: only hashes stored, one answer for every bad token, audit entries named."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from riskengine.application import users
from riskengine.errors import AuthError, ForbiddenError, InputError, NotFoundError
from riskengine.roles import ACTIONS, ROLES
from riskengine.settings import Settings
from riskengine.store.audit import audit_entries
from riskengine.store.store import Store

TODAY = date.today()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(db_url=f"sqlite:///{tmp_path / 'users.db'}")


def test_token_authenticates_and_only_its_hash_is_stored(settings: Settings) -> None:
    issued = users.add_user(settings, "alice", "approver", "admin-x")
    assert users.authenticate(settings, issued.token, TODAY) == users.User("alice", "approver")
    with Store.open(settings.db_url) as store, store.transaction(write=False) as conn:
        dumped = " ".join(str(v) for row in conn.execute(text("SELECT * FROM api_tokens"))
                          for v in row)
    assert issued.token not in dumped and users.digest(issued.token) in dumped


def _revoked(s: Settings, t: users.Issued) -> str:
    users.revoke_token(s, t.token_id, "admin-x")
    return t.token


def _disabled(s: Settings, t: users.Issued) -> str:
    users.disable_user(s, t.user, "admin-x")
    return t.token


def _expired(s: Settings, _t: users.Issued) -> str:
    return users.new_token(s, "alice", "admin-x", TODAY + timedelta(days=1)).token


def _tampered(_s: Settings, t: users.Issued) -> str:
    return t.token[:-1] + ("A" if t.token[-1] != "A" else "B")


def _unknown(_s: Settings, t: users.Issued) -> str:
    return "rk_00000000_" + t.token.split("_", 2)[2]


BAD: list[tuple[str, Callable[[Settings, users.Issued], str], int]] = [
    ("revoked", _revoked, 0), ("disabled user", _disabled, 0),
    ("expired", _expired, 1),  # valid before its day, not on it
    ("secret changed", _tampered, 0), ("unknown id", _unknown, 0),
    ("malformed", lambda _s, _t: "Bearer nonsense", 0), ("empty", lambda _s, _t: "", 0),
]


@pytest.mark.parametrize(("case", "make", "days"), BAD, ids=[c for c, _, _ in BAD])
def test_every_bad_token_gets_the_same_answer(settings: Settings, case: str,
                                              make: Callable[[Settings, users.Issued], str],
                                              days: int) -> None:
    token = make(settings, users.add_user(settings, "alice", "analyst", "admin-x"))
    with pytest.raises(AuthError) as err:
        users.authenticate(settings, token, TODAY + timedelta(days=days))
    assert str(err.value) == users.INVALID


def test_expiry_day_itself_is_not_valid(settings: Settings) -> None:
    issued = users.add_user(settings, "bob", "viewer", "a", TODAY + timedelta(days=3))
    assert users.authenticate(settings, issued.token, TODAY + timedelta(days=2)).name == "bob"
    with pytest.raises(AuthError):
        users.authenticate(settings, issued.token, TODAY + timedelta(days=3))


@pytest.mark.parametrize(("name", "role", "expires", "where"), [
    ("bad name", "viewer", None, "NAME"), ("", "viewer", None, "NAME"),
    ("x" * 65, "viewer", None, "NAME"), ("ok", "root", None, "--role"),
    ("ok", "viewer", TODAY, "--expires"),
])
def test_bad_input_changes_nothing(settings: Settings, name: str, role: str,
                                   expires: date | None, where: str) -> None:
    with pytest.raises(InputError) as err:
        users.add_user(settings, name, role, "a", expires)
    assert err.value.location == where
    assert users.list_users(settings) == []


def test_changes_are_audited_with_the_actor(settings: Settings) -> None:
    issued = users.add_user(settings, "alice", "viewer", "carol")
    users.new_token(settings, "alice", "carol")
    users.revoke_token(settings, issued.token_id, "dave")
    users.disable_user(settings, "alice", "dave")
    with Store.open(settings.db_url) as store:
        found = [(e.actor, e.action, e.details["user"]) for e in audit_entries(store)]
    assert found == [("carol", "user_add", "alice"), ("carol", "token_add", "alice"),
                     ("dave", "token_revoke", "alice"), ("dave", "user_disable", "alice")]


def test_listing_names_tokens_never_hashes(settings: Settings) -> None:
    issued = users.add_user(settings, "alice", "viewer", "carol")
    listed = users.list_users(settings)
    assert [t["token_id"] for t in listed[0]["tokens"]] == [issued.token_id]
    assert "hash" not in str(listed)


@pytest.mark.parametrize(("call", "error"), [
    (lambda s: users.new_token(s, "nobody", "a"), NotFoundError),
    (lambda s: users.disable_user(s, "nobody", "a"), NotFoundError),
    (lambda s: users.revoke_token(s, "ffffffff", "a"), NotFoundError),
])
def test_unknown_targets(settings: Settings, call: Callable[[Settings], object],
                         error: type[Exception]) -> None:
    with pytest.raises(error):
        call(settings)


def test_revoking_twice_and_disabled_users_get_no_token(settings: Settings) -> None:
    issued = users.add_user(settings, "alice", "viewer", "a")
    users.revoke_token(settings, issued.token_id, "a")
    with pytest.raises(InputError):
        users.revoke_token(settings, issued.token_id, "a")
    users.disable_user(settings, "alice", "a")
    with pytest.raises(InputError):
        users.new_token(settings, "alice", "a")


# The matrix, written out: viewer scores, screens and reads; analyst also proposes;
# approver also approves; admin also manages users.
MATRIX = {"viewer": {"read", "score", "screen"},
          "analyst": {"read", "score", "screen", "propose"},
          "approver": {"read", "score", "screen", "propose", "approve"},
          "admin": {"read", "score", "screen", "propose", "approve", "admin"}}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_role_matrix(role: str, action: str) -> None:
    user = users.User("u", role)
    if action in MATRIX[role]:
        user.require(action)
    else:
        with pytest.raises(ForbiddenError):
            user.require(action)


def test_stored_rows(settings: Settings) -> None:
    users.add_user(settings, "alice", "viewer", "a")
    with Store.open(settings.db_url) as store, store.transaction(write=False) as conn:
        from riskengine.store.schema import UserRow

        assert conn.execute(select(UserRow.__table__.c.role)).scalar_one() == "viewer"
