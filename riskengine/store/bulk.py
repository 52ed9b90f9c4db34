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
    "entities": ("id", "kind", "name", "country", "sector", "first_seen"),
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
    raw = conn.connection.driver_connection
    error: type[Exception] = conn.dialect.loaded_dbapi.Error
    sqlite = conn.dialect.name == "sqlite"
    try:
        writer = _Writer(raw, sqlite, facts)
        with _sqlite_cache(raw, sqlite):
            writer.write(facts)
    except error as exc:
        raise DBAPIError(f"bulk write of {facts.origin.file}", None, exc) from exc


@contextmanager
def _sqlite_cache(raw: Any, sqlite: bool) -> Iterator[None]:
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


class _Writer:
    def __init__(self, raw: Any, sqlite: bool, facts: FlatFacts) -> None:
        self.raw, self.sqlite, self.origin = raw, sqlite, facts.origin
        self.mark = "?" if sqlite else "%s"
        self.day: Callable[[date | None], Any] = _iso if sqlite else _same
        self.first_seen = self._scalar(f"SELECT {NEXT_INGEST.text}")

    def write(self, facts: FlatFacts) -> None:
        stored = self._ids("entities")
        again = [e.id for e in facts.entities if e.id in stored]
        for child in CHILDREN:
            self._delete(child, again)
        self._store("entities", facts.entities, self._entity, stored)
        many = not stored and len(facts.entities) >= REINDEX_MIN  # children empty too
        self._insert("entity_names", (r for e in facts.entities for r in _names(e)), many)
        self._insert("entity_identifiers", (r for e in facts.entities for r in _idents(e)),
                     many)
        self._insert("entity_sources", (self._entity_source(e) for e in facts.entities), many)
        self._store_all("designations", facts.designations, self._designation)
        self._store_all("ownerships", facts.ownerships, self._ownership)
        self._store_all("controls", facts.controls, self._control)
        self._store_all("relationships", facts.relationships, self._relationship)

    # --- rows ------------------------------------------------------------------------------

    def _provenance(self, s: FlatSource) -> Row:
        o = self.origin
        return (o.source, s.record_id, o.file, s.line, s.note, s.url, self.day(o.published),
                o.content_hash)

    def _entity(self, e: FlatEntity) -> Row:
        return (e.id, e.kind, e.names[0], e.country, e.sector, self.first_seen)

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

    def _ids(self, table: str) -> set[str]:
        cursor = self.raw.cursor()
        cursor.execute(f"SELECT id FROM {table}")
        return {row[0] for row in cursor.fetchall()}

    def _store_all(self, table: str, facts: list[Any], build: Callable[[Any], Row]) -> None:
        self._store(table, facts, build, self._ids(table) if facts else set())

    def _store(self, table: str, facts: list[Any], build: Callable[[Any], Row],
               stored: set[str]) -> None:
        """Insert the facts whose id is new, upsert the others."""
        if not stored:  # an empty table (every stored id was read)
            self._insert(table, (build(f) for f in facts), len(facts) >= REINDEX_MIN)
            return
        self._insert(table, (build(f) for f in facts if f.id not in stored))
        self._upsert(table, [build(f) for f in facts if f.id in stored])

    def _insert(self, table: str, rows: Iterator[Row], reindex: bool = False) -> None:
        """Insert new rows. ``reindex``: the table is empty and the rows many; on SQLite its
        secondary indexes are then dropped and built again after the rows (in the same
        transaction), which is much faster than updating them row by row."""
        columns = COLUMNS[table]
        if self.sqlite:
            marks = ", ".join("?" * len(columns))
            with self._reindexed(table, reindex):
                self.raw.executemany(f"INSERT INTO {table} ({', '.join(columns)}) "
                                     f"VALUES ({marks})", rows)
            return
        with self.raw.cursor() as cursor, cursor.copy(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    @contextmanager
    def _reindexed(self, table: str, reindex: bool) -> Iterator[None]:
        found = self.raw.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                                 "AND tbl_name = ? AND sql IS NOT NULL",
                                 (table,)).fetchall() if reindex else []
        for name, _sql in found:
            self.raw.execute(f'DROP INDEX "{name}"')
        yield
        for _name, sql in found:
            self.raw.execute(sql)

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
