"""Stored runs, ingests and overrides checked against the audit chain (SQLite and
PostgreSQL, whose run rows go through COPY): intact right after writing, and each edit made
with raw SQL found and named; overrides read back tampered; entries written before digests
reported as not covered."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from riskengine.errors import AuditChainError
from riskengine.overrides import Override, status_of
from riskengine.store import Store
from riskengine.store.audit import append_audit, ingest_audit, last_entry
from riskengine.store.audit_check import check_run, verify_store
from riskengine.store.overrides import add_override, approve_override, list_overrides
from riskengine.store.records import RunRecord
from riskengine.store.runs import CHUNK, AuditNote, get_run, save_run
from tests.store.builders import record, sample_dataset

AT = datetime(2026, 11, 1, 9, 0, 0, 123_456, tzinfo=UTC)


def raw(db_url: str, *statements: str) -> None:
    engine = create_engine(db_url)
    with engine.begin() as conn:
        for sql in statements:
            conn.execute(text(sql))
    engine.dispose()


def rows(n: int) -> list[dict[str, Any]]:
    return [{"entity_id": f"e{i:05d}", "name": f"E {i} ü", "score": (i % 101) * 0.99,
             "band": "low", "blocked": i % 7 == 0,
             "regimes": {"us": ["listed", True, True]} if i % 7 == 0 else {},
             "parts": {"blocked:us": 100.0, "cap": -0.01 * i} if i % 3 else {},
             "members": [f"r{i}", f"s{i}"] if i % 11 == 0 else None} for i in range(n)]


def a_run() -> RunRecord:
    return RunRecord(started_at=AT, finished_at=AT, as_of=date(2026, 11, 1),
                     rules_hash="r" * 64, data_snapshot="d" * 64, actor="ana",
                     counts={"entities": 3}, facts_hash=None, rules_snapshot=None)


def an_override(**change: Any) -> Override:
    values: dict[str, Any] = {"entity_id": "kamaz", "kind": "accepted_risk", "cap": 40.0,
                              "reason": "reviewed", "expires": date(2099, 1, 1),
                              "author": "alice", "created_at": AT, "fingerprint": "f" * 64}
    return Override(**(values | change))


@pytest.fixture
def filled(store: Store) -> Store:
    """An ingest, a run of more rows than one write chunk, an approved override."""
    store.save_ingest(sample_dataset(), record(), ingest_audit("ana", {"path": "sdn.csv"}))
    save_run(store, a_run(), rows(CHUNK + 17), AuditNote("ana", AT))
    add_override(store, an_override())
    approve_override(store, 1, "bob", AT)
    return store


def problems(store: Store, head: str | None = None) -> list[str]:
    return verify_store(store, head).findings.problems


def test_intact_right_after_writing(filled: Store) -> None:
    verified = verify_store(filled)
    assert verified.findings.problems == []
    assert verified.findings.checked == {"ingests": 1, "runs": 1, "overrides": 1}
    assert verified.findings.not_covered == {}
    [o] = list_overrides(filled)
    assert not o.tampered


EDITS = [
    ("UPDATE runs SET actor = 'eve'", "run 1: header edited (actor)"),
    ("UPDATE runs SET rules_snapshot = 'x'", "run 1: header edited (rules_snapshot)"),
    ("UPDATE runs SET counts = '{\"entities\": 1}'", "run 1: header edited (counts)"),
    ("UPDATE runs SET status = 'pruned'", "run 1 is marked pruned, but no prune entry"),
    ("UPDATE run_scores SET score = 0 WHERE entity_id = 'e04321'",
     "run 1: score rows edited"),
    ("UPDATE run_scores SET name = 'X' WHERE entity_id = 'e00000'", "run 1: score rows edited"),
    ("UPDATE run_scores SET members = NULL WHERE entity_id = 'e00011'",
     "run 1: score rows edited"),
    ("DELETE FROM run_scores WHERE entity_id = 'e00002'",
     f"run 1: {CHUNK + 16} score rows, its audit entry recorded {CHUNK + 17}"),
    ("UPDATE ingests SET file = 'other.csv'", "ingest 1 (ofac-sdn): row edited (file)"),
    ("UPDATE ingests SET published = NULL", "ingest 1 (ofac-sdn): row edited (row digest)"),
    ("UPDATE overrides SET cap = 0", "override #1: row edited (cap)"),
    ("UPDATE overrides SET approver = 'alice'", "override #1: row edited (approver)"),
    ("DELETE FROM audit_log WHERE id >= 2", "run 1 has no audit entry"),  # the chain's end
]


@pytest.mark.parametrize(("sql", "expected"), EDITS, ids=[e[0][:48] for e in EDITS])
def test_an_edit_is_found_and_named(filled: Store, db_url: str, sql: str,
                                    expected: str) -> None:
    raw(db_url, sql)
    found = problems(filled)
    assert len(found) >= 1 and found[0].startswith(expected), found


def test_deleting_every_entry_is_found(filled: Store, db_url: str) -> None:
    raw(db_url, "DELETE FROM audit_log")
    found = problems(filled)
    assert [p.split(" (")[0].split(":")[0] for p in found] == [
        "ingest 1", "run 1 has no audit entry", "override #1 has no audit entry"]


def test_an_override_edited_or_inserted_outside_riskengine_is_tampered(
        filled: Store, db_url: str) -> None:
    raw(db_url, "UPDATE overrides SET cap = 0",
        "INSERT INTO overrides (entity_id, kind, reason, expires, cap, author, created_at, "
        "fingerprint, state, approver) SELECT entity_id, kind, reason, expires, cap, author, "
        "created_at, fingerprint, state, 'alice' FROM overrides WHERE id = 1")
    found = list_overrides(filled)
    assert [o.tampered for o in found] == [True, True]
    assert {status_of(o, date(2026, 11, 2), o.fingerprint) for o in found} == {"tampered"}
    with pytest.raises(AuditChainError, match="override #1: its stored row does not match"):
        approve_override(filled, 1, "carol", AT)


def test_the_head_anchors_the_end_of_the_chain(filled: Store, db_url: str) -> None:
    head = last_entry(filled)
    assert head is not None and problems(filled, head.hash) == []
    with filled.transaction(write=True) as conn:  # the chain grows: the head stays in it
        append_audit(conn, "ana", "score", {"query": "x"}, AT)
    assert problems(filled, head.hash) == []
    raw(db_url, f"DELETE FROM audit_log WHERE id >= {head.id}")
    found = problems(filled, head.hash)
    assert found and found[0].startswith(f"the anchored head {head.hash} is not in the chain")


def test_entries_from_before_digests_are_not_covered_not_broken(store: Store,
                                                                db_url: str) -> None:
    save_run(store, a_run(), rows(3), AuditNote("ana", AT))
    store.save_ingest(sample_dataset(), record(), ingest_audit("ana", {"path": "sdn.csv"}))
    add_override(store, an_override())
    # as the entries of earlier versions were: no digests (the override's content is in its
    # details, so it stays checked); the first ingest entries named no ingest
    raw(db_url, "DELETE FROM audit_log")
    with store.transaction(write=True) as conn:
        append_audit(conn, "ana", "rescore", {"run": 1, "as_of": "2026-11-01",
                                              "counts": {"entities": 3}}, AT,
                     {"rules": "r" * 64, "data": "d" * 64})
        append_audit(conn, "ana", "ingest", {"path": "sdn.csv"}, AT, {"file": "ab" * 32})
        append_audit(conn, "alice", "override.add", an_override(id=1).model_dump(
            mode="json", exclude_none=True), AT, {"facts": "f" * 64})
    verified = verify_store(store)
    assert verified.findings.problems == []
    assert verified.findings.not_covered == {"runs": 1, "ingests": 1}
    assert verified.findings.checked == {"overrides": 1}
    assert not list_overrides(store)[0].tampered
    raw(db_url, "UPDATE overrides SET cap = 10")
    assert problems(store) == ["override #1: row edited (cap)"]


def test_a_run_is_checked_before_it_is_used(filled: Store, db_url: str) -> None:
    run = get_run(filled, 1)
    assert run is not None
    check_run(filled, run)
    raw(db_url, "UPDATE runs SET data_snapshot = 'e'")
    edited = get_run(filled, 1)
    assert edited is not None
    with pytest.raises(AuditChainError, match=r"run 1: header edited \(data_snapshot\)"):
        check_run(filled, edited)
