"""``audit verify`` in the store: the chain, then every run, ingest and override against the
entries that recorded them (``riskengine.runs.crosscheck``), and optionally a head hash kept
outside the database.

What this finds beyond the chain itself: a run, ingest or override whose entry was deleted
(all entries deleted included: the rows remain), an edited run header, edited, deleted or
inserted per-entity rows of a run, an edited ingest row, an edited override (a cap, an
approver) or one inserted without an entry, and entries removed from the end of the chain
when the head was anchored (``audit head``) before.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, select

from riskengine.errors import AuditChainError
from riskengine.overrides import Override, content
from riskengine.runs.chain import Entry, first_break
from riskengine.runs.crosscheck import (
    Findings,
    by_detail,
    ingest_problem,
    override_problem,
    run_problem,
    scores_problem,
)
from riskengine.runs.digest import SCORE_COLUMNS, RowsDigest
from riskengine.store.audit import audit_entries
from riskengine.store.overrides import recorded
from riskengine.store.records import RunRecord
from riskengine.store.schema import AuditRow, Model, OverrideRow, RunRow, RunScoreRow
from riskengine.store.store import Store

ROWS_PER_FETCH = 10_000


@dataclass(frozen=True)
class Verified:
    """The outcome of ``verify_store``: entries read, the head hash, the findings."""

    entries: int
    head: str | None
    findings: Findings


def _t(model: Model) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def verify_store(store: Store, head: str | None = None) -> Verified:
    """Check the chain (and that ``head`` is in it), then runs, ingests and overrides
    against it. Stops at a broken chain: the entries are what the rows are checked with."""
    entries = audit_entries(store)
    found = Findings()
    last = entries[-1].hash if entries else None
    broken = first_break(entries)
    if broken:
        found.problems.append(broken)
        return Verified(len(entries), last, found)
    if head is not None and head not in {e.hash for e in entries}:
        found.problems.append(f"the anchored head {head} is not in the chain (entries "
                              f"removed or rewritten since it was taken)")
    _check_ingests(store, entries, found)
    with store.transaction(write=False) as conn:
        _check_runs(conn, entries, found)
        _check_overrides(conn, found)
    return Verified(len(entries), last, found)


def check_run(store: Store, run: RunRecord) -> None:
    """AuditChainError when ``run``'s header differs from its rescore entry (or it has
    none): a run is checked before it is shown or reproduced (``score --run``), so an edited
    snapshot pointer or rules hash is not used. Rows are checked by ``audit verify``."""
    with store.transaction(write=False) as conn:
        entry = _rescore_entries(conn).get(run.id or 0)
    pruned = {run.id or 0} if run.status == "pruned" else set()
    problem = run_problem(run.model_dump(), entry, pruned)
    if problem:
        raise AuditChainError(f"{problem}: see `riskengine audit verify`")


def check_scores(conn: Connection, run_id: int, rows: tuple[int, str]) -> None:
    """AuditChainError when run ``run_id``'s rows, (count, digest) as just read, differ from
    what its rescore entry recorded (nothing to check for a run from before digests, nor
    for a pruned one: its rows are deleted, ``audit verify`` checks that a prune named it)."""
    runs = _t(RunRow)
    status = conn.execute(select(runs.c.status).where(runs.c.id == run_id)).scalar()
    if status == "pruned":
        return
    entry = _rescore_entries(conn).get(run_id)
    if entry is None:
        raise AuditChainError(f"run {run_id} has no audit entry: see `riskengine audit verify`")
    problem = scores_problem(run_id, entry, rows) if "scores" in entry.hashes else None
    if problem:
        raise AuditChainError(f"{problem}: see `riskengine audit verify`")


def _rescore_entries(conn: Connection) -> dict[int, Entry]:
    audit = _t(AuditRow)
    query = select(audit).where(audit.c.action == "rescore").order_by(audit.c.id)
    entries = [Entry(**dict(row)) for row in conn.execute(query).mappings()]
    return by_detail(entries, "rescore", "run")


def _pruned(entries: list[Entry]) -> set[int]:
    return {int(i) for e in entries if e.action == "prune" for i in e.details.get("runs", [])}


def _check_runs(conn: Connection, entries: list[Entry], found: Findings) -> None:
    rescores, pruned = by_detail(entries, "rescore", "run"), _pruned(entries)
    for row in conn.execute(select(_t(RunRow)).order_by(_t(RunRow).c.id)).mappings():
        run, entry = dict(row), rescores.get(row["id"])
        problem = run_problem(run, entry, pruned)
        if problem is None and entry is not None and "scores" in entry.hashes:
            if run["status"] == "complete":
                problem = scores_problem(run["id"], entry, _scores(conn, run["id"]))
            found.count("runs")
        elif problem is None:
            found.count("runs", covered=False)
        if problem:
            found.problems.append(problem)


def _scores(conn: Connection, run_id: int) -> tuple[int, str]:
    """(rows, digest) of run ``run_id``'s per-entity rows, read in batches."""
    table = _t(RunScoreRow)
    query = select(*[table.c[c] for c in SCORE_COLUMNS]).where(table.c.run_id == run_id)
    digest = RowsDigest()
    for row in _streamed(conn, query):
        digest.add(row)
    return digest.count, digest.hexdigest()


def _streamed(conn: Connection, query: Any) -> Iterator[dict[str, Any]]:
    result = conn.execution_options(stream_results=True, yield_per=ROWS_PER_FETCH
                                    ).execute(query).mappings()
    for row in result:
        yield dict(row)


def _check_ingests(store: Store, entries: list[Entry], found: Findings) -> None:
    """Every ingest against its entry. Entries of the first audited ingests did not name
    their ingest: as many ingests as there are such entries are not covered."""
    named = by_detail(entries, "ingest", "ingest")
    legacy = sum(1 for e in entries if e.action == "ingest" and "ingest" not in e.details)
    for ingest in store.ingests():
        entry = named.get(ingest.id or 0)
        if entry is None and legacy > 0:
            legacy -= 1
            found.count("ingests", covered=False)
            continue
        if entry is None:
            found.problems.append(f"ingest {ingest.id} ({ingest.source}, {ingest.file}) has "
                                  f"no audit entry (entries deleted, or the row inserted)")
            continue
        problem = ingest_problem(ingest.model_dump(), entry)
        if problem:
            found.problems.append(problem)
        found.count("ingests", covered="ingest" in entry.hashes)


def _check_overrides(conn: Connection, found: Findings) -> None:
    latest = recorded(conn)
    for row in conn.execute(select(_t(OverrideRow)).order_by(_t(OverrideRow).c.id)).mappings():
        stored = content(Override.model_validate(dict(row)))
        entry = latest.get(int(row["id"]))
        problem = override_problem(stored, entry[0] if entry else None)
        if problem:
            found.problems.append(problem)
        found.count("overrides")
