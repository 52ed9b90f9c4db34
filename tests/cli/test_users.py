"""`riskengine users`: the token is printed once, bad input exits 2 and stores nothing."""

from __future__ import annotations

import re

from tests.cli.conftest import ok

TOKEN = re.compile(r"^rk_[0-9a-f]{8}_\S+$", re.M)


def test_add_prints_a_token_once_and_list_never_shows_it(cli) -> None:  # type: ignore[no-untyped-def]
    added = ok(cli, "users", "add", "alice", "--role", "approver", "--actor", "carol")
    token = TOKEN.search(added.out)
    assert token is not None
    listed = ok(cli, "users", "list")
    assert "alice (approver), added by carol" in listed.out
    assert token.group(0) not in listed.out and token.group(0).split("_")[1] in listed.out


def test_revoke_and_disable_show_in_the_list(cli) -> None:  # type: ignore[no-untyped-def]
    added = ok(cli, "users", "add", "bob", "--role", "viewer", "--expires", "2099-01-01")
    token_id = TOKEN.search(added.out).group(0).split("_")[1]  # type: ignore[union-attr]
    ok(cli, "users", "token", "bob")
    ok(cli, "users", "revoke", token_id)
    ok(cli, "users", "disable", "bob")
    listed = ok(cli, "users", "list", "--format", "json").json()
    assert listed[0]["disabled_at"] and [t["revoked_at"] is not None
                                         for t in listed[0]["tokens"]] == [True, False]


def test_bad_input_exits_2_with_one_line(cli) -> None:  # type: ignore[no-untyped-def]
    for args in (["users", "add", "x y", "--role", "viewer"],
                 ["users", "add", "ok", "--role", "viewer", "--expires", "2020-01-01"],
                 ["users", "add", "ok", "--role", "viewer", "--expires", "soon"]):
        run = cli(*args)
        assert run.code == 2 and run.err.count("\n") == 1 and "Traceback" not in run.err
    assert ok(cli, "users", "list").out.strip() == "no users"


def test_unknown_token_id_exits_3(cli) -> None:  # type: ignore[no-untyped-def]
    run = cli("users", "revoke", "12345678")
    assert run.code == 3 and "no token" in run.err
