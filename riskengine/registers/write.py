"""Register facts into the store, batch by batch, with the edition history of the lists.

Runs on the raw DBAPI connection of the caller's one write transaction (as
``store.bulk``): nothing is visible, and everything is rolled back, until the caller commits.
Memory is bounded by one batch: the ties already stored are looked up batch by batch, and
a tie row this edition states is told by its content hash (every row the edition writes
carries it, and no other edition has it), not kept in memory.

Tie history, the rules of ``riskengine.ingest.ties`` (tests compare both on the same
editions): a tie stated for the first time is stored as read; one whose latest period is
open is kept (its row id and start); one whose latest period was ended gets a new period
``<id>@<edition date>``; a tie the source stated before and this edition does not is ended
as of the edition's date, never before its own start. ``Guard``: an edition that would end
more than ``max_ended_share`` of the source's open ties is refused (InputError) unless
forced, and the transaction is rolled back with it.

Parties: a record is upserted (its names, identifiers and source replaced); a ``stub``
(a party only referred to) is inserted only when no row has its id.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection

from riskengine.domain import Source
from riskengine.errors import InputError
from riskengine.gcpause import collector_paused
from riskengine.ingest.editions import latest_periods
from riskengine.ingest.ftm_flat import FlatControl, FlatOwnership
from riskengine.registers.common import Ended, Fact, Party
from riskengine.registers.rows import (
    COLUMNS,
    CONSTANT,
    TIES,
    Batch,
    PartyTables,
    Row,
    Rows,
    Table,
    count,
    flat,
    iso,
    party_rows,
    table_rows,
    tie_row,
)
from riskengine.registers.rows import table as as_table
from riskengine.registers.sql import (
    PG_FOREIGN_KEYS,
    PG_INDEXES,
    SQLITE_INDEXES,
    as_date,
    chunks,
    insert_values,
    iso_text,
    literal,
    row_marks,
)
from riskengine.store.bulk import sqlite_cache


@dataclass(frozen=True)
class Guard:
    max_ended_share: float
    force: bool = False


@dataclass
class Counts:
    parties: int = 0
    stubs: int = 0
    ties: dict[str, int] = field(default_factory=lambda: dict.fromkeys(
        ("new", "kept", "renewed", "ended", "retracted"), 0))


class Writer:
    """Buffers facts and writes them ``batch`` at a time; ``finish`` ends the ties gone."""

    def __init__(self, conn: Connection, origin: Source, batch: int) -> None:
        raw: Any = conn.connection.driver_connection
        self.raw, self.sqlite = raw, conn.dialect.name == "sqlite"
        self.mark = "?" if self.sqlite else "%s"
        self.variables = int(raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
                             if self.sqlite else 0)
        self.origin, self.batch = origin, batch
        self.pending = 0  # facts added since the last flush
        self.staged: set[str] = set()  # PostgreSQL: the temporary tables rows are copied to
        self.buffer = Batch()
        self.ready: Rows | None = None  # a reader's batch given whole (``add_batch``)
        self.ended: list[Ended] = []
        self.counts = Counts()
        self.first_seen = self._one("SELECT coalesce(max(id), 0) + 1 FROM ingests")
        origin_row = (origin.source, origin.file, self._day(origin.published),
                      origin.content_hash)
        self.constants = {"entities": (None, self.first_seen), "entity_sources": origin_row,
                          "ownerships": origin_row, "controls": origin_row}
        self.open_before = {t: self._one(f"SELECT count(*) FROM {t} WHERE source = "
                                         f"{self.mark} AND valid_to IS NULL", (origin.source,))
                            for t in TIES}
        self.prior = any(self.open_before.values()) or self._stored_ties()
        self.restored = self.prior or bool(self._query(  # the source ingested before?
            f"SELECT 1 FROM ingests WHERE source = {self.mark} LIMIT 1", (origin.source,)))
        self.indexes = self._drop_indexes()

    # --- buffering -------------------------------------------------------------------------

    def add(self, fact: Fact) -> None:
        kind = type(fact)
        if kind is Party:
            self.buffer.party(party_rows(fact))  # type: ignore[arg-type]
        elif kind is FlatOwnership or kind is FlatControl:
            table, row = tie_row(fact)  # type: ignore[arg-type]
            self.buffer.ties[table][row[0]] = row
        else:
            self.ended.append(fact)  # type: ignore[arg-type]
        self.pending += 1
        if self.pending >= self.batch:
            self.flush()

    def add_batch(self, batch: Batch | Rows) -> None:
        """Write the rows of ``batch`` (a reader's batch of statements) now."""
        if self.pending:
            self.flush()
        self.ready = batch if type(batch) is Rows else flat(batch)  # type: ignore[arg-type]
        self.flush()

    def flush(self) -> None:
        rows = self.ready or flat(self.buffer)
        self._parties(rows)
        for table, ties in rows.ties.items():
            self._ties(table, ties)
        self.buffer, self.ready, self.pending = Batch(), None, 0

    def finish(self, published: date, guard: Guard, label: str) -> Counts:
        """Write what is buffered, apply the file's retractions, end the ties gone (after
        the guard's check)."""
        self.flush()
        for item in self.ended:
            self.counts.ties["retracted"] += self._retract(item)
        if self.prior:
            self._end_gone(published, guard, label)
        for sql in self.indexes:
            self._run(sql)
        return self.counts

    def _drop_indexes(self) -> list[str]:
        """The secondary indexes of the tables written when all of them are empty (a first
        load): dropped now and built again by ``finish``, in the same transaction, which is
        much faster than updating them row by row. On PostgreSQL the non-unique ones, and
        the foreign keys of the entities' child rows (checked row by row by triggers there;
        added back by one check of every row); dropping them locks the (empty) tables
        against readers until the commit. The statements that make them again."""
        tables = tuple(COLUMNS)
        if any(self._query(f"SELECT 1 FROM {t} LIMIT 1") for t in tables):
            return []
        marks = ", ".join([self.mark] * len(tables))
        found = self._query((SQLITE_INDEXES if self.sqlite else PG_INDEXES).format(marks),
                            tables)
        for name, _sql in found:
            self._run(f'DROP INDEX "{name}"')
        again = [str(sql) for _name, sql in found]
        if not self.sqlite:
            keys = self._query(PG_FOREIGN_KEYS.format(marks), tables)
            for table, name, _sql in keys:
                self._run(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            again += [f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {sql}'
                      for table, name, sql in keys]
        return again

    # --- parties ---------------------------------------------------------------------------

    def _parties(self, rows: Rows) -> None:
        """Records upserted, their child rows replaced (deleted first when the source has
        stored records before: names may have gone); stubs inserted when absent, their child
        rows only where the position is free (a record keeps its own)."""
        if self.restored:
            self._trim(rows.shapes)
        self._upsert("entities", rows.records[0], keep=("first_seen",))
        self.counts.stubs += self._insert("entities", rows.stubs[0], ignore=True)
        for tables, ignore in ((rows.records, False), (rows.stubs, True)):
            self._children(tables, ignore)
        self.counts.parties += count(rows.records[0])

    def _trim(self, shapes: list[tuple[str, int, int]]) -> None:
        """Delete the stored child rows of the records of ``shapes`` (id, names,
        identifiers) beyond the positions they now fill (the others are upserted in
        place)."""
        for child, names in (("entity_names", True), ("entity_identifiers", False)):
            by_count: dict[int, list[str]] = {}
            for entity_id, name_rows, ident_rows in shapes:
                by_count.setdefault(name_rows if names else ident_rows, []).append(entity_id)
            for start, ids in by_count.items():
                self._delete(child, ids, start)
        self._delete("entity_sources", [shape[0] for shape in shapes], 1)

    def _children(self, tables: PartyTables, ignore: bool) -> None:
        """Names, identifiers and sources (``ignore``: keep rows present)."""
        key = ("entity_id", "position")
        for table, rows in zip(("entity_names", "entity_identifiers", "entity_sources"),
                               tables[1:], strict=True):
            self._upsert(table, rows, key=key, ignore=ignore)

    # --- ties ------------------------------------------------------------------------------

    def _ties(self, table: str, rows: Table) -> None:
        if not rows.values:
            return
        if not self.prior:
            self.counts.ties["new"] += count(rows)
            self._upsert(table, rows)
            return
        width = len(COLUMNS[table])
        dated = self._dated(table, table_rows(rows, width))
        for kind, _ in dated:
            self.counts.ties[kind] += 1
        self._upsert(table, as_table([r for _, r in dated], width))

    def _dated(self, table: str, rows: list[Row]) -> list[tuple[str, Row]]:
        """('new' | 'kept' | 'renewed', row) per tie row (id, start, end, ...), as
        ``ingest.ties.dated`` decides."""
        current = self._latest(table, [r[0] for r in rows])
        published = iso(self.origin.published)
        assert published is not None
        out: list[tuple[str, Row]] = []
        for row in rows:
            prior = current.get(row[0])
            if prior is None:
                out.append(("new", row))
            elif prior[2] is None or row[2] is not None:
                start = row[1] if row[1] is not None else iso_text(prior[1])
                out.append(("kept", (prior[0], start, *row[2:])))
            else:
                out.append(("renewed", (f"{row[0]}@{published}", published, *row[2:])))
        return out

    def _latest(self, table: str, ids: list[str]) -> dict[str, Row]:
        """The latest stored period (row id, start, end) of each tie id: the open row, else
        the one starting last, renewed periods ``<id>@...`` included (only an ended row can
        have them)."""
        found = list(self._select(table, "id, valid_from, valid_to", ids))
        latest: dict[str, Row] = {str(r[0]): r for r in found if r[2] is None}
        ended = [self._period(r) for r in found if r[2] is not None]
        for part in chunks([r[0] for r in ended]):  # their periods <id>@..., one query
            ended += [self._period(r) for r in self._query(*self._renewed(table, part))]
        latest.update(latest_periods(ended, lambda r: r[0], lambda r: (r[1], r[2])))
        return latest

    def _renewed(self, table: str, ids: list[str]) -> tuple[str, tuple[Any, ...]]:
        """The query of the periods ``<id>@...`` of ``ids``: SQLite, an OR of id ranges
        (one index search each); PostgreSQL, a join with the array of ids (it would scan
        the table for the OR)."""
        if not self.sqlite:
            return (f"SELECT o.id, o.valid_from, o.valid_to FROM unnest(%s::text[]) AS k(id) "
                    f"JOIN {table} o ON o.id > k.id || '@' AND o.id < k.id || 'A'", (ids,))
        ranges = " OR ".join(["(id > ? AND id < ?)"] * len(ids))
        return (f"SELECT id, valid_from, valid_to FROM {table} WHERE {ranges}",
                tuple(b for i in ids for b in (f"{i}@", f"{i}A")))

    def _period(self, row: Row) -> tuple[str, date | None, date | None]:
        return str(row[0]), as_date(row[1]), as_date(row[2])

    def _retract(self, item: Ended) -> int:
        """End the source's open ties whose id is ``item.id`` or starts with it when it ends
        in '/' (every interest of a replaced statement), as of ``item.end``."""
        day = self._day(item.end)
        match = (f"id >= {self.mark} AND id < {self.mark}" if item.id.endswith("/")
                 else f"id = {self.mark} AND id = {self.mark}")
        bounds = (item.id, item.id[:-1] + "0") if item.id.endswith("/") else (item.id,) * 2
        cur = self._cursor()
        cur.execute(f"UPDATE {item.table} SET valid_to = {self.mark} WHERE {match} AND "
                    f"source = {self.mark} AND (valid_to IS NULL OR valid_to > {self.mark})",
                    (day, *bounds, self.origin.source, day))
        return int(cur.rowcount or 0)

    def _end_gone(self, published: date, guard: Guard, label: str) -> None:
        day = self._day(published)
        where = (f"source = {self.mark} AND valid_to IS NULL AND (content_hash IS NULL OR "
                 f"content_hash <> {self.mark})")  # open, and not written by this edition
        key = (self.origin.source, self.origin.content_hash)
        gone = {t: self._one(f"SELECT count(*) FROM {t} WHERE {where}", key) for t in TIES}
        _check_guard(self.origin.source, sum(gone.values()), sum(self.open_before.values()),
                     guard, label)
        for table in TIES:
            self._run(f"UPDATE {table} SET valid_to = CASE WHEN valid_from > {self.mark} THEN "
                      f"valid_from ELSE {self.mark} END WHERE {where}", (day, day, *key))
        self.counts.ties["ended"] += sum(gone.values())

    # --- statements ------------------------------------------------------------------------

    def _day(self, day: date | None) -> Any:
        return None if day is None else (day.isoformat() if self.sqlite else day)

    def _cursor(self) -> Any:
        return self.raw.cursor()

    def _run(self, sql: str, params: tuple[Any, ...] = ()) -> None:
        self._cursor().execute(sql, params)

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[Row]:
        cur = self._cursor()
        cur.execute(sql, params)
        return list(cur.fetchall())

    def _one(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        return int(self._query(sql, params)[0][0])

    def _stored_ties(self) -> bool:
        return any(self._query(f"SELECT 1 FROM {t} WHERE source = {self.mark} LIMIT 1",
                               (self.origin.source,)) for t in TIES)

    def _select(self, table: str, columns: str, ids: list[str]) -> Iterator[Row]:
        for part in chunks(ids):
            marks = ", ".join([self.mark] * len(part))
            yield from self._query(f"SELECT {columns} FROM {table} WHERE id IN ({marks})",
                                   tuple(part))

    def _delete(self, table: str, ids: list[str], start: int) -> None:
        """Delete the child rows of ``ids`` from position ``start`` on."""
        where = f"position >= {int(start)} AND entity_id"
        if not self.sqlite:  # one array parameter (a long IN list is slow to plan)
            self._run(f"DELETE FROM {table} WHERE {where} = ANY(%s)", (ids,))
            return
        for part in chunks(ids):
            marks = ", ".join([self.mark] * len(part))
            self._run(f"DELETE FROM {table} WHERE {where} IN ({marks})", tuple(part))

    def _insert(self, table: str, rows: Table, ignore: bool = False) -> int:
        """Insert ``rows`` (``ignore``: those whose key is taken are left out); how many."""
        return self._write(table, rows, " ON CONFLICT DO NOTHING" if ignore else "")

    def _upsert(self, table: str, rows: Table, keep: tuple[str, ...] = (),
                key: tuple[str, ...] = ("id",), ignore: bool = False) -> None:
        if ignore:
            self._insert(table, rows, ignore=True)
            return
        sets = ", ".join(f"{c} = excluded.{c}" for c in (*COLUMNS[table], *CONSTANT.get(
            table, ())) if c not in key and c not in keep)
        self._write(table, rows, f" ON CONFLICT ({', '.join(key)}) DO UPDATE SET {sets}")

    def _write(self, table: str, rows: Table, tail: str) -> int:
        """``INSERT ... {tail}`` of ``rows`` and the table's constant columns: INSERTs of
        many rows on SQLite (the constants and the columns left out inline); on PostgreSQL
        a ``COPY`` into a temporary copy of the table, then one ``INSERT ... SELECT`` (rows
        of one call have distinct keys); how many rows were written."""
        if not rows.values:
            return 0
        columns = COLUMNS[table]
        names = ", ".join((*columns, *CONSTANT.get(table, ())))
        values = self.constants.get(table, ())
        cur = self._cursor()
        if self.sqlite:
            marks = "(" + ", ".join([*row_marks(rows.kept, len(columns)),
                                     *map(literal, values)]) + ")"
            return insert_values(cur, f"INSERT INTO {table} ({names}) VALUES ", (marks, tail),
                                 rows.values, len(rows.kept), self.variables)
        stage = self._stage(table, columns)
        kept = ", ".join(columns[i] for i in rows.kept)
        with cur.copy(f"COPY {stage} ({kept}) FROM STDIN") as copy:
            for row in zip(*[iter(rows.values)] * len(rows.kept), strict=True):
                copy.write_row(row)
        marks = ", ".join([*columns, *["%s"] * len(values)])
        cur.execute(f"INSERT INTO {table} ({names}) SELECT {marks} FROM {stage}{tail}", values)
        written = int(cur.rowcount)
        cur.execute(f"TRUNCATE {stage}")
        return written

    def _stage(self, table: str, columns: tuple[str, ...]) -> str:
        """PostgreSQL: the temporary table (the rows' columns of ``table``) rows are copied
        to."""
        stage = f"reg_stage_{table}"
        if stage not in self.staged:
            self.staged.add(stage)
            self._run(f"CREATE TEMPORARY TABLE {stage} ON COMMIT DROP AS SELECT "
                      f"{', '.join(columns)} FROM {table} WITH NO DATA")
        return stage


def _check_guard(source: str, ended: int, open_ties: int, guard: Guard, label: str) -> None:
    if guard.force or open_ties == 0 or ended / open_ties <= guard.max_ended_share:
        return
    raise InputError(label, f"{source} snapshot would end {ended} of {open_ties} open ties "
                            f"({ended / open_ties:.0%}, limit {guard.max_ended_share:.0%}): a "
                            f"truncated or partial file? use --force to ingest it anyway")


def write_all(conn: Connection, origin: Source,
              stream: Callable[[int], Iterable[Fact | Batch | Rows]],
              batch: int, done: Callable[[Writer], Counts]) -> Counts:
    """Every fact, or batch of rows, of ``stream(writer.batch)`` through one ``Writer``;
    ``done(writer)`` finishes it."""
    writer = Writer(conn, origin, batch)
    with sqlite_cache(writer.raw, writer.sqlite), collector_paused():
        for item in stream(writer.batch):
            if type(item) is Batch or type(item) is Rows:
                writer.add_batch(item)
            else:
                writer.add(item)  # type: ignore[arg-type]
        return done(writer)
