"""Bulk writes of flat facts (``riskengine.ingest.ftm_flat``): a million entities at once.

Runs on the raw DBAPI connection of the caller's SQLAlchemy transaction (so it is part of
that one transaction): rows are plain tuples, streamed to ``executemany`` on SQLite (one
prepared statement per table) and to ``COPY ... FROM STDIN`` on PostgreSQL. Only rows whose
id is already stored go through an upsert (``INSERT ... ON CONFLICT DO UPDATE``; a fresh
store has none); the child rows of a re-stored entity are replaced. The rows are exactly
those ``riskengine.store.rows`` makes of the same facts as domain objects (tests compare the
tables), ``first_seen`` included: the next ingest id on insert, never updated.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from riskengine.ingest.ftm_flat import (
    FlatControl,
    FlatDesignation,
    FlatEntity,
    FlatFacts,
    FlatOwnership,
    FlatRelationship,
    FlatSource,
)
from riskengine.store.schema import NEXT_INGEST, name_key

Row = tuple[Any, ...]
PROVENANCE = ("source", "record_id", "file", "line", "note", "url", "published", "content_hash")
EDGE = ("id", "valid_from", "valid_to", *PROVENANCE)
COLUMNS: dict[str, tuple[str, ...]] = {
    "entities": ("id", "kind", "name", "country", "sector", "first_seen", "weak_aliases"),
    "entity_names": ("entity_id", "position", "name", "name_key"),
    "entity_identifiers": ("entity_id", "position", "scheme", "value", "country"),
    "entity_sources": ("entity_id", "position", *PROVENANCE),
    "designations": ("id", "entity_id", "regime", "authority", "program", "list_name",
                     "measure", "listed_from", "listed_to", *PROVENANCE),
    "ownerships": (*EDGE, "owner_id", "asset_id", "share_low", "share_high", "share_known"),
    "controls": (*EDGE, "controller_id", "controlled_id", "kind"),
    "relationships": (*EDGE, "a_id", "b_id", "kind", "status", "hs_codes", "remark"),
}
CHILDREN = ("entity_names", "entity_identifiers", "entity_sources")
INSERT_ONLY = frozenset({"first_seen"})  # an upsert never overwrites these
SQLITE_CACHE_KIB = 262_144  # page cache while writing: the indexes of millions of rows
REINDEX_MIN = 10_000  # rows into an empty SQLite table from which its indexes are rebuilt


def write_flat(conn: Connection, facts: FlatFacts) -> None:
    """Store ``facts`` (ids unique per kind) in the transaction of ``conn``. Driver errors
    come out as SQLAlchemy's ``DBAPIError``, like those of the rest of the store."""
    with flat_sink(conn, facts.origin.file or "flat facts") as sink:
        sink.write(facts)


@contextmanager
def flat_sink(conn: Connection, label: str) -> Iterator[FlatSink]:
    """A ``FlatSink`` on the transaction of ``conn`` for the chunks of one file (``label``
    names it in errors); the indexes it dropped are built again when the block ends."""
    raw = conn.connection.driver_connection
    error: type[Exception] = conn.dialect.loaded_dbapi.Error
    sqlite = conn.dialect.name == "sqlite"
    try:
        with sqlite_cache(raw, sqlite):
            sink = FlatSink(raw, sqlite)
            yield sink
            sink.close()
    except error as exc:
        raise DBAPIError(f"bulk write of {label}", None, exc) from exc


@contextmanager
def sqlite_cache(raw: Any, sqlite: bool) -> Iterator[None]:
    """A larger SQLite page cache for the duration of the write, restored after."""
    if not sqlite:
        yield
        return
    before = int(raw.execute("PRAGMA cache_size").fetchone()[0])
    raw.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA cache_size = {before}")


class FlatSink:
    """Writes the flat facts of one file chunk by chunk (ids unique across the chunks) on a
    raw DBAPI connection. The ids stored before are read once; on SQLite, an empty table's
    secondary indexes are dropped before its first chunk of ``REINDEX_MIN`` rows or more and
    built again by ``close`` (much faster than updating them row by row)."""

    def __init__(self, raw: Any, sqlite: bool) -> None:
        self.raw, self.sqlite = raw, sqlite
        self.mark = "?" if sqlite else "%s"
        self.day: Callable[[date | None], Any] = _iso if sqlite else _same
        self.first_seen = self._scalar(f"SELECT {NEXT_INGEST.text}")
        self.ids: dict[str, set[str]] = {}  # per table, the ids stored before this file
        self.touched: set[str] = set()  # tables written to (their indexes checked once)
        self.dropped: list[str] = []  # CREATE INDEX statements to run again in ``close``

    def write(self, facts: FlatFacts) -> None:
        self.origin = facts.origin
        stored = self.stored("entities") if facts.entities else set()
        again = [e.id for e in facts.entities if e.id in stored]
        for child in CHILDREN:
            self._delete(child, again)
        self._store("entities", facts.entities, self._entity)
        fresh = bool(facts.entities) and not stored  # children of a fresh table are empty
        self._insert("entity_names", [r for e in facts.entities for r in _names(e)], fresh)
        self._insert("entity_identifiers", [r for e in facts.entities for r in _idents(e)],
                     fresh)
        self._insert("entity_sources", [self._entity_source(e) for e in facts.entities],
                     fresh)
        self._store("designations", facts.designations, self._designation)
        self._store("ownerships", facts.ownerships, self._ownership)
        self._store("controls", facts.controls, self._control)
        self._store("relationships", facts.relationships, self._relationship)

    def close(self) -> None:
        for sql in self.dropped:
            self.raw.execute(sql)
        self.dropped = []

    # --- rows ------------------------------------------------------------------------------

    def _provenance(self, s: FlatSource) -> Row:
        o = self.origin
        return (o.source, s.record_id, o.file, s.line, s.note, s.url, self.day(o.published),
                o.content_hash)

    def _entity(self, e: FlatEntity) -> Row:
        weak = json.dumps(list(e.weak_names)) if e.weak_names else None  # as SQLAlchemy's JSON
        return (e.id, e.kind, e.names[0], e.country, e.sector, self.first_seen, weak)

    def _entity_source(self, e: FlatEntity) -> Row:
        return (e.id, 0, *self._provenance(e.source))

    def _designation(self, d: FlatDesignation) -> Row:
        return (d.id, d.entity_id, d.regime, d.authority, d.program, d.list_name, d.measure,
                self.day(d.listed_from), self.day(d.listed_to), *self._provenance(d.source))

    def _edge(self, f: FlatOwnership | FlatControl | FlatRelationship) -> Row:
        return (f.id, self.day(f.valid_from), self.day(f.valid_to), *self._provenance(f.source))

    def _ownership(self, o: FlatOwnership) -> Row:
        return (*self._edge(o), o.owner, o.asset, o.low, o.high, o.known)

    def _control(self, c: FlatControl) -> Row:
        return (*self._edge(c), c.controller, c.controlled, c.kind)

    def _relationship(self, r: FlatRelationship) -> Row:
        hs_codes = json.dumps(list(r.hs_codes))  # as SQLAlchemy's JSON type serialises
        return (*self._edge(r), r.a, r.b, r.kind, r.status, hs_codes, r.note)

    # --- statements ------------------------------------------------------------------------

    def _scalar(self, sql: str) -> Any:
        cursor = self.raw.cursor()
        cursor.execute(sql)
        return cursor.fetchone()[0]

    def stored(self, table: str) -> set[str]:
        """The ids ``table`` held before this file: read at the first chunk with facts for
        it, which is before any of the file's rows went into it."""
        found = self.ids.get(table)
        if found is None:
            found = self.ids[table] = self._ids(table)
        return found

    def _ids(self, table: str) -> set[str]:
        cursor = self.raw.cursor()
        cursor.execute(f"SELECT id FROM {table}")
        return {row[0] for row in cursor.fetchall()}

    def _store(self, table: str, facts: list[Any], build: Callable[[Any], Row]) -> None:
        """Insert the facts whose id is new, upsert the others."""
        if not facts:
            return
        stored = self.stored(table)
        if not stored:  # an empty table before this file (every stored id was read)
            self._insert(table, [build(f) for f in facts], True)
            return
        self._insert(table, [build(f) for f in facts if f.id not in stored])
        self._upsert(table, [build(f) for f in facts if f.id in stored])

    def _insert(self, table: str, rows: list[Row], fresh: bool = False) -> None:
        """Insert new rows (``fresh``: into a table that was empty before this file)."""
        if not rows:
            return
        self._reindex_once(table, fresh and len(rows) >= REINDEX_MIN)
        columns = COLUMNS[table]
        if self.sqlite:
            marks = ", ".join("?" * len(columns))
            self.raw.executemany(f"INSERT INTO {table} ({', '.join(columns)}) "
                                 f"VALUES ({marks})", rows)
            return
        with self.raw.cursor() as cursor, cursor.copy(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def _reindex_once(self, table: str, many: bool) -> None:
        """On SQLite, at the first write of ``table``: drop its secondary indexes when
        ``many`` rows go into it empty; ``close`` builds them again (same transaction)."""
        if table in self.touched:
            return
        self.touched.add(table)
        if not (self.sqlite and many):
            return
        found = self.raw.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                                 "AND tbl_name = ? AND sql IS NOT NULL", (table,)).fetchall()
        for name, sql in found:
            self.raw.execute(f'DROP INDEX "{name}"')
            self.dropped.append(sql)

    def _upsert(self, table: str, rows: list[Row]) -> None:
        if not rows:
            return
        columns = COLUMNS[table]
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns
                            if c != "id" and c not in INSERT_ONLY)
        sql = (f"INSERT INTO {table} ({', '.join(columns)}) "
               f"VALUES ({', '.join([self.mark] * len(columns))}) "
               f"ON CONFLICT (id) DO UPDATE SET {updates}")
        self.raw.cursor().executemany(sql, rows)

    def _delete(self, table: str, entity_ids: Iterable[str]) -> None:
        keys = [(key,) for key in entity_ids]
        if keys:
            self.raw.cursor().executemany(
                f"DELETE FROM {table} WHERE entity_id = {self.mark}", keys)


def _names(e: FlatEntity) -> Iterator[Row]:
    for position, name in enumerate(e.names):
        yield (e.id, position, name, name_key(name))


def _idents(e: FlatEntity) -> Iterator[Row]:
    for position, (scheme, value) in enumerate(e.identifiers):
        yield (e.id, position, scheme, value, None)


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()  # SQLAlchemy's SQLite DATE format


def _same(day: date | None) -> date | None:
    return day
