"""Ingest use case of the ownership registers: GLEIF Level 2, BODS and the UK PSC snapshot.

One edition (a snapshot: one or more files of one publication) streams into the store in
one transaction with its ingest record, its edition record and its audit entry: all or
nothing. A broken file (InputError naming file and line), a snapshot that would end too
many ties (the guard of ``rules/registers.yaml``) or a kill mid-way leave the store as it
was. A snapshot already stored (same content) changes nothing and is audited alone; one
older than the newest stored edition, or dated in the future, is refused unless forced
(the rules of ``ingest.editions`` for the lists).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskengine.application import base
from riskengine.errors import InputError
from riskengine.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from riskengine.registers.common import Fact, Notes
    from riskengine.registers.write import Counts
    from riskengine.store.store import Store

REGISTER_SOURCES = ("gleif", "bods", "psc")
REGISTERS_FILE = "registers.yaml"
ROW_READERS = {"psc": "psc_rows"}  # registers read straight into store rows, batch by batch
Reader = tuple[Callable[[list[Path]], date | None],
               Callable[[list[Path], "Notes", dict[str, int]], Iterator["Fact"]]]


def reader(source: str) -> Reader:
    """(edition date of the files, their facts) of register ``source``."""
    import importlib

    if source not in REGISTER_SOURCES:
        raise InputError(source, f"not a register: one of {', '.join(REGISTER_SOURCES)}")
    module = importlib.import_module(f"riskengine.registers.{source}")
    return module.edition_dates, module.read


def ingest_register(settings: Settings, source: str, paths: list[Path],
                    published: date | None, force: bool = False, actor: str = "unknown"
                    ) -> list[str]:
    """Ingest one snapshot of register ``source`` (``paths``: its files); summary lines.

    ``published`` (--published) dates a snapshot whose files state no date; without either,
    the snapshot is refused (never silently dated today)."""
    from riskengine.registers.rules import RegisterRules
    from riskengine.registers.stream import sha256_of

    started = base.now()
    dates, _ = reader(source)
    label = str(paths[0]) if len(paths) == 1 else ", ".join(map(str, paths))
    when = published or dates(paths)
    if when is None:
        raise InputError(label, "the file states no snapshot date of its own: give it with "
                                "--published YYYY-MM-DD")
    content_hash = sha256_of(paths)
    rules = base.rule_file(settings, REGISTERS_FILE, RegisterRules)
    store = base.open_store(settings)
    try:
        job = _Job(source, paths, label, when, content_hash, force, actor, started)
        return _ingest(store, job, rules, base.ingest_rules(settings).future_days)
    finally:
        store.close()


@dataclass(frozen=True)
class _Job:
    """One ingest: what is read, as of when, by whom."""

    source: str
    paths: list[Path]
    label: str
    when: date
    content_hash: str
    force: bool
    actor: str
    started: datetime

    def details(self, lines: list[str]) -> dict[str, Any]:
        return {"path": self.label, "published": self.when.isoformat(), "force": self.force,
                "summary": lines}


def _ingest(store: Store, job: _Job, rules: Any, future_days: int) -> list[str]:
    from riskengine.store.audit import record_audit

    past = store.editions(job.source)
    head = f"{job.source} snapshot of {job.when.isoformat()}"
    if job.content_hash in {e.content_hash for e in past}:
        lines = [f"{head}: already ingested (same content), nothing changed"]
        record_audit(store, job.actor, "ingest", {**job.details(lines), "ingest": None,
                                                  "source": job.source},
                     base.now(), {"file": job.content_hash})
        return lines
    _check_dates(job, max((e.published for e in past), default=None), future_days)
    return _save(store, job, rules)


def _check_dates(job: _Job, newest: date | None, future_days: int) -> None:
    if job.force:
        return
    if newest is not None and job.when < newest:
        raise InputError(job.label, f"{job.source} snapshot of {job.when.isoformat()} is older "
                                    f"than the newest stored one ({newest.isoformat()}); use "
                                    f"--force to ingest it anyway")
    today = base.now().date()
    if (job.when - today).days > future_days:
        raise InputError(job.label, f"{job.source} snapshot of {job.when.isoformat()} is dated "
                                    f"after today ({today.isoformat()}): a wrong date in the "
                                    f"file or in --published? use --force to ingest it anyway")


def _save(store: Store, job: _Job, rules: Any) -> list[str]:
    from sqlalchemy.exc import SQLAlchemyError

    from riskengine.store.store import StoreError

    try:
        with store.transaction(write=True) as conn:
            return _write(conn, job, rules)
    except SQLAlchemyError as exc:
        first = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        raise StoreError(f"saving {job.label} failed, nothing was written: "
                         f"{first[0] if first else type(exc).__name__}") from exc


def _write(conn: Connection, job: _Job, rules: Any) -> list[str]:
    """Facts, then the ingest and edition records and the audit entry, in ``conn``."""
    from riskengine.domain import Source
    from riskengine.registers.common import Notes
    from riskengine.registers.write import Guard, write_all

    notes, counts = Notes(), dict[str, int]()
    origin = Source(source=job.source, file=job.label, published=job.when,
                    content_hash=job.content_hash)
    guard = Guard(rules.max_ended_share, job.force)
    done = write_all(conn, origin, _stream(job, notes, counts, rules.read_ahead), rules.batch,
                     lambda w: w.finish(job.when, guard, job.label))
    lines = _summary(job, counts, done, notes)
    _records(conn, job, {**counts, "parties": done.parties, "stubs": done.stubs,
                         **{f"ties_{k}": v for k, v in done.ties.items()}}, lines)
    return lines


def _stream(job: _Job, notes: Notes, counts: dict[str, int], read_ahead: int
            ) -> Callable[[int], Iterator[Any]]:
    """The facts of the files, or (registers read straight into rows: ``ROW_READERS``)
    their row batches of a given number of statements each, read ``read_ahead`` batches
    ahead in a worker process (0, or no fork here: in this one)."""
    import importlib

    if job.source not in ROW_READERS:
        _, read = reader(job.source)
        return lambda size: read(job.paths, notes, counts)
    module = importlib.import_module(f"riskengine.registers.{ROW_READERS[job.source]}")
    from riskengine.registers import worker
    from riskengine.registers.rows import flat

    def rows(size: int) -> Iterator[Any]:
        return (flat(b) for b in module.read_rows(job.paths, notes, counts, size))

    if read_ahead == 0 or not worker.can_fork():
        return rows

    def done(found: tuple[dict[str, list[object]], dict[str, int]]) -> None:
        notes.found.update(found[0])
        counts.update(found[1])

    return lambda size: worker.ahead(lambda: rows(size), lambda: (notes.found, counts),
                                     read_ahead, done)


def _records(conn: Connection, job: _Job, counts: dict[str, int], lines: list[str]) -> None:
    from sqlalchemy import Table, insert

    from riskengine.store.audit import ingest_audit
    from riskengine.store.records import EditionRecord, IngestRecord
    from riskengine.store.schema import IngestRow, ListEditionRow

    ingest = IngestRecord(source=job.source, file=job.label, content_hash=job.content_hash,
                          published=job.when, started_at=job.started, finished_at=base.now(),
                          counts=counts)
    tables = [t for t in (IngestRow.__table__, ListEditionRow.__table__) if isinstance(t, Table)]
    key = conn.execute(insert(tables[0]), ingest.model_dump(exclude={"id"})).inserted_primary_key
    assert key is not None
    edition = EditionRecord(source=job.source, published=job.when,
                            content_hash=job.content_hash, files=[str(p) for p in job.paths],
                            counts=counts, ingest_id=int(key[0]))
    conn.execute(insert(tables[1]), edition.model_dump(exclude={"id"}))
    ingest_audit(job.actor, job.details(lines))(conn, ingest.model_copy(
        update={"id": int(key[0])}))


def _summary(job: _Job, counts: dict[str, int], done: Counts, notes: Notes) -> list[str]:
    t = done.ties
    line = (f"{job.source} snapshot of {job.when.isoformat()}: ingested "
            f"{counts.get('statements', 0)} statements; {done.parties} parties, {done.stubs} "
            f"referred-to parties new; ties: {t['new']} new, {t['kept']} kept, {t['renewed']} "
            f"renewed, {t['ended']} ended" + (f", {t['retracted']} retracted or replaced"
                                              if t["retracted"] else ""))
    return [line, *(f"warning: {w}" for w in notes.lines())]
