"""The service's audit writer against its definition: every score entry is preceded, with no
other rules.change entry between, by a rules.change entry holding the digests of the very
rule files it names; the chain verifies. Batches with several rule sets, and entries written
by another process between batches (another rules.change, a plain entry), included."""

from __future__ import annotations

import queue
from datetime import UTC, datetime
from pathlib import Path

import pytest

from riskengine.application.audit_writer import AuditWriter, RuleFiles
from riskengine.runs.chain import Entry
from riskengine.store.audit import audit_entries, record_audit, verify_audit
from riskengine.store.rules_audit import file_digests, note_rule_files
from riskengine.store.store import Store

AT = datetime(2024, 5, 3, 12, 0, tzinfo=UTC)
RULES = {name: RuleFiles({"scoring.yaml": text}, f"snap-{name}")
         for name, text in (("a", "decay: 0.5\n"), ("b", "decay: 0.6\n"))}

# (case, steps: a batch of rule sets written by the service's writer, or "other:a" /
# "other:plain" written by another process between batches)
CASES: list[tuple[str, list[str | list[str]]]] = [
    ("one batch", [["a", "a", "a"]]),
    ("batches, same rules", [["a"], ["a", "a"], ["a"]]),
    ("rules change between batches", [["a"], ["b"], ["a"]]),
    ("rules change inside a batch", [["a", "b", "a", "a"]]),
    ("another process notes other rules", [["a"], "other:b", ["a"]]),
    ("another process writes a plain entry", [["a"], "other:plain", ["a", "b"]]),
    ("another process notes the same rules", [["b"], "other:b", ["b"]]),
]


def _other(store: Store, what: str) -> None:
    if what == "plain":
        record_audit(store, "cli", "rescore", {}, AT)
        return
    with store.transaction(write=True) as conn:
        note_rule_files(conn, RULES[what].files, "cli", AT, RULES[what].snapshot)


def _check(entries: list[Entry]) -> None:
    by_snapshot = {r.snapshot: file_digests(r.files) for r in RULES.values()}
    current: dict[str, str] | None = None
    for e in entries:
        if e.action == "rules.change":
            current = dict(e.details["files"])
        elif e.action == "score":
            assert current == by_snapshot[e.hashes["rule_files"]], e.id


def _batch(writer: AuditWriter, case: str, names: list[str]) -> None:
    """Queue one entry per rule set of ``names`` at once (one batch unless the writer is
    quicker than the loop) and wait until every one is committed."""
    done: queue.Queue[object] = queue.Queue()
    for name in names:
        writer.submit("api", "score", {"case": case}, {}, RULES[name], AT,
                      lambda entry, error: done.put(error or entry))
    assert all(isinstance(done.get(timeout=30), Entry) for _ in names)


@pytest.mark.parametrize(("case", "steps"), CASES)
def test_every_score_entry_follows_its_rule_files(case: str, steps: list[str | list[str]],
                                                  tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'audit.db'}")
    writer = AuditWriter(store)
    try:
        for step in steps:
            if isinstance(step, str):
                _other(store, step.removeprefix("other:"))
                continue
            _batch(writer, case, step)
    finally:
        writer.close()
    entries = audit_entries(store)
    assert sum(e.action == "score" for e in entries) == sum(
        len(s) for s in steps if isinstance(s, list))
    _check(entries)
    assert verify_audit(store)[1] is None
    store.close()
