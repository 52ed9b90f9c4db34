"""`score QUERY --run RUN`: a past run's explained result, reproduced from the facts, rule
files and overrides it used, and checked against its stored row."""

from __future__ import annotations

import shutil
import zlib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from riskengine.store.facts_snapshot import MODELS
from tests.cli.conftest import BACKENDS, backend_url, ok
from tests.conftest import FIXTURES, ROOT

BEFORE, AFTER = "2022-06-01", "2022-07-01"  # around KAMAZ's OFAC listing of 2022-06-28
CAP = ("override", "add", "jac", "--kind", "accepted_risk", "--cap", "40", "--reason",
       "reviewed", "--expires", "2099-01-01", "--actor", "alice")


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Every test here runs on SQLite and on PostgreSQL."""
    return backend_url(request, tmp_path)


def as_json(cli, *args: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return ok(cli, *args, "--format", "json").json()


def without_run(result: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in result.items() if k != "run"}


def sql(db: str, statement: str, **params: object) -> None:
    engine = create_engine(db)
    with engine.begin() as conn:
        conn.execute(text(statement), params)
    engine.dispose()


@pytest.mark.parametrize("query", ["JAC Motors", "kamaz", "nefaz", "byd"])
def test_a_run_reproduces_the_live_result_of_its_day(cli, query: str) -> None:  # type: ignore[no-untyped-def]
    ok(cli, "rescore", "--as-of", AFTER, "--quiet")
    live = as_json(cli, "score", query, "--as-of", AFTER)
    again = as_json(cli, "score", query, "--run", "1")
    assert again["run"] == 1
    assert without_run(again) == live
    assert "reproduced from stored run 1" in ok(cli, "score", query, "--run", "1").out


def test_later_facts_rules_and_overrides_do_not_change_a_past_run(  # type: ignore[no-untyped-def]
        cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    ok(cli, "rescore", "--as-of", AFTER, "--quiet")
    first = as_json(cli, "score", "jac", "--run", "1")
    ok(cli, "ingest", "ftm", str(FIXTURES / "ftm" / "sample.ftm.json"))
    ok(cli, *CAP)
    ok(cli, "override", "approve", "1", "--actor", "bob")
    rules = shutil.copytree(ROOT / "rules", tmp_path / "rules")
    scoring = rules / "scoring.yaml"
    scoring.write_text(scoring.read_text().replace("  us: 0.5\n", "  us: 0.4\n"))
    monkeypatch.setenv("RISKENGINE_RULES", str(rules))
    assert as_json(cli, "score", "jac", "--as-of", AFTER)["score"] == 40.0
    ok(cli, "override", "revoke", "1", "--actor", "carol")
    live = as_json(cli, "score", "jac", "--as-of", AFTER)
    assert 40.0 < live["score"] < first["score"]
    assert as_json(cli, "score", "jac", "--run", "1") == first
    assert first["score"] > 40.0


def test_overrides_approved_before_the_run_are_in_it(cli) -> None:  # type: ignore[no-untyped-def]
    ok(cli, *CAP)
    ok(cli, "override", "approve", "1", "--actor", "bob")
    ok(cli, "rescore", "--as-of", AFTER, "--quiet")
    ok(cli, "override", "revoke", "1", "--actor", "carol", "--reason", "re-review")
    again = as_json(cli, "score", "jac", "--run", "1")
    assert again["score"] == 40.0
    assert again["contributions"][-1]["factor"] == "override"
    assert any("override #1" in flag for flag in again["flags"])
    assert as_json(cli, "score", "jac", "--as-of", AFTER)["score"] > 40.0
    (stored,) = [s for s in ok(cli, "history", "jac", "--format", "json").json()["runs"]]
    assert stored["score"] == 40.0


@pytest.mark.parametrize(("statement", "message", "code"), [
    ("UPDATE run_scores SET score = 1.5 WHERE entity_id = 'jac'", "score for 'jac'", 1),
    ("UPDATE run_scores SET parts = '{}' WHERE entity_id = 'jac'", "parts for 'jac'", 1),
    ("UPDATE snapshots SET content = :empty WHERE kind = 'facts'", "does not match its hash",
     1),
    ("DELETE FROM snapshots WHERE kind = 'rules'", "rules snapshot", 1),
    # the facts snapshot's parts are snapshots of their own, each checked by its hash
    ("UPDATE snapshots SET content = :empty WHERE kind = 'facts-part'",
     "does not match its hash", 1),
    ("DELETE FROM snapshots WHERE kind = 'facts-part'", "facts-part snapshot", 1),
    # an edited run header is found against its audit entry before anything is read: exit 6
    ("UPDATE runs SET facts_hash = NULL", "run 1: header edited (facts_hash)", 6),
])
def test_an_altered_run_is_refused(cli, db: str, statement: str, message: str, code: int) -> None:  # type: ignore[no-untyped-def]
    ok(cli, "rescore", "--as-of", AFTER, "--quiet")
    sql(db, statement, **({"empty": zlib.compress(b"{}")} if ":empty" in statement else {}))
    refused = cli("score", "jac", "--run", "1")
    assert refused.code == code
    assert len(refused.err.strip().splitlines()) == 1
    assert message in refused.err


def test_unknown_run(cli) -> None:  # type: ignore[no-untyped-def]
    ok(cli, "rescore", "--as-of", AFTER, "--quiet")
    missing = cli("score", "jac", "--run", "9")
    assert missing.code == 3
    assert "no completed run 9" in missing.err


def test_identical_inputs_are_stored_once(cli, db: str) -> None:  # type: ignore[no-untyped-def]
    ok(cli, "rescore", "--as-of", BEFORE, "--quiet")
    ok(cli, "rescore", "--as-of", AFTER, "--quiet")
    first, second = ok(cli, "runs", "list", "--format", "json").json()
    assert (first["facts_hash"], first["rules_snapshot"]) == (
        second["facts_hash"], second["rules_snapshot"])
    engine = create_engine(db)
    with engine.connect() as conn:
        found = conn.execute(text("SELECT kind, count(*) FROM snapshots GROUP BY kind"))
        kinds: dict[str, int] = {str(k): int(v) for k, v in found.all()}
    engine.dispose()  # (on PostgreSQL the URL's search_path names the test's schema)
    assert (kinds["facts"], kinds["rules"]) == (1, 1)
    assert kinds["facts-part"] == len(MODELS)  # one part per fact table, shared by both runs
    assert as_json(cli, "score", "kamaz", "--run", "1")["regimes"]["us"]["status"] == "clear"
    assert as_json(cli, "score", "kamaz", "--run", "2")["regimes"]["us"]["status"] == "listed"


def test_a_rule_change_is_audited_at_the_next_rescore(  # type: ignore[no-untyped-def]
        cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    ok(cli, "rescore", "--as-of", AFTER, "--quiet")
    ok(cli, "rescore", "--as-of", AFTER, "--quiet")
    rules = shutil.copytree(ROOT / "rules", tmp_path / "rules")
    (rules / "alerts.yaml").write_text("score_move_threshold: 5\n")
    monkeypatch.setenv("RISKENGINE_RULES", str(rules))
    ok(cli, "rescore", "--as-of", AFTER, "--quiet")
    entries = ok(cli, "audit", "show", "--format", "json").json()
    changes = [e for e in entries if e["action"] == "rules.change"]
    assert len(changes) == 2
    assert "scoring.yaml" in changes[0]["details"]["added"]
    assert changes[1]["details"]["modified"] == ["alerts.yaml"]
    actions = [e["action"] for e in entries]
    assert actions.index("rules.change", 1) == len(actions) - 2  # just before its rescore
    assert ok(cli, "audit", "verify").code == 0


def test_as_of_and_run_do_not_combine(cli) -> None:  # type: ignore[no-untyped-def]
    ok(cli, "rescore", "--as-of", AFTER, "--quiet")
    refused = cli("score", "jac", "--run", "1", "--as-of", BEFORE)
    assert refused.code == 2
    assert refused.err == ("error: --as-of: not with --run: a run is reproduced as of its own "
                           "date\n")
