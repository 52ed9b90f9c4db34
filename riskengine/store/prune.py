"""Pruning old rescoring runs: their per-entity rows go, their header rows stay.

A pruned run keeps its ``runs`` row (dates, actor, counts, rules hash, data snapshot) with
status ``pruned``, and its audit entry; ``prune_runs`` deletes its per-entity rows and the
input snapshots only pruned runs used, and appends one 'prune' audit entry listing the
pruned run ids and deleted snapshots, in ONE transaction. The retention
period is checked by the caller (``riskengine.runs.retention``).
"""

from __future__ import annotations

import zlib
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Connection, Table, delete, select, update
from sqlalchemy.exc import SQLAlchemyError

from riskengine.store.audit import append_audit
from riskengine.store.facts_snapshot import PART_KIND, part_keys
from riskengine.store.records import RunRecord
from riskengine.store.schema import Model, RunRow, RunScoreRow, SnapshotRow
from riskengine.store.store import Store, StoreError

PRUNED = "pruned"


def _t(model: Model) -> Table:
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


def _delete_run_rows(conn: Connection, ids: list[int]) -> list[str]:
    """Delete every per-entity row of the runs ``ids``, then the input snapshots that no run
    still holding its scores names (a snapshot shared with a kept run stays); returns the
    deleted snapshots as 'kind:hash'. Any table keyed by run id added later goes here too."""
    scores = _t(RunScoreRow)
    conn.execute(delete(scores).where(scores.c.run_id.in_(ids)))
    return _drop_orphan_snapshots(conn)


def _drop_orphan_snapshots(conn: Connection) -> list[str]:
    runs, snaps = _t(RunRow), _t(SnapshotRow)
    kept = conn.execute(select(runs.c.facts_hash, runs.c.rules_snapshot)
                        .where(runs.c.status != PRUNED)).all()
    used = {("facts", f) for f, _r in kept} | {("rules", r) for _f, r in kept}
    used |= {(PART_KIND, key) for key in _parts_of(conn, {f for f, _r in kept if f})}
    found = conn.execute(select(snaps.c.kind, snaps.c.hash)).all()
    orphans = [(k, h) for k, h in found if (k, h) not in used]
    for kind, key in orphans:
        conn.execute(delete(snaps).where(snaps.c.kind == kind, snaps.c.hash == key))
    return [f"{kind}:{key}" for kind, key in orphans]


def _parts_of(conn: Connection, facts: set[str]) -> set[str]:
    """The parts the facts snapshots ``facts`` name (``store.facts_snapshot``)."""
    snaps = _t(SnapshotRow)
    found = conn.execute(select(snaps.c.content).where(snaps.c.kind == "facts",
                                                       snaps.c.hash.in_(sorted(facts))))
    return {key for (content,) in found for key in part_keys(zlib.decompress(content))}


def _prune(conn: Connection, before: date, actor: str, at: datetime) -> list[int]:
    ids = [int(r.id or 0) for r in _records(conn, _before(before))]
    if ids:
        runs = _t(RunRow)
        conn.execute(update(runs).where(runs.c.id.in_(ids)).values(status=PRUNED))
        dropped = _delete_run_rows(conn, ids)
        append_audit(conn, actor, "prune", {"before": before.isoformat(), "runs": ids,
                                            "snapshots": dropped}, at)
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
