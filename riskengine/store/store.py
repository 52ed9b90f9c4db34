"""The fact store: SQLite or PostgreSQL through SQLAlchemy Core, migrated on open.

This is the I/O edge for persisted facts. Writes happen in one transaction per call, with
bulk (executemany) upserts keyed on id. No clock: timestamps come in on the records.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

from sqlalchemy import (
    Connection,
    Engine,
    Executable,
    RowMapping,
    Table,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.sql.base import ReadOnlyColumnCollection

from riskengine.domain import Control, Dataset, Designation, Entity, Ownership, Relationship
from riskengine.errors import RiskEngineError
from riskengine.ingest.ftm_flat import FlatFacts
from riskengine.settings import LOCK_WAIT
from riskengine.store import rows
from riskengine.store.bulk import flat_sink, write_flat
from riskengine.store.migrate import MigrationError, at_head, upgrade
from riskengine.store.records import EditionRecord, IngestRecord
from riskengine.store.schema import (
    ENTITY_CHILDREN,
    ControlRow,
    DesignationRow,
    EntityNameRow,
    EntityRow,
    IngestRow,
    ListEditionRow,
    Model,
    OwnershipRow,
    RelationshipRow,
    name_key,
)

__all__ = ["EditionRecord", "IngestRecord", "Store", "StoreError"]

_WRITE = "riskengine_write"
_DELETE_CHUNK = 1000  # ids per DELETE ... IN (...): well below every driver's parameter limit
SUPPORTED_DIALECTS = ("sqlite", "postgresql")
INSERT_ONLY = frozenset({"first_seen"})  # columns an upsert never overwrites
COUNTED = (EntityRow, DesignationRow, OwnershipRow, ControlRow, RelationshipRow, IngestRow,
           ListEditionRow)


class StoreError(RiskEngineError):
    """The database cannot be opened, migrated, read or written (exit code 1)."""


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


F = TypeVar("F", bound=_HasId)
Audit = Callable[[Connection, IngestRecord], object]
"""Writes an ingest's audit entry inside the ingest's transaction."""


def _table(model: Model) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


class Store:
    """Facts and ingest records in one database. Open with ``Store.open(url)``."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @classmethod
    def open(cls, url: str, lock_wait: float = LOCK_WAIT) -> Store:
        """Connect and create or upgrade the schema (an empty database is fine).

        ``url`` is an SQLAlchemy URL: ``sqlite:///path.db`` or ``postgresql://user@host/db``
        (the psycopg 3 driver is used for PostgreSQL). ``lock_wait``: seconds a write
        transaction on SQLite waits for another process's write lock (``BusyError`` then).
        """
        engine = _create_engine(url, lock_wait)
        try:
            with _transaction(engine, write=False) as conn:
                current = at_head(conn)  # most opens: no write lock, no Alembic
            if not current:
                with _transaction(engine, write=True) as conn:
                    upgrade(conn)
        except (SQLAlchemyError, MigrationError) as exc:  # an unknown revision, say
            engine.dispose()
            raise StoreError(f"cannot open store {_safe(url)}: {_first_line(exc)}") from exc
        return cls(engine)

    def close(self) -> None:
        """Release all connections."""
        self._engine.dispose()

    def borrowed(self) -> Store:
        """Another handle on this store's engine whose ``close`` leaves the engine open (a
        long-running process keeps one engine: see ``application.base.share_store``)."""
        return _Borrowed(self._engine)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def load_dataset(self) -> Dataset:
        """Every fact in the store, each kind ordered by id (code-point order)."""
        with self._read() as conn:
            return Dataset(
                entities=_load_entities(conn),
                designations=_load(conn, DesignationRow, rows.designation_from),
                ownerships=_load(conn, OwnershipRow, rows.ownership_from),
                controls=_load(conn, ControlRow, rows.control_from),
                relationships=_load(conn, RelationshipRow, rows.relationship_from),
            )

    def save_ingest(self, dataset: Dataset | FlatFacts, record: IngestRecord,
                    audit: Audit | None = None) -> IngestRecord:
        """Upsert every fact by id, append ``record`` and call ``audit(conn, saved record)``
        (the audit entry, see ``store.audit.append_audit``), all in one transaction.

        On any error nothing is written. References are not checked here (a fact may point at
        an entity of the rule files): check them first with
        ``riskengine.ingest.ftm.resolve_references``. Returns the record with its new id.
        ``dataset`` may be the flat facts of ``ingest.ftm.scan_ftm`` (``resolve_flat``
        first): they are written in bulk (``store.bulk``), the same rows.
        """
        return self._ingest(lambda conn: _write_dataset(conn, dataset),
                            lambda: (record, audit), lambda: record.file)

    def save_ingest_stream(self, chunks: Iterable[FlatFacts],
                           finish: Callable[[], tuple[IngestRecord, Audit | None]]
                           ) -> IngestRecord:
        """``save_ingest`` for a file read in chunks of flat facts (``ingest.ftm.FtmStream``):
        every chunk is written in bulk as it comes, then ``finish()`` gives the ingest record
        and its audit entry (counts are known only at the end); all in ONE transaction, so an
        error in any chunk (a bad line late in the file) leaves the store as it was."""
        label = ["the file"]

        def write(conn: Connection) -> None:
            with flat_sink(conn, label[0]) as sink, ThreadPoolExecutor(1) as writer:
                pending: Future[None] | None = None
                for chunk in chunks:
                    label[0] = chunk.origin.file or label[0]
                    _settle(pending)
                    pending = writer.submit(sink.write, chunk)
                _settle(pending)

        return self._ingest(write, finish, lambda: label[0])

    def _ingest(self, write: Callable[[Connection], None],
                finish: Callable[[], tuple[IngestRecord, Audit | None]],
                label: Callable[[], str]) -> IngestRecord:
        """``write`` the facts, then append the ingest record ``finish`` gives and call its
        audit: one transaction, nothing written on any error (a StoreError naming ``label``)."""
        try:
            with _transaction(self._engine, write=True) as conn:
                write(conn)
                record, audit = finish()
                new_id = _append_ingest(conn, record)
                if audit is not None:
                    audit(conn, record.model_copy(update={"id": new_id}))
        except SQLAlchemyError as exc:
            raise StoreError(
                f"saving {label()} failed, nothing was written: {_first_line(exc)}"
            ) from exc
        return record.model_copy(update={"id": new_id})

    def save_edition(self, dataset: Dataset, ingest: IngestRecord, edition: EditionRecord,
                     audit: Audit | None = None) -> EditionRecord:
        """Upsert an edition's facts (designation changes included), append its ingest and
        edition rows and call ``audit(conn, saved ingest)``: one transaction, nothing written
        on any error. Returns the edition with its ids."""
        try:
            with _transaction(self._engine, write=True) as conn:
                _write_dataset(conn, dataset)
                saved = _append_edition(conn, edition, _append_ingest(conn, ingest))
                if audit is not None:
                    audit(conn, ingest.model_copy(update={"id": saved.ingest_id}))
        except SQLAlchemyError as exc:
            raise StoreError(
                f"saving {ingest.file} failed, nothing was written: {_first_line(exc)}"
            ) from exc
        return saved

    def editions(self, source: str | None = None) -> list[EditionRecord]:
        """Stored list editions (of ``source``, or all), in the order they were ingested."""
        query = select(_table(ListEditionRow)).order_by(ListEditionRow.id)
        if source is not None:
            query = query.where(ListEditionRow.source == source)
        with self._read() as conn:
            return [EditionRecord.model_validate(dict(row)) for row in conn.execute(query)
                    .mappings()]

    def latest_edition(self, source: str) -> EditionRecord | None:
        """The stored edition of ``source`` with the latest publication date (ties: the last
        ingested), or None."""
        found = self.editions(source)
        return max(found, key=lambda e: (e.published, e.id or 0)) if found else None

    def regimes_by_file(self, source: str) -> dict[str, tuple[str, ...]]:
        """The regimes the designations of ``source`` name, per file content hash (one
        query, no fact read as an object)."""
        table = _table(DesignationRow)
        query = (select(table.c.content_hash, table.c.regime).distinct()
                 .where(table.c.source == source))
        found: dict[str, set[str]] = defaultdict(set)
        with self._read() as conn:
            for content_hash, regime in conn.execute(query):
                found[str(content_hash)].add(str(regime))
        return {k: tuple(sorted(v)) for k, v in found.items()}

    def source_designations(self, source: str) -> tuple[Designation, ...]:
        """Every designation row (all periods) whose provenance is ``source``, by id."""
        return self.source_facts(source).designations

    def source_facts(self, source: str) -> Dataset:
        """Designations and ties (all periods) whose provenance is ``source``, by id."""
        def of(model: Model, build: Callable[[RowMapping], T]) -> tuple[T, ...]:
            query = select(_table(model)).where(_table(model).c.source == source)
            return tuple(build(row) for row in conn.execute(query.order_by("id")).mappings())

        with self._read() as conn:
            return Dataset(designations=of(DesignationRow, rows.designation_from),
                           ownerships=of(OwnershipRow, rows.ownership_from),
                           controls=of(ControlRow, rows.control_from),
                           relationships=of(RelationshipRow, rows.relationship_from))

    def entities(self, ids: Iterable[str]) -> dict[str, Entity]:
        """The stored entities among ``ids``, by id (read by id, in chunks)."""
        wanted = sorted(set(ids))
        with self._read() as conn:
            return {e.id: e for chunk in _chunks(wanted)
                    for e in _load_entities(conn, chunk)}

    def facts_by_id(self, model: Model, ids: Iterable[str]) -> dict[str, RowMapping]:
        """Rows of fact table ``model`` (DesignationRow, OwnershipRow, ...) with these ids."""
        table = _table(model)
        with self._read() as conn:
            return {row["id"]: row for chunk in _chunks(sorted(set(ids)))
                    for row in conn.execute(select(table).where(table.c.id.in_(chunk)))
                    .mappings().all()}

    def fact(self, family: str, fact_id: str) -> Ownership | Control | Relationship:
        """One stored tie by family ('ownership', 'control', 'relation') and id; StoreError
        when it is not there (the store changed under a compiled graph)."""
        model, build = _FAMILIES[family]
        row = self.facts_by_id(model, [fact_id]).get(fact_id)
        if row is None:
            raise StoreError(f"stored {family} {fact_id!r} is missing: the data changed "
                             f"while it was read; run the command again")
        fact: Ownership | Control | Relationship = build(row)
        return fact

    def designations_for(self, entity_ids: Iterable[str]) -> list[Designation]:
        """Every designation (all periods) of these entity records, by id."""
        table = _table(DesignationRow)
        with self._read() as conn:
            found = [rows.designation_from(row) for chunk in _chunks(sorted(set(entity_ids)))
                     for row in conn.execute(select(table).where(
                         table.c.entity_id.in_(chunk))).mappings()]
        return sorted(found, key=lambda d: d.id)

    def ingests(self) -> list[IngestRecord]:
        """All ingest records, oldest first."""
        with self._read() as conn:
            found = conn.execute(select(_table(IngestRow)).order_by(IngestRow.id)).mappings()
            return [IngestRecord.model_validate(dict(row)) for row in found]

    def counts(self) -> dict[str, int]:
        """Rows per table: entities, designations, ownerships, controls, relationships, ingests."""
        with self._read() as conn:
            return {model.__tablename__: _count(conn, model) for model in COUNTED}

    def entity_ids(self) -> set[str]:
        """Ids of all stored entities (for ``resolve_references``)."""
        with self._read() as conn:
            return set(conn.execute(select(EntityRow.id)).scalars())

    def first_seen(self) -> dict[str, int]:
        """The ingest that first stored each entity record, by id (0: before schema 0006)."""
        with self._read() as conn:
            found = conn.execute(select(EntityRow.id, EntityRow.first_seen)).all()
        return {str(i): int(seen or 0) for i, seen in found}

    def data_version(self) -> str:
        """The version of the stored facts: see ``data_version``."""
        query = select(IngestRow.id, IngestRow.source, IngestRow.content_hash)
        with self._read() as conn:
            return data_version(conn.execute(query.order_by(IngestRow.id)).all())

    def find_by_name(self, name: str) -> list[str]:
        """Ids of entities with ``name`` as name or alias (case and spacing ignored)."""
        query = (select(EntityNameRow.entity_id).distinct()
                 .where(EntityNameRow.name_key == name_key(name)))
        with self._read() as conn:
            return sorted(conn.execute(query).scalars())

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[Connection]:
        """One transaction (writers take SQLite's write lock up front), for the modules that
        keep runs and the audit log (``store.runs``, ``store.audit``)."""
        with _transaction(self._engine, write=write) as conn:
            yield conn

    @property
    def dialect(self) -> str:
        """'sqlite' or 'postgresql'."""
        return self._engine.dialect.name

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A connection of its own for session state kept across transactions (the
        advisory locks of ``store.locks``); StoreError when the database cannot be reached."""
        try:
            conn = self._engine.connect()
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot connect to the store: {_first_line(exc)}") from exc
        with conn:
            yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        try:
            with _transaction(self._engine, write=False) as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise StoreError(f"reading the store failed: {_first_line(exc)}") from exc


class _Borrowed(Store):
    def close(self) -> None:
        """The engine belongs to the store it was borrowed from."""


def data_version(ingests: Iterable[Sequence[Any]]) -> str:
    """sha256 over the ingests (id, source, content hash) in order: the stored facts change
    only by ingests, so this names their version (compiled graphs are keyed by it)."""
    digest = hashlib.sha256(b"riskengine-data-v1")
    for ingest_id, source, content_hash in ingests:
        digest.update(f"\n{ingest_id}\t{source}\t{content_hash}".encode())
    return digest.hexdigest()


def _settle(pending: Future[None] | None) -> None:
    """Wait for the chunk being written (its error, if any, raised here).

    ``save_ingest_stream`` writes chunk N on one thread while the caller's generator reads
    and maps chunk N+1 on this one: SQLite and psycopg release the GIL while they work, so
    the two overlap on two cores. One chunk at a time is written, always on the same open
    transaction, in file order; when reading fails, leaving the ``with`` waits for the write
    in flight before the transaction rolls back, so nothing of the file is kept."""
    if pending is not None:
        pending.result()


# --- engine and transactions -------------------------------------------------------------


def _create_engine(url: str, lock_wait: float = LOCK_WAIT) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"invalid database URL {url!r}: {exc}") from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    lite = parsed.get_backend_name() == "sqlite"
    try:
        engine = create_engine(parsed, connect_args={"timeout": lock_wait} if lite else {})
    except (ArgumentError, ImportError) as exc:
        raise StoreError(f"cannot use {parsed.drivername!r} databases ({exc}): "
                         f"use SQLite or PostgreSQL") from exc
    if engine.dialect.name not in SUPPORTED_DIALECTS:
        raise StoreError(f"unsupported database {engine.dialect.name!r}: use SQLite or PostgreSQL")
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: object) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (so DDL and
    # SAVEPOINTs are transactional); foreign keys are off by default in SQLite.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    # Writers take the lock up front: a deferred transaction cannot wait for a lock upgrade.
    immediate = conn.get_execution_options().get(_WRITE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def _transaction(engine: Engine, *, write: bool) -> Iterator[Connection]:
    with engine.connect() as conn:
        conn.execution_options(**{_WRITE: write})
        if not write and conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ")  # one snapshot
        try:
            transaction = conn.begin()
        except OperationalError as exc:
            raise (BusyError(engine.url) if _busy(exc) else exc) from exc
        with transaction:
            yield conn


class BusyError(StoreError):
    """A write transaction did not get SQLite's write lock in time: another process (an
    ingest, a rescore storing its run) holds it (exit code 1; the store is unchanged)."""

    def __init__(self, url: URL) -> None:
        super().__init__(
            f"the store {url.render_as_string(hide_password=True)} is being written by "
            f"another process (an ingest, or a rescore storing its run?) and stayed locked "
            f"longer than this command waits (RISKENGINE_LOCK_WAIT, default {LOCK_WAIT:g} "
            f"s): nothing was written; try again once it has finished")


def _busy(exc: OperationalError) -> bool:
    return "database is locked" in str(exc.orig)


def _safe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _first_line(exc: BaseException) -> str:
    origin = getattr(exc, "orig", None) or exc
    return str(origin).strip().splitlines()[0] if str(origin).strip() else type(exc).__name__


# --- writing -------------------------------------------------------------------------------


def _last_by_id(facts: Iterable[F]) -> list[F]:
    """One fact per id, the last given winning (a bulk upsert must not repeat a key)."""
    return list({fact.id: fact for fact in facts}.values())


def _write_dataset(conn: Connection, dataset: Dataset | FlatFacts) -> None:
    if isinstance(dataset, FlatFacts):  # a whole FtM file: tuples on the raw connection
        write_flat(conn, dataset)
        return
    entities = _last_by_id(dataset.entities)
    _upsert(conn, EntityRow, [rows.entity_row(e) for e in entities])
    _replace_children(conn, entities)
    _upsert(conn, DesignationRow, [rows.designation_row(f) for f in
                                   _last_by_id(dataset.designations)])
    _upsert(conn, OwnershipRow, [rows.ownership_row(f) for f in _last_by_id(dataset.ownerships)])
    _upsert(conn, ControlRow, [rows.control_row(f) for f in _last_by_id(dataset.controls)])
    _upsert(conn, RelationshipRow, [rows.relationship_row(f) for f in
                                    _last_by_id(dataset.relationships)])


def _replace_children(conn: Connection, entities: Sequence[Entity]) -> None:
    if not entities:
        return
    ids = [e.id for e in entities]
    for start in range(0, len(ids), _DELETE_CHUNK):
        chunk = ids[start:start + _DELETE_CHUNK]
        for model in ENTITY_CHILDREN:
            table = _table(model)
            conn.execute(delete(table).where(table.c.entity_id.in_(chunk)))
    builders = (rows.name_rows, rows.identifier_rows, rows.entity_source_rows)
    for child, build in zip(ENTITY_CHILDREN, builders, strict=True):
        values = [row for e in entities for row in build(e)]
        if values:
            conn.execute(insert(_table(child)), values)


def _upsert(conn: Connection, model: Model, values: list[rows.Row]) -> None:
    if values:
        conn.execute(_upsert_statement(conn.dialect.name, _table(model)), values)


def _updates(table: Table, excluded: ReadOnlyColumnCollection[str, Any]) -> dict[str, Any]:
    # first_seen (entities) is set on insert only: an upsert never moves it
    return {c.name: excluded[c.name] for c in table.columns
            if not c.primary_key and c.name not in INSERT_ONLY}


def _upsert_statement(dialect: str, table: Table) -> Executable:
    # The dialects' insert constructs are imported here: the PostgreSQL dialect's import is
    # ~30 ms of every cold start otherwise, also of those that only read from SQLite.
    from sqlalchemy.dialects import postgresql, sqlite  # noqa: PLC0415 (start-up: above)

    keys = list(table.primary_key)
    if dialect == "sqlite":
        lite = sqlite.insert(table)
        return lite.on_conflict_do_update(index_elements=keys, set_=_updates(table, lite.excluded))
    pg = postgresql.insert(table)
    return pg.on_conflict_do_update(index_elements=keys, set_=_updates(table, pg.excluded))


def _append_ingest(conn: Connection, record: IngestRecord) -> int:
    result = conn.execute(insert(_table(IngestRow)), record.model_dump(exclude={"id"}))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _append_edition(conn: Connection, edition: EditionRecord, ingest_id: int) -> EditionRecord:
    values = edition.model_dump(exclude={"id"}) | {"ingest_id": ingest_id}
    key = conn.execute(insert(_table(ListEditionRow)), values).inserted_primary_key
    assert key is not None
    return edition.model_copy(update={"id": int(key[0]), "ingest_id": ingest_id})


# --- reading -------------------------------------------------------------------------------

T = TypeVar("T")


def _rows(conn: Connection, model: Model, *order: Any) -> Sequence[RowMapping]:
    return conn.execute(select(_table(model)).order_by(*order)).mappings().all()


def _load(conn: Connection, model: Model, build: Callable[[RowMapping], T]) -> tuple[T, ...]:
    found = sorted(_rows(conn, model), key=lambda row: str(row["id"]))
    return tuple(build(row) for row in found)


def _grouped(conn: Connection, model: Model, ids: list[str] | None = None
             ) -> dict[str, list[RowMapping]]:
    table = _table(model)
    groups: dict[str, list[RowMapping]] = defaultdict(list)
    query = select(table).order_by(table.c.entity_id, table.c.position)
    if ids is not None:
        query = query.where(table.c.entity_id.in_(ids))
    for row in conn.execute(query).mappings():
        groups[row["entity_id"]].append(row)
    return groups


_FAMILIES: dict[str, tuple[Model, Callable[[RowMapping], Any]]] = {
    "ownership": (OwnershipRow, rows.ownership_from),
    "control": (ControlRow, rows.control_from),
    "relation": (RelationshipRow, rows.relationship_from),
}


def _chunks(ids: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), _DELETE_CHUNK):
        yield ids[start:start + _DELETE_CHUNK]


def _load_entities(conn: Connection, ids: list[str] | None = None) -> tuple[Entity, ...]:
    """Every stored entity, or those with ``ids`` (one chunk of them)."""
    names, identifiers, sources = (_grouped(conn, model, ids) for model in ENTITY_CHILDREN)

    def build(row: RowMapping) -> Entity:
        key = row["id"]
        return rows.entity_from(row, names[key], identifiers[key], sources[key])

    if ids is None:
        return _load(conn, EntityRow, build)
    table = _table(EntityRow)
    found = conn.execute(select(table).where(table.c.id.in_(ids))).mappings().all()
    return tuple(build(row) for row in sorted(found, key=lambda row: str(row["id"])))


def _count(conn: Connection, model: Model) -> int:
    return int(conn.execute(select(func.count()).select_from(_table(model))).scalar_one())
