"""`riskengine override add|approve|list|revoke` and its effect on `score`."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from riskengine.cli.app import app
from riskengine.cli.overrides_cmd import overrides_app
from tests.conftest import ROOT

ADD = ("override", "add", "jac", "--kind", "accepted_risk", "--cap", "40", "--reason",
       "licence ended, reviewed", "--expires", "2099-01-01", "--actor", "alice")
NEW_LISTING = """
designations:
  - id: jac-ca-test
    entity: jac
    regime: ca
    measure: asset_freeze
    from: 2020-01-01
    source: {source: test, note: added by the override lapse test}
"""


@pytest.fixture(autouse=True)
def registered() -> Iterator[None]:
    """Register `override` on the real app as app.py will (unless it already does)."""
    if any(g.name == "override" for g in app.registered_groups):
        yield
        return
    groups = list(app.registered_groups)
    app.add_typer(overrides_app, name="override")
    yield
    app.registered_groups[:] = groups


def ok(cli, *args: str):  # type: ignore[no-untyped-def]
    run = cli(*args)
    assert run.code == 0, run.err
    return run


def approved(cli) -> None:  # type: ignore[no-untyped-def]
    assert "override #1 pending" in ok(cli, *ADD).out
    ok(cli, "override", "approve", "1", "--actor", "bob")


def test_same_person_cannot_approve(cli) -> None:  # type: ignore[no-untyped-def]
    ok(cli, *ADD)
    refused = cli("override", "approve", "1", "--actor", "alice")
    assert refused.code == 2
    assert len(refused.err.strip().splitlines()) == 1
    assert "another person must approve" in refused.err
    assert ok(cli, "override", "list", "--format", "json").json()[0]["status"] == "pending"
    assert ok(cli, "score", "jac", "--format", "json").json()["score"] == 85.1


def test_cap_applies_and_contributions_add_up(cli) -> None:  # type: ignore[no-untyped-def]
    approved(cli)
    found = ok(cli, "score", "jac", "--format", "json").json()
    assert (found["score"], found["band"]) == (40.0, "high")
    assert round(sum(c["points"] for c in found["contributions"]), 2) == 40.0
    part = found["contributions"][-1]
    assert (part["factor"], part["points"]) == ("override", -45.1)
    assert ("override #1 (accepted_risk, cap 40) by alice, approved by bob, until 2099-01-01: "
            "licence ended, reviewed") in found["flags"]
    listed = ok(cli, "override", "list", "--entity", "JAC Motors", "--format", "json").json()
    assert [(o["id"], o["status"], o["approver"]) for o in listed] == [(1, "active", "bob")]
    actions = [e["action"] for e in ok(cli, "audit", "show", "--format", "json").json()]
    assert actions[:2] == ["override.add", "override.approve"]


def test_lapses_when_a_designation_appears(cli, tmp_path: Path,  # type: ignore[no-untyped-def]
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    approved(cli)
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    with (rules / "scenario" / "china.yaml").open("a", encoding="utf-8") as f:
        f.write(NEW_LISTING)
    monkeypatch.setenv("RISKENGINE_RULES", str(rules))
    found = ok(cli, "score", "jac", "--format", "json").json()
    assert found["score"] == 100.0
    assert "override #1 lapsed: facts changed since it was made" in found["flags"]
    assert all(c["factor"] != "override" for c in found["contributions"])
    assert "lapsed" in ok(cli, "override", "list").out


def test_revoke_keeps_the_row(cli) -> None:  # type: ignore[no-untyped-def]
    approved(cli)
    assert "revoked by carol" in ok(cli, "override", "revoke", "1", "--actor", "carol",
                                    "--reason", "licence renewed").out
    listed = ok(cli, "override", "list", "--format", "json").json()
    assert [(o["status"], o["revoke_reason"]) for o in listed] == [("revoked",
                                                                    "licence renewed")]
    assert ok(cli, "score", "jac", "--format", "json").json()["score"] == 85.1
    assert cli("override", "revoke", "1", "--actor", "carol").code == 2
    assert cli("override", "approve", "9", "--actor", "carol").code == 3


BAD = [
    ("cap-missing", ("--kind", "accepted_risk"), "needs --cap"),
    ("status-missing", ("--kind", "manual_status", "--regime", "us"), "needs --regime"),
    ("bad-date", ("--kind", "confirmed", "--expires", "soon"), "--expires"),
]


@pytest.mark.parametrize(("name", "args", "message"), BAD, ids=[b[0] for b in BAD])
def test_add_refuses_malformed(cli, name: str, args: tuple[str, ...],  # type: ignore[no-untyped-def]
                               message: str) -> None:
    base = ("override", "add", "jac", "--reason", "r", "--expires", "2099-01-01")
    run = cli(*base, *args)
    assert run.code == 2, name
    assert message in run.err
    assert ok(cli, "override", "list").out.strip() == "no overrides"
