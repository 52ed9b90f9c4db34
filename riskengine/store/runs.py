"""Rescoring runs in the store: written whole or not at all, read back for comparisons.

``save_run`` writes the run row, every entity's row (bulk executemany in chunks) and the run's
audit entry in ONE transaction, and marks the run complete at the end: a run killed midway
leaves nothing visible. The entry holds digests of the header and of every row
(``riskengine.runs.digest``), so an edited run is found by ``audit verify``. The rescore
lock lives in ``riskengine.store.locks``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Table, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from riskengine.runs.cells import cell_blocks
from riskengine.runs.digest import (
    RowsDigest,
    header_digest,
    json_cell,
    json_text,
    row_digest_of_cells,
)
from riskengine.runs.table import EntityState, ScoreRows, state_from
from riskengine.store.audit import append_audit
from riskengine.store.audit_check import check_scores
from riskengine.store.records import RunRecord
from riskengine.store.rules_audit import note_rule_files
from riskengine.store.schema import Model, RunRow, RunScoreRow
from riskengine.store.snapshots import Snapshot, put_snapshot
from riskengine.store.store import Store, StoreError

CHUNK = 5000
Progress = Callable[[int], None]


@dataclass(frozen=True)
class AuditNote:
    """The audit entry written with a run: who, and what else to record."""

    actor: str
    at: datetime


def _t(model: Model) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


SCORE_INSERT = ("run_id", "entity_id", "name", "score", "band", "blocked", "regimes", "parts",
                "members")


def _write_scores(conn: Connection, run_id: int, rows: Iterable[dict[str, Any]],
                  progress: Progress | None) -> RowsDigest:
    """Per-entity rows in chunks, as plain tuples on the transaction's own DBAPI connection
    (COPY on PostgreSQL, executemany elsewhere): each JSON cell is encoded once, for the
    stored text and for the rows' digest alike (``runs.digest.row_digest_of_cells``)."""
    write = _copy_chunk if conn.dialect.name == "postgresql" else _insert_chunk
    digest, done = RowsDigest(), 0
    if isinstance(rows, ScoreRows):  # cells and digests made column-wise (``runs.cells``)
        for chunk in _block_chunks(run_id, rows, digest):
            write(conn, chunk)
            done += len(chunk)
            if progress:
                progress(done)
        return digest
    pending: tuple[Future[None], int] | None = None
    with ThreadPoolExecutor(1) as writer:  # chunk N stored while chunk N+1 is encoded
        for chunk in _chunks((_cells(run_id, row, digest) for row in rows), CHUNK):
            done = _settle(pending, done, progress)
            pending = writer.submit(write, conn, chunk), len(chunk)
        _settle(pending, done, progress)
    return digest


def _block_chunks(run_id: int, rows: ScoreRows, digest: RowsDigest
                  ) -> Iterator[list[tuple[Any, ...]]]:
    """The stored rows of ``rows`` (run id first) in chunks of ``CHUNK``, each block's row
    digests added to ``digest``. Written on this thread: the blocks are made in a few
    calls that hold the GIL briefly, while a writer thread binding parameters row by row
    against an encoder holding the GIL waited more than it wrote."""
    for block in cell_blocks(rows):
        for found in block.digests:
            digest.add_digest(found)
        stored = [(run_id, *cells) for cells in block.rows]
        for lo in range(0, len(stored), CHUNK):
            yield stored[lo:lo + CHUNK]


def _settle(pending: tuple[Future[None], int] | None, done: int,
            progress: Progress | None) -> int:
    """Wait for the chunk being stored (its error raised here); rows stored so far.

    The driver releases the GIL while it writes, so encoding the next chunk's cells on this
    thread overlaps with it on a second core. One chunk in flight, in order, on the same
    transaction; when encoding fails, leaving the ``with`` waits for the chunk in flight
    before the transaction rolls back."""
    if pending is None:
        return done
    future, size = pending
    future.result()
    if progress:
        progress(done + size)
    return done + size


def _cells(run_id: int, row: Mapping[str, Any], digest: RowsDigest) -> tuple[Any, ...]:
    """The stored cells of one row (``SCORE_INSERT``), its digest added to ``digest``."""
    members = row.get("members")
    cells = (row["entity_id"], row["name"], float(row["score"]), row["band"],
             bool(row["blocked"]), json_text(row["regimes"]), json_text(row.get("parts")),
             json_text(members))
    digest.add_digest(row_digest_of_cells(cells))
    return (run_id, *cells[:7], None if members is None else cells[7])


def _chunks(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


def _insert_chunk(conn: Connection, chunk: list[tuple[Any, ...]]) -> None:
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    marks = ", ".join("?" * len(SCORE_INSERT))
    try:
        cursor.executemany(f"INSERT INTO run_scores ({', '.join(SCORE_INSERT)}) "
                           f"VALUES ({marks})", chunk)
    except conn.dialect.loaded_dbapi.Error as exc:  # raw driver errors: not SQLAlchemy's
        raise StoreError(f"saving the run failed, nothing was written: "
                         f"{str(exc).splitlines()[0]}") from exc


def _copy_chunk(conn: Connection, chunk: list[tuple[Any, ...]]) -> None:
    """COPY ... FROM STDIN through psycopg 3, on the transaction's own connection."""
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(f"COPY run_scores ({', '.join(SCORE_INSERT)}) FROM STDIN") as copy:
            for row in chunk:
                copy.write_row(row)
    except conn.dialect.loaded_dbapi.Error as exc:  # raw driver errors: not SQLAlchemy's
        raise StoreError(f"saving the run failed, nothing was written: "
                         f"{str(exc).splitlines()[0]}") from exc


def _audit(conn: Connection, run: RunRecord, note: AuditNote, scores: RowsDigest) -> None:
    """The run's 'rescore' entry: what it was run on, and the digests of its header row and
    of all its per-entity rows (``riskengine.runs.digest``), which ``audit verify`` checks."""
    details = {"run": run.id, "as_of": run.as_of.isoformat(), "counts": run.counts,
               "started_at": json_cell(run.started_at),
               "finished_at": json_cell(run.finished_at),
               "rows": scores.count}
    hashes = {"rules": run.rules_hash, "data": run.data_snapshot, "facts": run.facts_hash,
              "rule_files": run.rules_snapshot, "header": header_digest(run.model_dump()),
              "scores": scores.hexdigest()}
    append_audit(conn, note.actor, "rescore", details, note.at, hashes)


def save_run(store: Store, run: RunRecord, rows: Iterable[dict[str, Any]], note: AuditNote,
             progress: Progress | None = None, inputs: Iterable[Snapshot] = (),
             rule_files: Mapping[str, str] | None = None) -> RunRecord:
    """Store ``run`` with its per-entity ``rows`` (see ``riskengine.runs.table``), the
    snapshots of its ``inputs`` and its audit entry in one transaction (preceded by a
    ``rules.change`` entry when ``rule_files`` changed since the last one); returns the run
    with its id. Nothing is written on error.
    """
    values = run.model_dump(exclude={"id"}) | {"status": "running"}
    try:
        with store.transaction(write=True) as conn:
            for snap in inputs:
                put_snapshot(conn, snap, note.at)
            if rule_files is not None:
                note_rule_files(conn, rule_files, note.actor, note.at, run.rules_snapshot)
            key = conn.execute(insert(_t(RunRow)), values).inserted_primary_key
            assert key is not None
            saved = run.model_copy(update={"id": int(key[0]), "status": "complete"})
            scores = _write_scores(conn, int(key[0]), rows, progress)
            conn.execute(update(_t(RunRow)).where(_t(RunRow).c.id == saved.id)
                         .values(status="complete"))
            _audit(conn, saved, note, scores)
    except SQLAlchemyError as exc:
        raise StoreError(f"saving the run failed, nothing was written: {exc}") from exc
    return saved


def _complete() -> Any:
    return select(_t(RunRow)).where(_t(RunRow).c.status == "complete")


def list_runs(store: Store) -> list[RunRecord]:
    """Completed runs, pruned ones included (status 'pruned', see ``store.prune``), oldest
    first."""
    stored = select(_t(RunRow)).where(_t(RunRow).c.status.in_(("complete", "pruned")))
    with store.transaction(write=False) as conn:
        found = conn.execute(stored.order_by(RunRow.id)).mappings()
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


def run_finished_before(store: Store, at: datetime, run_id: int) -> RunRecord | None:
    """The latest completed run before ``run_id`` that finished before ``at``."""
    runs = _t(RunRow)
    query = (_complete().where(runs.c.id < run_id, runs.c.finished_at < at)
             .order_by(RunRow.id.desc()).limit(1))
    with store.transaction(write=False) as conn:
        row = conn.execute(query).mappings().first()
    return RunRecord.model_validate(dict(row)) if row else None


def run_states(store: Store, run_id: int) -> dict[str, EntityState]:
    """Every entity's stored state in run ``run_id``, by entity id; AuditChainError when the
    rows read differ from the digest in the run's audit entry (changes computed from edited
    rows would raise or hide alerts)."""
    table = _t(RunScoreRow)
    query = select(table).where(table.c.run_id == run_id).order_by(table.c.entity_id)
    digest = RowsDigest()
    with store.transaction(write=False) as conn:
        states = {row["entity_id"]: state_from(row) for row in
                  digest.passing(dict(r) for r in conn.execute(query).mappings())}
        check_scores(conn, run_id, (digest.count, digest.hexdigest()))
    return states


def run_state(store: Store, run_id: int, entity_id: str) -> EntityState | None:
    """What run ``run_id`` stored about one entity, or None."""
    table = _t(RunScoreRow)
    query = select(table).where(table.c.run_id == run_id, table.c.entity_id == entity_id)
    with store.transaction(write=False) as conn:
        row = conn.execute(query).mappings().first()
    return state_from(dict(row)) if row else None


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
