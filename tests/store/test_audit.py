"""The audit log in the store: appends chain, raw-SQL edits and deletions are found."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text

from riskengine.store import Store
from riskengine.store.audit import audit_entries, record_audit, verify_audit

AT = datetime(2026, 11, 1, 9, 0, 0, 123456, tzinfo=UTC)


def fill(store: Store, n: int = 4) -> None:
    for i in range(n):
        record_audit(store, "ana", "score", {"query": f"q{i}", "as_of": "2026-11-01",
                                             "score": 12.5 + i},
                     AT + timedelta(days=i), {"rules": "r" * 64})


def raw(db_url: str, sql: str) -> None:
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text(sql))
    engine.dispose()


def test_entries_chain_and_read_back(store: Store) -> None:
    fill(store)
    entries = audit_entries(store)
    assert [e.id for e in entries] == [1, 2, 3, 4]
    assert [e.prev_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]
    assert entries[0].at == AT
    assert entries[2].details == {"query": "q2", "as_of": "2026-11-01", "score": 14.5}
    assert verify_audit(store) == (4, None)
    assert [e.id for e in audit_entries(store, AT + timedelta(days=2))] == [3, 4]


TAMPERING = [
    ("edit details", "UPDATE audit_log SET details = '{\"query\": \"other\"}' WHERE id = 2",
     "entry 2: content"),
    ("edit actor", "UPDATE audit_log SET actor = 'eve' WHERE id = 3", "entry 3: content"),
    ("edit time", "UPDATE audit_log SET at = at - INTERVAL '1 day' WHERE id = 1",
     "entry 1: content"),
    ("delete a row", "DELETE FROM audit_log WHERE id = 2", "entry 2 is missing"),
    ("delete the first", "DELETE FROM audit_log WHERE id = 1", "entry 1 is missing"),
]


@pytest.mark.parametrize(("sql", "expected"), [c[1:] for c in TAMPERING],
                         ids=[c[0] for c in TAMPERING])
def test_tampering_is_found(store: Store, db_url: str, sql: str, expected: str) -> None:
    fill(store)
    if "INTERVAL" in sql and db_url.startswith("sqlite"):
        sql = "UPDATE audit_log SET at = datetime(at, '-1 day') WHERE id = 1"
    raw(db_url, sql)
    count, problem = verify_audit(store)
    assert problem is not None and problem.startswith(expected), problem
    assert count in (3, 4)
