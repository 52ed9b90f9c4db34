"""Runs in the store: all or nothing, previous run, history (the lock: test_locks.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from riskengine.runs.table import RegimeState
from riskengine.store import Store, StoreError
from riskengine.store.audit import verify_audit
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

AT = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
NOTE = AuditNote("ana", AT)


def run(as_of: date = date(2026, 1, 1)) -> RunRecord:
    return RunRecord(started_at=AT, finished_at=AT, as_of=as_of, rules_hash="r" * 64,
                     data_snapshot="d" * 64, actor="ana", counts={"entities": 3})


def rows(n: int = 3, score: float = 10.0) -> list[dict[str, Any]]:
    return [{"entity_id": f"e{i}", "name": f"E {i}", "score": score, "band": "low",
             "blocked": i == 0, "regimes": {"us": ["listed", True, True]} if i == 0 else {}}
            for i in range(n)]


def test_save_and_read_back(store: Store) -> None:
    first = save_run(store, run(), rows(), NOTE)
    second = save_run(store, run(date(2026, 2, 1)), rows(score=25.5), NOTE)
    assert (first.id, second.id, second.status) == (1, 2, "complete")
    assert list_runs(store) == [first, second]
    assert get_run(store) == second
    assert get_run(store, 1) == first
    assert get_run(store, 9) is None
    assert previous_run(store, 2) == first
    assert previous_run(store, 1) is None
    states = run_states(store, 2)
    assert sorted(states) == ["e0", "e1", "e2"]
    assert states["e0"].regime("us") == RegimeState("listed", True, True)
    assert states["e1"].score == 25.5


def test_history_of_an_entity(store: Store) -> None:
    save_run(store, run(), rows(), NOTE)
    save_run(store, run(date(2026, 2, 1)), rows(score=30.0), NOTE)
    found = entity_history(store, ["e1"])
    assert [(r.id, r.as_of, s.score) for r, s in found] == [
        (1, date(2026, 1, 1), 10.0), (2, date(2026, 2, 1), 30.0)]


def _failing(after: int) -> Iterator[dict[str, Any]]:
    for i, row in enumerate(rows(after + 5)):
        if i == after:
            raise RuntimeError("killed midway")
        yield row


def test_a_run_failing_midway_leaves_nothing(store: Store,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("riskengine.store.runs.CHUNK", 2)  # several chunks written first
    first = save_run(store, run(), rows(), NOTE)
    with pytest.raises(RuntimeError, match="killed midway"):
        save_run(store, run(date(2026, 3, 1)), _failing(5), NOTE)
    assert list_runs(store) == [first]
    assert get_run(store) == first
    assert verify_audit(store) == (1, None)
    third = save_run(store, run(date(2026, 4, 1)), rows(), NOTE)
    assert previous_run(store, third.id or 0) == first
    assert verify_audit(store) == (2, None)


@pytest.mark.parametrize("chunk", [5000, 2, 1])  # the bad row in the first or a later chunk
def test_a_store_error_midway_leaves_nothing(store: Store, monkeypatch: pytest.MonkeyPatch,
                                             chunk: int) -> None:
    # Chunks are stored on a second thread while the next is encoded: an insert failing
    # there ends the run with nothing kept, as one failing on this thread would.
    monkeypatch.setattr("riskengine.store.runs.CHUNK", chunk)
    first = save_run(store, run(), rows(), NOTE)
    duplicate = rows() + rows()[:1]
    with pytest.raises(StoreError, match="nothing was written"):
        save_run(store, run(), duplicate, NOTE)
    assert list_runs(store) == [first]


def test_members_of_merged_entities_round_trip(store: Store) -> None:
    merged = rows()
    merged[1] = merged[1] | {"members": ["e1", "uk:9"]}
    saved = save_run(store, run(), merged, NOTE)
    states = run_states(store, saved.id or 0)
    assert [states[i].records for i in ("e0", "e1", "e2")] == [
        ("e0",), ("e1", "uk:9"), ("e2",)]


def test_history_follows_earlier_ids(store: Store) -> None:
    save_run(store, run(), rows(), NOTE)  # e1 and e2 apart
    together = [r for r in rows() if r["entity_id"] != "e2"]
    together[1] = together[1] | {"members": ["e1", "e2"]}
    save_run(store, run(date(2026, 2, 1)), together, NOTE)
    found = entity_history(store, ["e1", "e2"])
    assert [(r.id, s.entity_id, s.records) for r, s in found] == [
        (1, "e1", ("e1",)), (1, "e2", ("e2",)), (2, "e1", ("e1", "e2"))]
