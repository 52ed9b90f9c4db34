"""The service's in-memory token table (``users.TokenTable``) against the query per request
(``users.authenticate_in``) it replaces, and revocation taking effect at once on a real
server while other processes change the users."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import pytest

from riskengine.application import base, users
from riskengine.application.warm import CommitWatch
from riskengine.errors import AuthError
from riskengine.settings import Settings
from tests.api.conftest import Server

TODAY = base.now().date()
STRANGER = users.Issued("x", "0badc0de", "rk_0badc0de_" + "a" * 43, None)  # never stored


def _outcome(check: object, token: str, day: date) -> str:
    try:
        user = check(token, day)  # type: ignore[operator]
    except AuthError:
        return "refused"
    return f"{user.name}:{user.role}"


def _step(rng: random.Random, settings: Settings, issued: list[users.Issued], n: int) -> None:
    """One random change of users and tokens, as `riskengine users` makes them."""
    kind = rng.choice(["add", "token", "revoke", "disable"] if issued else ["add"])
    expires = rng.choice([None, TODAY + timedelta(days=rng.randint(1, 3))])
    live = [i for i in issued if i.user not in _disabled(settings)]
    try:
        if kind == "add":
            role = rng.choice(["viewer", "analyst", "approver", "admin"])
            issued.append(users.add_user(settings, f"u{n}", role, "test", expires))
        elif kind == "token" and live:
            issued.append(users.new_token(settings, rng.choice(live).user, "test", expires))
        elif kind == "revoke":
            users.revoke_token(settings, rng.choice(issued).token_id, "test")
        elif kind == "disable" and live:
            users.disable_user(settings, rng.choice(live).user, "test")
    except Exception as exc:  # already revoked or disabled: the store refused, as it should
        assert "already" in str(exc)


def _disabled(settings: Settings) -> set[str]:
    return {u["name"] for u in users.list_users(settings) if u["disabled_at"]}


@pytest.mark.parametrize("seed", range(3))
def test_table_answers_as_a_query_per_request(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    settings = Settings.build({}, db=f"sqlite:///{tmp_path / 't.db'}", seed=False)
    issued: list[users.Issued] = []
    with base.open_store(settings) as store:
        watch = CommitWatch.of(settings.db_url)
        assert watch is not None
        table = users.TokenTable(store, watch.changed)
        for n in range(25):
            _step(rng, settings, issued, n)
            for item in [*issued, STRANGER]:
                for day in (TODAY, TODAY + timedelta(days=2), TODAY + timedelta(days=4)):
                    for token in (item.token, item.token[:-1] + "x"):
                        expect = _outcome(lambda t, d: users.authenticate_in(store, t, d),
                                          token, day)
                        assert _outcome(table.authenticate, token, day) == expect
        assert any(_outcome(table.authenticate, i.token, TODAY) != "refused" for i in issued)
        watch.close()


def _runs(server: Server, token: str) -> int:
    return server.call("GET", "/v1/runs", headers={"Authorization": f"Bearer {token}"}).status


def test_cli_changes_count_from_the_next_request(server: Server) -> None:
    made = server.cli("users", "add", "carl", "--role", "viewer")
    token = next(line for line in made.stdout.splitlines() if line.startswith("rk_"))
    assert _runs(server, token) == 200  # made by another process: known at once
    second = server.cli("users", "token", "carl")
    other = next(line for line in second.stdout.splitlines() if line.startswith("rk_"))
    assert _runs(server, other) == 200
    assert server.cli("users", "revoke", token.split("_")[1]).returncode == 0
    assert _runs(server, token) == 401  # revoked by another process: refused at once
    assert _runs(server, other) == 200
    assert server.cli("users", "disable", "carl").returncode == 0
    assert _runs(server, other) == 401


def test_memory_table_only_for_a_sqlite_file() -> None:
    assert CommitWatch.of("sqlite://") is None
    assert CommitWatch.of("postgresql://u@127.0.0.1/test") is None
