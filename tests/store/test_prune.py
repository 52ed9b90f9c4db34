"""Pruning runs: per-entity rows deleted, header kept as 'pruned', one audit entry, atomic."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.exc import OperationalError

from riskengine.store import Store, StoreError
from riskengine.store.audit import audit_entries, verify_audit
from riskengine.store.facts_snapshot import MAGIC2, PART_KIND
from riskengine.store.prune import find_run, prunable_runs, prune_runs, pruned_run_ids
from riskengine.store.records import RunRecord
from riskengine.store.runs import (
    AuditNote,
    entity_history,
    get_run,
    list_runs,
    previous_run,
    run_states,
    save_run,
)
from riskengine.store.snapshots import Snapshot, get_snapshot
from tests.store.test_runs import rows

AT = datetime(2036, 1, 1, tzinfo=UTC)
FINISHED = [datetime(2024, 3, 1, 12, tzinfo=UTC), datetime(2025, 2, 28, 23, 59, tzinfo=UTC),
            datetime(2025, 3, 1, tzinfo=UTC)]  # runs 1, 2, 3


def _fill(store: Store) -> list[RunRecord]:
    return [save_run(store, RunRecord(started_at=f, finished_at=f, as_of=f.date(),
                                      rules_hash="r" * 64, data_snapshot="d" * 64, actor="ana",
                                      counts={"entities": 3}), rows(), AuditNote("ana", f))
            for f in FINISHED]


@pytest.mark.parametrize(("before", "pruned"), [
    (date(2024, 3, 1), []), (date(2024, 3, 2), [1]), (date(2025, 3, 1), [1, 2]),
    (date(2025, 3, 2), [1, 2, 3])])
def test_prunes_the_runs_finished_before_the_date(store: Store, before: date,
                                                  pruned: list[int]) -> None:
    runs = _fill(store)
    assert [r.id for r in prunable_runs(store, before)] == pruned
    assert prune_runs(store, before, "bob", AT) == pruned
    assert pruned_run_ids(store) == pruned
    for run in runs:
        assert run.id is not None
        kept = find_run(store, run.id)
        assert kept == run.model_copy(update={"status": "pruned" if run.id in pruned
                                              else "complete"})
        assert bool(run_states(store, run.id)) is (run.id not in pruned)
    assert [r.status for r in list_runs(store)] == [
        "pruned" if r.id in pruned else "complete" for r in runs]
    entries = audit_entries(store)
    assert len(entries) == 3 + bool(pruned)
    if pruned:
        assert (entries[-1].action, entries[-1].actor, entries[-1].details) == (
            "prune", "bob", {"before": before.isoformat(), "runs": pruned, "snapshots": []})
    assert verify_audit(store)[1] is None


def test_pruned_runs_are_not_read_as_scored(store: Store) -> None:
    _fill(store)
    prune_runs(store, date(2025, 3, 1), "bob", AT)
    assert get_run(store, 1) is None and get_run(store) == find_run(store, 3)
    assert previous_run(store, 3) is None
    assert [r.id for r, _s in entity_history(store, ["e1"])] == [3]
    assert prune_runs(store, date(2025, 3, 1), "bob", AT) == []  # already pruned
    assert len(audit_entries(store)) == 4


def test_a_failing_audit_append_prunes_nothing(store: Store,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    runs = _fill(store)

    def broken(*_args: object, **_kw: object) -> None:
        raise OperationalError("INSERT INTO audit_log", {}, Exception("disk full"))

    monkeypatch.setattr("riskengine.store.prune.append_audit", broken)
    with pytest.raises(StoreError, match="nothing was changed"):
        prune_runs(store, date(2030, 1, 1), "bob", AT)
    assert list_runs(store) == runs
    assert all(run_states(store, r.id or 0) for r in runs)
    assert len(audit_entries(store)) == 3


def test_snapshots_go_with_the_last_run_that_used_them(store: Store) -> None:
    from sqlalchemy import text

    from riskengine.store.snapshots import Snapshot, get_snapshot

    old, shared, new = (Snapshot("facts", b"old"), Snapshot("rules", b"shared"),
                        Snapshot("facts", b"new"))
    for finished, facts in zip(FINISHED[::2], (old, new), strict=True):
        record = RunRecord(started_at=finished, finished_at=finished, as_of=finished.date(),
                           rules_hash="r" * 64, data_snapshot="d" * 64, actor="ana",
                           facts_hash=facts.hash, rules_snapshot=shared.hash)
        save_run(store, record, rows(), AuditNote("ana", finished), inputs=(facts, shared))
    prune_runs(store, date(2025, 1, 1), "ana", AT)
    with store.transaction(write=False) as conn:
        left = set(conn.execute(text("SELECT kind, hash FROM snapshots")).all())
    assert left == {("rules", shared.hash), ("facts", new.hash)}
    assert get_snapshot(store, "facts", new.hash) == b"new"
    assert audit_entries(store, None)[-1].details["snapshots"] == [f"facts:{old.hash}"]


def _facts_naming(parts: list[bytes]) -> Snapshot:
    keys = [hashlib.sha256(p).hexdigest() for p in parts]
    header = json.dumps({"version": "v", "tables": {"entities": keys}}).encode()
    return Snapshot("facts", MAGIC2 + header + b"\n")


def test_parts_go_with_the_last_facts_snapshot_that_names_them(store: Store) -> None:
    """A part shared by a kept run's facts snapshot stays; one only a pruned run named goes."""
    from sqlalchemy import text

    only_old, shared_part, only_new = b"part one", b"part two", b"part three"
    old, new = _facts_naming([only_old, shared_part]), _facts_naming([shared_part, only_new])
    rules = Snapshot("rules", b"r")
    for finished, facts, parts in zip(FINISHED[::2], (old, new),
                                      ([only_old, shared_part], [shared_part, only_new]),
                                      strict=True):
        record = RunRecord(started_at=finished, finished_at=finished, as_of=finished.date(),
                           rules_hash="r" * 64, data_snapshot="d" * 64, actor="ana",
                           facts_hash=facts.hash, rules_snapshot=rules.hash)
        save_run(store, record, rows(), AuditNote("ana", finished),
                 inputs=(facts, rules, *(Snapshot(PART_KIND, p) for p in parts)))
    prune_runs(store, date(2025, 1, 1), "ana", AT)
    with store.transaction(write=False) as conn:
        left = set(conn.execute(text("SELECT kind, hash FROM snapshots")).all())
    part = {p: (PART_KIND, hashlib.sha256(p).hexdigest()) for p in (only_old, shared_part,
                                                                    only_new)}
    assert left == {("rules", rules.hash), ("facts", new.hash), part[shared_part],
                    part[only_new]}
    assert get_snapshot(store, PART_KIND, part[only_new][1]) == only_new
