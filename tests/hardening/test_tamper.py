"""Point 5 through the real CLI: rows edited or deleted with raw SQL are found by `audit
verify` (exit 6, one line naming what was edited); an edited override is not applied by
`score`, which says so; `audit head` anchors the chain's end outside the database."""

from __future__ import annotations

import json
import re
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from tests.hardening.conftest import CRASHED, copy_store, dump, run_cli

OVERRIDE = ["override", "add", "kamaz", "--kind", "accepted_risk", "--cap", "40", "--reason",
            "reviewed", "--expires", "2099-01-01", "--actor", "alice"]


@pytest.fixture(scope="module")
def decided(baseline: tuple[Path, list[str]], tmp_path_factory: pytest.TempPathFactory
            ) -> Path:
    """The baseline store with a run and an approved cap on kamaz."""
    db = copy_store(baseline[0], tmp_path_factory.mktemp("decided") / "store.db")
    for args in (["rescore", "--quiet", "--actor", "ana"], OVERRIDE,
                 ["override", "approve", "1", "--actor", "bob"]):
        assert run_cli(db, *args).code == 0
    return db


@pytest.fixture
def store(decided: Path, tmp_path: Path) -> Path:
    return copy_store(decided, tmp_path / "store.db")


def sql(db: Path, statement: str) -> None:
    with closing(sqlite3.connect(db)) as conn:
        conn.execute(statement)
        conn.commit()


def assert_broken(db: Path, expected: str, *options: str) -> None:
    """`audit verify` exits 6 with one line naming what was edited."""
    before = dump(db)
    run = run_cli(db, "audit", "verify", *options)
    assert run.code == 6, (run.code, run.err)
    assert len(run.err.strip().splitlines()) == 1 and not CRASHED.search(run.err), run.err
    assert run.err.startswith(f"error: audit log broken: {expected}"), run.err
    assert dump(db) == before  # verifying changes nothing


def test_intact_store_verifies(store: Path) -> None:
    run = run_cli(store, "audit", "verify")
    assert run.code == 0, run.err
    assert re.fullmatch(r"audit log intact: \d+ entries; checked \d+ ingests, 1 run, "
                        r"1 override\n", run.out), run.out


EDITS = [
    # (what the attack did, statement, what verify names)
    ("run header: rules hash", "UPDATE runs SET rules_hash = 'x'",
     r"run 1: header edited \(rules_hash\)"),
    ("run header: counts", "UPDATE runs SET counts = '{}'", r"run 1: header edited \(counts\)"),
    ("run header: as of", "UPDATE runs SET as_of = '2020-01-01'",
     r"run 1: header edited \(as_of\)"),
    ("run header: actor", "UPDATE runs SET actor = 'mallory'", r"run 1: header edited \(actor\)"),
    ("run header: snapshot pointer", "UPDATE runs SET facts_hash = 'f'",
     r"run 1: header edited \(facts_hash\)"),
    ("another entity's row", "UPDATE run_scores SET score = 0, band = 'low' WHERE entity_id "
     "= (SELECT MAX(entity_id) FROM run_scores)", "run 1: score rows edited"),
    ("a row's verdicts", "UPDATE run_scores SET regimes = '{}' WHERE regimes != '{}' AND "
     "entity_id = (SELECT MIN(entity_id) FROM run_scores WHERE regimes != '{}')",
     "run 1: score rows edited"),
    ("a row deleted", "DELETE FROM run_scores WHERE entity_id = (SELECT MIN(entity_id) FROM "
     "run_scores)", r"run 1: \d+ score rows, its audit entry recorded \d+"),
    ("ingest file hash", "UPDATE ingests SET content_hash = 'h' WHERE id = 1",
     r"ingest 1 \(un\): row edited \(content_hash\)"),
    ("override cap to 0", "UPDATE overrides SET cap = 0", r"override #1: row edited \(cap\)"),
    ("override approver set to the author", "UPDATE overrides SET approver = 'alice'",
     r"override #1: row edited \(approver\)"),
    ("every audit entry deleted", "DELETE FROM audit_log",
     r"ingest 1 \(un, .*\) has no audit entry"),
    ("the chain's end deleted (the run's entry and after)",
     "DELETE FROM audit_log WHERE id >= (SELECT id FROM audit_log WHERE action = 'rescore')",
     "run 1 has no audit entry"),
]


@pytest.mark.parametrize(("statement", "expected"), [e[1:] for e in EDITS],
                         ids=[e[0] for e in EDITS])
def test_an_edit_is_found_and_named(store: Path, statement: str, expected: str) -> None:
    sql(store, statement)
    run = run_cli(store, "audit", "verify")
    assert run.code == 6, (run.code, run.err)
    assert re.match(f"error: audit log broken: {expected}", run.err), run.err
    assert_broken(store, "")


def _score(db: Path) -> dict[str, object]:
    run = run_cli(db, "score", "kamaz", "--format", "json")
    assert run.code == 0, run.err
    found: dict[str, object] = json.loads(run.out)
    return found


def test_an_edited_override_is_not_applied_and_is_reported(store: Path) -> None:
    capped = _score(store)
    assert capped["score"] == 40.0
    sql(store, "UPDATE overrides SET cap = 0")
    edited = _score(store)
    assert edited["score"] != 0.0 and edited["score"] != 40.0
    flags = [str(f) for f in edited["flags"]]  # type: ignore[attr-defined]
    assert any(f.startswith("override #1 not applied: its stored row does not match its "
                            "audit entry") for f in flags), flags
    listed = run_cli(store, "override", "list")
    assert "tampered" in listed.out, listed.out
    refused = run_cli(store, "override", "revoke", "1", "--actor", "bob")
    assert refused.code == 6 and "does not match its audit entry" in refused.err
    rescored = run_cli(store, "rescore", "--actor", "ana")
    assert rescored.code == 0, rescored.err
    assert "rescore: override #1 not applied: its stored row does not match" in rescored.err
    runs = json.loads(run_cli(store, "history", "kamaz", "--format", "json").out)["runs"]
    assert runs[-1]["score"] == edited["score"]  # the new run: not capped either


def test_an_override_inserted_outside_riskengine_is_not_applied(store: Path) -> None:
    sql(store, "UPDATE overrides SET state = 'revoked', revoked_by = 'x'")  # edited too
    sql(store, "INSERT INTO overrides (entity_id, kind, reason, expires, cap, author, "
               "created_at, fingerprint, state, approver, approved_at) SELECT entity_id, kind, "
               "reason, expires, 1, author, created_at, fingerprint, 'approved', 'alice', "
               "approved_at FROM overrides WHERE id = 1")
    assert _score(store)["score"] not in (1.0, 40.0)
    assert_broken(store, "override #1: row edited")


def test_head_anchors_the_chain_outside_the_database(store: Path) -> None:
    assert run_cli(store, "score", "kamaz").code == 0  # score requests are audited
    head = run_cli(store, "audit", "head")
    assert head.code == 0 and re.fullmatch(r"[0-9a-f]{64}\n", head.out), head.out
    anchored = head.out.strip()
    as_json = json.loads(run_cli(store, "audit", "head", "--format", "json").out)
    assert as_json["hash"] == anchored
    assert run_cli(store, "audit", "verify", "--head", anchored).code == 0
    assert run_cli(store, "score", "kamaz").code == 0  # the chain grows past the anchor
    assert run_cli(store, "audit", "verify", "--head", anchored).code == 0
    sql(store, f"DELETE FROM audit_log WHERE id >= {as_json['id']}")  # the score requests
    assert run_cli(store, "audit", "verify").code == 0  # no stored row names them...
    assert_broken(store, f"the anchored head {anchored} is not in the chain", "--head",
                  anchored)  # ...the anchor does


@pytest.mark.parametrize("head", ["abc", "g" * 64, ""])
def test_a_malformed_head_is_a_usage_error(store: Path, head: str) -> None:
    run = run_cli(store, "audit", "verify", "--head", head)
    assert run.code == 2 and run.err.startswith("error: --head: expected the 64 hex digits")


def test_empty_log_has_no_head(tmp_path: Path) -> None:
    run = run_cli(tmp_path / "new.db", "audit", "head")
    assert run.code == 3 and "the audit log is empty" in run.err


def test_changes_refuse_edited_rows(store: Path) -> None:
    """An earlier run's row edited (to hide a change, or fake one): `changes` compares only
    rows that match their run's digest."""
    assert run_cli(store, "rescore", "--quiet").code == 0
    assert run_cli(store, "changes").code == 0
    sql(store, "UPDATE run_scores SET score = score + 1 WHERE run_id = 1 AND entity_id = "
               "(SELECT MIN(entity_id) FROM run_scores WHERE run_id = 1)")
    run = run_cli(store, "changes")
    assert run.code == 6 and not CRASHED.search(run.err), run.err
    assert run.err.startswith("error: run 1: score rows edited"), run.err
