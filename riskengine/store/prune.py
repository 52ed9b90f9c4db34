"""Pruning old rescoring runs: their per-entity rows go, their header rows stay.

A pruned run keeps its ``runs`` row (dates, actor, counts, rules hash, data snapshot) with
status ``pruned``, and its audit entry; ``prune_runs`` deletes its per-entity rows and
appends one 'prune' audit entry listing the pruned run ids, in ONE transaction. The retention
period is checked by the caller (``riskengine.runs.retention``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Connection, Table, delete, select, update
from sqlalchemy.exc import SQLAlchemyError

from riskengine.store.audit import append_audit
from riskengine.store.records import RunRecord
from riskengine.store.schema import Base, RunRow, RunScoreRow
from riskengine.store.store import Store, StoreError

PRUNED = "pruned"


def _t(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _before(day: date) -> Any:
    """Completed runs that finished before the start of ``day`` (UTC), oldest first."""
    runs = _t(RunRow)
    start = datetime.combine(day, time(), UTC)
    return (select(runs).where(runs.c.status == "complete", runs.c.finished_at < start)
            .order_by(runs.c.id))


def _records(conn: Connection, query: Any) -> list[RunRecord]:
    return [RunRecord.model_validate(dict(row)) for row in conn.execute(query).mappings()]


def prunable_runs(store: Store, before: date) -> list[RunRecord]:
    """The completed runs ``prune_runs(store, before, ...)`` would prune."""
    with store.transaction(write=False) as conn:
        return _records(conn, _before(before))


def _delete_run_rows(conn: Connection, ids: list[int]) -> None:
    """Delete every per-entity row of the runs ``ids``.

    TODO(retention): only ``run_scores`` rows (with their ``parts``) are deleted. Any table
    keyed by run id that is added must be deleted here too; the content-addressed
    ``snapshots`` (shared by runs, named by ``runs.facts_hash``/``rules_snapshot``) are kept:
    collecting those no unpruned run names is not done yet.
    """
    scores = _t(RunScoreRow)
    conn.execute(delete(scores).where(scores.c.run_id.in_(ids)))


def _prune(conn: Connection, before: date, actor: str, at: datetime) -> list[int]:
    ids = [int(r.id or 0) for r in _records(conn, _before(before))]
    if ids:
        _delete_run_rows(conn, ids)
        runs = _t(RunRow)
        conn.execute(update(runs).where(runs.c.id.in_(ids)).values(status=PRUNED))
        append_audit(conn, actor, "prune", {"before": before.isoformat(), "runs": ids}, at)
    return ids


def prune_runs(store: Store, before: date, actor: str, at: datetime) -> list[int]:
    """Prune the completed runs finished before ``before``, with one audit entry listing
    them, in one transaction (nothing written on error); returns their ids, oldest first
    (none pruned and no audit entry when there are none)."""
    try:
        with store.transaction(write=True) as conn:
            return _prune(conn, before, actor, at)
    except SQLAlchemyError as exc:
        raise StoreError(f"pruning runs failed, nothing was changed: {exc}") from exc


def find_run(store: Store, run_id: int) -> RunRecord | None:
    """The stored run ``run_id``, complete or pruned (never one being written)."""
    runs = _t(RunRow)
    query = select(runs).where(runs.c.id == run_id, runs.c.status.in_(("complete", PRUNED)))
    with store.transaction(write=False) as conn:
        found = _records(conn, query)
    return found[0] if found else None


def pruned_run_ids(store: Store) -> list[int]:
    """Ids of the pruned runs, oldest first."""
    runs = _t(RunRow)
    query = select(runs.c.id).where(runs.c.status == PRUNED).order_by(runs.c.id)
    with store.transaction(write=False) as conn:
        return [int(i) for i in conn.execute(query).scalars()]
