"""Rescoring runs in the store: written whole or not at all, read back for comparisons.

``save_run`` writes the run row, every entity's row (bulk executemany in chunks) and the run's
audit entry in ONE transaction, and marks the run complete at the end: a run killed midway
leaves nothing visible. ``acquire_lock``/``release_lock`` keep two rescores from running at
once on one database (a row in ``locks``; a holder process that died on this host is stale).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Table, delete, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from riskengine.runs.table import EntityState, state_from
from riskengine.store.audit import append_audit
from riskengine.store.records import RunRecord
from riskengine.store.schema import Base, LockRow, RunRow, RunScoreRow
from riskengine.store.store import Store, StoreError

CHUNK = 5000
RESCORE_LOCK = "rescore"
Progress = Callable[[int], None]


class LockedError(StoreError):
    """Another process holds the lock (exit code 1)."""


@dataclass(frozen=True)
class AuditNote:
    """The audit entry written with a run: who, and what else to record."""

    actor: str
    at: datetime


def _t(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _chunks(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


def _write_scores(conn: Connection, run_id: int, rows: Iterable[dict[str, Any]],
                  progress: Progress | None) -> int:
    done = 0
    for chunk in _chunks(rows, CHUNK):
        conn.execute(insert(_t(RunScoreRow)), [row | {"run_id": run_id} for row in chunk])
        done += len(chunk)
        if progress:
            progress(done)
    return done


def _audit(conn: Connection, run: RunRecord, note: AuditNote) -> None:
    details = {"run": run.id, "as_of": run.as_of.isoformat(), "counts": run.counts}
    hashes = {"rules": run.rules_hash, "data": run.data_snapshot}
    append_audit(conn, note.actor, "rescore", details, note.at, hashes)


def save_run(store: Store, run: RunRecord, rows: Iterable[dict[str, Any]], note: AuditNote,
             progress: Progress | None = None) -> RunRecord:
    """Store ``run`` with its per-entity ``rows`` (see ``riskengine.runs.table``) and its
    audit entry in one transaction; returns the run with its id. Nothing is written on error.
    """
    values = run.model_dump(exclude={"id"}) | {"status": "running"}
    try:
        with store.transaction(write=True) as conn:
            key = conn.execute(insert(_t(RunRow)), values).inserted_primary_key
            assert key is not None
            saved = run.model_copy(update={"id": int(key[0]), "status": "complete"})
            _write_scores(conn, int(key[0]), rows, progress)
            conn.execute(update(_t(RunRow)).where(_t(RunRow).c.id == saved.id)
                         .values(status="complete"))
            _audit(conn, saved, note)
    except SQLAlchemyError as exc:
        raise StoreError(f"saving the run failed, nothing was written: {exc}") from exc
    return saved


def _complete() -> Any:
    return select(_t(RunRow)).where(_t(RunRow).c.status == "complete")


def list_runs(store: Store) -> list[RunRecord]:
    """Completed runs, oldest first."""
    with store.transaction(write=False) as conn:
        found = conn.execute(_complete().order_by(RunRow.id)).mappings()
        return [RunRecord.model_validate(dict(row)) for row in found]


def get_run(store: Store, run_id: int | None = None) -> RunRecord | None:
    """The completed run ``run_id``, or the latest one when None."""
    query = _complete().order_by(RunRow.id.desc()).limit(1)
    if run_id is not None:
        query = _complete().where(_t(RunRow).c.id == run_id)
    with store.transaction(write=False) as conn:
        row = conn.execute(query).mappings().first()
    return RunRecord.model_validate(dict(row)) if row else None


def previous_run(store: Store, run_id: int) -> RunRecord | None:
    """The completed run just before ``run_id``."""
    query = _complete().where(_t(RunRow).c.id < run_id).order_by(RunRow.id.desc()).limit(1)
    with store.transaction(write=False) as conn:
        row = conn.execute(query).mappings().first()
    return RunRecord.model_validate(dict(row)) if row else None


def run_states(store: Store, run_id: int) -> dict[str, EntityState]:
    """Every entity's stored state in run ``run_id``, by entity id."""
    table = _t(RunScoreRow)
    query = select(table).where(table.c.run_id == run_id).order_by(table.c.entity_id)
    with store.transaction(write=False) as conn:
        return {row["entity_id"]: state_from(dict(row)) for row in conn.execute(query).mappings()}


def entity_history(store: Store, entity_ids: Iterable[str]) -> list[tuple[RunRecord,
                                                                            EntityState]]:
    """(run, state) of the entities across completed runs, oldest run first."""
    scores, runs = _t(RunScoreRow), _t(RunRow)
    query = (select(scores, *[c.label(f"r__{c.name}") for c in runs.c])
             .join(runs, runs.c.id == scores.c.run_id)
             .where(runs.c.status == "complete", scores.c.entity_id.in_(list(entity_ids)))
             .order_by(runs.c.id, scores.c.entity_id))
    with store.transaction(write=False) as conn:
        found = conn.execute(query).mappings().all()
    return [(RunRecord.model_validate({c.name: row[f"r__{c.name}"] for c in runs.c}),
             state_from(dict(row))) for row in found]


# --- the rescore lock ----------------------------------------------------------------------


def holder_id(actor: str) -> str:
    """'host:pid actor': who holds a lock."""
    return f"{socket.gethostname()}:{os.getpid()} {actor}"


def _stale(holder: str) -> bool:
    """True when the holder ran on this host and its process is gone."""
    where = holder.split(" ", 1)[0]
    host, _, pid = where.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _take(conn: Connection, name: str, holder: str, at: datetime) -> None:
    table = _t(LockRow)
    row = conn.execute(select(table).where(table.c.name == name)).mappings().first()
    if row is not None and not _stale(row["holder"]):
        raise LockedError(f"another {name} is running on this database (held by "
                          f"{row['holder']} since {row['acquired_at']:%Y-%m-%d %H:%M:%S} UTC)"
                          f"; try again when it has finished")
    conn.execute(delete(table).where(table.c.name == name))
    conn.execute(insert(table), [{"name": name, "holder": holder, "acquired_at": at}])


def acquire_lock(store: Store, name: str, holder: str, at: datetime) -> None:
    """Take the lock ``name`` or raise LockedError naming who holds it."""
    try:
        with store.transaction(write=True) as conn:
            _take(conn, name, holder, at)
    except IntegrityError as exc:  # PostgreSQL: another process inserted it first
        raise LockedError(f"another {name} is running on this database") from exc
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot take the {name} lock: {exc}") from exc


def release_lock(store: Store, name: str, holder: str) -> None:
    """Release the lock if ``holder`` holds it."""
    table = _t(LockRow)
    with store.transaction(write=True) as conn:
        conn.execute(delete(table).where(table.c.name == name, table.c.holder == holder))
