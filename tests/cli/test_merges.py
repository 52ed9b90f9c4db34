"""``entities merges``: the review queue of uncertain merges, four eyes, audited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import BACKENDS, backend_url, ok

# Two pairs of persons whose names agree (word order aside) and nothing else to compare.
RECORDS = [
    {"id": "p-kim-1", "schema": "Person", "properties": {"name": ["KIM, Chol"]}},
    {"id": "p-kim-2", "schema": "Person", "properties": {"name": ["Chol Kim"]}},
    {"id": "p-ri-1", "schema": "Person", "properties": {"name": ["RI, Song"]}},
    {"id": "p-ri-2", "schema": "Person", "properties": {"name": ["Song Ri"]}},
]


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return backend_url(request, tmp_path)


@pytest.fixture
def ingested(cli, tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "people.ftm.json"
    path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    ok(cli, "ingest", "ftm", str(path))
    return cli


def items(cli, state: str = "pending") -> dict[tuple[str, str], dict]:  # type: ignore[no-untyped-def, type-arg]
    found = json.loads(ok(cli, "entities", "merges", "--state", state, "--format", "json").out)
    return {(i["a"], i["b"]): i for i in found}


def members(cli, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    report = ok(cli, "entities", "show", query, "--format", "json").json()
    return sorted(report["members"])


@pytest.mark.parametrize(
    ("command", "state", "merged"),
    [("accept", "accepted", ["p-kim-1", "p-kim-2"]), ("reject", "rejected", ["p-kim-1"])],
)
def test_a_decision_takes_effect_once_another_person_approves(  # type: ignore[no-untyped-def]
        ingested, command: str, state: str, merged: list[str]) -> None:
    cli = ingested
    queue = items(cli)
    assert set(queue) == {("p-kim-1", "p-kim-2"), ("p-ri-1", "p-ri-2")}
    item = queue[("p-kim-1", "p-kim-2")]
    assert "no date of birth to compare" in item["evidence"]
    shown = ok(cli, "entities", "show", "p-kim-1", "--format", "json").json()["merge_review"]
    assert shown == [f"p-kim-1 ~ p-kim-2: {item['evidence']}"]
    ok(cli, "entities", "merges", command, item["id"], "--reason", "same photo", "--actor",
       "alice")
    assert items(cli, "proposed")[("p-kim-1", "p-kim-2")]["proposer"] == "alice"
    assert members(cli, "p-kim-1") == ["p-kim-1"]  # not in effect yet
    own = cli("entities", "merges", "approve", item["id"], "--actor", "alice")
    assert own.code == 2 and "another person must approve" in own.err
    ok(cli, "entities", "merges", "approve", item["id"], "--actor", "bob")
    decided = items(cli, state)[("p-kim-1", "p-kim-2")]
    assert (decided["proposer"], decided["approver"]) == ("alice", "bob")
    assert members(cli, "p-kim-1") == merged
    assert set(items(cli)) == {("p-ri-1", "p-ri-2")}  # the other pair is still pending
    audit = ok(cli, "audit", "show").out
    assert f"merge_{command}" in audit and "merge_approve" in audit
    ok(cli, "audit", "verify")


def test_accepted_merge_is_explained(ingested) -> None:  # type: ignore[no-untyped-def]
    cli = ingested
    item = items(cli)[("p-ri-1", "p-ri-2")]
    ok(cli, "entities", "merges", "accept", item["id"], "--reason", "same address", "--actor",
       "alice")
    ok(cli, "entities", "merges", "approve", item["id"], "--actor", "bob")
    why = ok(cli, "entities", "show", "p-ri-2", "--format", "json").json()["merged_because"]
    assert why == [f"p-ri-1 = p-ri-2: forced: review {item['id']}: same address (proposed by "
                   f"alice, approved by bob)"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [(("accept", "m0000000000", "--reason", "x"), 3, "no merge review item"),
     (("approve", "{kim}",), 2, "pending: nothing to approve"),
     (("accept", "{kim}", "--reason", " "), 2, "--reason: empty"),
     (("reject", "{kim}", "--reason", "x", "--actor", "a"), 0, "")],
    ids=["unknown-id", "approve-pending", "empty-reason", "reject"],
)
def test_bad_requests_exit_with_one_line(ingested, args: tuple[str, ...], code: int,  # type: ignore[no-untyped-def]
                                         message: str) -> None:
    cli = ingested
    kim = items(cli)[("p-kim-1", "p-kim-2")]["id"]
    run = cli("entities", "merges", *(a.replace("{kim}", kim) for a in args))
    assert run.code == code and message in run.err
    assert len(run.err.strip().splitlines()) <= 1


def test_a_run_is_reproduced_with_the_decisions_known_when_it_ran(  # type: ignore[no-untyped-def]
        ingested, tmp_path: Path) -> None:
    """A merge approved after a run does not change what ``score --run`` gives for it
    (here the merge would bring p-kim-2's listing to p-kim-1)."""
    cli = ingested
    sanction = {"id": "s-kim-2", "schema": "Sanction",
                "properties": {"entity": ["p-kim-2"], "country": ["us"],
                               "startDate": ["2022-03-15"], "program": ["SYNTH"]}}
    path = tmp_path / "sanction.ftm.json"
    path.write_text(json.dumps(sanction) + "\n", encoding="utf-8")
    ok(cli, "ingest", "ftm", str(path))
    ok(cli, "rescore", "--quiet")
    assert ok(cli, "score", "p-kim-1", "--format", "json").json()["band"] != "blocked"
    before = ok(cli, "score", "p-kim-1", "--run", "1", "--format", "json").json()
    item = items(cli)[("p-kim-1", "p-kim-2")]
    ok(cli, "entities", "merges", "accept", item["id"], "--reason", "same photo", "--actor",
       "alice")
    ok(cli, "entities", "merges", "approve", item["id"], "--actor", "bob")
    assert members(cli, "p-kim-1") == ["p-kim-1", "p-kim-2"]  # in effect now
    assert ok(cli, "score", "p-kim-1", "--format", "json").json()["band"] == "blocked"
    again = ok(cli, "score", "p-kim-1", "--run", "1", "--format", "json").json()
    assert again == before and again["entity"]["id"] == "p-kim-1"
