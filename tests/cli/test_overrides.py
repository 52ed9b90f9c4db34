"""`riskengine override add|approve|list|revoke` and its effect on `score`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.cli.conftest import BACKENDS, backend_url, ok
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


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Every test here runs on SQLite and on PostgreSQL."""
    return backend_url(request, tmp_path)


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


def both(cli, *args: str) -> None:  # type: ignore[no-untyped-def]
    """Add an override (alice) and approve it (bob)."""
    made = ok(cli, "override", "add", *args, "--reason", "documents reviewed", "--expires",
              "2099-01-01", "--actor", "alice").out
    number = made.split("#", 1)[1].split()[0]
    ok(cli, "override", "approve", number, "--actor", "bob")


def test_manual_clear_changes_the_verdict_and_the_partners_exposure(cli) -> None:  # type: ignore[no-untyped-def]
    before = ok(cli, "score", "jac", "--format", "json").json()
    assert any(c["regime"] == "us" for c in before["contributions"])
    both(cli, "kamaz", "--kind", "manual_status", "--regime", "us", "--status", "clear")
    kamaz = ok(cli, "score", "kamaz", "--format", "json").json()
    us = kamaz["regimes"]["us"]
    assert (us["status"], us["blocked"], us["possibly_blocked"]) == ("clear", False, False)
    assert us["evidence"][0]["kind"] == "manual_status"
    assert us["evidence"][0]["detail"].endswith("derived verdict was listed")
    assert us["evidence"][1]["kind"] == "listed"
    assert all(c.get("regime") != "us" for c in kamaz["contributions"])
    jac = ok(cli, "score", "jac", "--format", "json").json()
    us_paths = [[i["id"] for i in c["path"] if i["type"] == "entity"]
                for c in jac["contributions"] if c.get("regime") == "us"]
    assert all(path[-1] != "kamaz" for path in us_paths)  # KAMAZ no longer a US seed ...
    assert any("kamaz" in path[1:-1] for path in us_paths)  # ... but a way to others
    assert jac["score"] < before["score"]


def test_manual_owned_blocks_and_is_cited(cli) -> None:  # type: ignore[no-untyped-def]
    both(cli, "jac", "--kind", "manual_status", "--regime", "eu", "--status", "owned")
    jac = ok(cli, "score", "jac", "--format", "json").json()
    assert (jac["score"], jac["band"], jac["regimes"]["eu"]["status"]) == (100.0, "blocked",
                                                                            "owned")
    (part,) = [c for c in jac["contributions"] if c["factor"] == "blocked"]
    assert part["detail"].startswith("blocked under eu (owned): override #1 (manual_status, "
                                     "eu owned) by alice, approved by bob")
    ok(cli, "rescore", "--quiet")
    (stored,) = ok(cli, "history", "jac", "--format", "json").json()["runs"]
    assert (stored["score"], stored["blocked"]) == (100.0, ["eu"])


def test_manual_status_needs_a_known_regime(cli) -> None:  # type: ignore[no-untyped-def]
    refused = cli("override", "add", "jac", "--kind", "manual_status", "--regime", "zz",
                  "--status", "clear", "--reason", "r", "--expires", "2099-01-01")
    assert refused.code == 2
    assert "--regime 'zz' is unknown (known: ca, eu, uk, un, us)" in refused.err


def screened(cli, name: str) -> dict:  # type: ignore[type-arg,no-untyped-def]
    found = ok(cli, "screen", name, "--format", "json").json()
    return {m["entity"]["id"]: m for m in found["matches"]}


def test_false_positive_and_confirmed_decide_screening_matches(cli) -> None:  # type: ignore[no-untyped-def]
    before = screened(cli, "Kamaz")
    assert before["kamaz"]["match"]
    both(cli, "kamaz", "--kind", "false_positive", "--counterparty", "KAMAZ")
    for query in ("Kamaz", "КАМАЗ"):  # the same counterparty name, folded
        after = screened(cli, query)["kamaz"]
        assert (after["match"], after["decision"]) == (False, "false_positive")
        assert "override #1 (false_positive) by alice" in after["features"][-1]["detail"]
    assert screened(cli, "Kamaz")["kamaz"]["score"] == before["kamaz"]["score"]
    assert screened(cli, "KAMAZ PJSC")["kamaz"]["match"]  # another counterparty
    weak = [e for e, m in screened(cli, "Kamaz").items() if not m["match"]]
    assert weak, "a candidate below the threshold to confirm"
    both(cli, weak[0], "--kind", "confirmed", "--counterparty", "Kamaz")
    confirmed = screened(cli, "Kamaz")[weak[0]]
    assert (confirmed["match"], confirmed["decision"]) == (True, "confirmed")


def test_screen_shows_the_same_risk_as_score(cli) -> None:  # type: ignore[no-untyped-def]
    approved(cli)  # JAC capped at 40
    both(cli, "kamaz", "--kind", "manual_status", "--regime", "us", "--status", "clear")
    for query, entity in (("Anhui Jianghuai Automobile", "jac"), ("Kamaz", "kamaz")):
        risk = screened(cli, query)[entity]["risk"]
        scored = ok(cli, "score", entity, "--format", "json").json()
        assert (risk["score"], risk["band"]) == (scored["score"], scored["band"])
        assert risk["regimes"] == {c: v["status"] for c, v in scored["regimes"].items()}
    assert screened(cli, "Kamaz")["kamaz"]["risk"]["regimes"]["us"] == "clear"
