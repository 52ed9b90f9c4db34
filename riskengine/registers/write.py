"""Register facts into the store, batch by batch, with the edition history of the lists.

Runs on the raw DBAPI connection of the caller's one write transaction (as
``store.bulk``): nothing is visible, and everything is rolled back, until the caller commits.
Memory is bounded by one batch: the ties already stored are looked up batch by batch, and
the ids of the tie rows this edition states are kept in a temporary table, not in memory.

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

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection

from riskengine.domain import Source
from riskengine.errors import InputError
from riskengine.ingest.editions import latest_periods
from riskengine.ingest.ftm_flat import FlatControl, FlatOwnership, FlatSource
from riskengine.registers.common import Ended, Fact, Party, Tie
from riskengine.store.bulk import _sqlite_cache as sqlite_cache
from riskengine.store.schema import name_key

Row = tuple[Any, ...]
PROVENANCE = ("source", "record_id", "file", "line", "note", "url", "published", "content_hash")
EDGE = ("id", "valid_from", "valid_to", *PROVENANCE)
COLUMNS: dict[str, tuple[str, ...]] = {
    "entities": ("id", "kind", "name", "country", "sector", "first_seen", "birth_dates",
                 "nationalities"),
    "entity_names": ("entity_id", "position", "name", "name_key"),
    "entity_identifiers": ("entity_id", "position", "scheme", "value", "country"),
    "entity_sources": ("entity_id", "position", *PROVENANCE),
    "ownerships": (*EDGE, "owner_id", "asset_id", "share_low", "share_high", "share_known"),
    "controls": (*EDGE, "controller_id", "controlled_id", "kind"),
}
CHILDREN = ("entity_names", "entity_identifiers", "entity_sources")
TIES = ("ownerships", "controls")
CHUNK = 500  # ids per IN (...): below every driver's parameter limit
SEEN = "reg_seen"  # temporary table: tie row ids this edition states


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
        self.raw: Any = conn.connection.driver_connection
        self.sqlite = conn.dialect.name == "sqlite"
        self.mark = "?" if self.sqlite else "%s"
        self.origin, self.batch = origin, batch
        self.origin_row = (origin.source, origin.file, self._day(origin.published),
                           origin.content_hash)
        self.days: dict[date, Any] = {}  # dates repeat: converted once each
        self.pending = 0  # facts added since the last flush
        self.staged: set[str] = set()  # PostgreSQL: the temporary tables rows are copied to
        self.parties: dict[str, Party] = {}
        self.ties: dict[str, dict[str, Tie]] = {t: {} for t in TIES}
        self.ended: list[Ended] = []
        self.counts = Counts()
        self.first_seen = self._one("SELECT coalesce(max(id), 0) + 1 FROM ingests")
        self.open_before = {t: self._one(f"SELECT count(*) FROM {t} WHERE source = "
                                         f"{self.mark} AND valid_to IS NULL", (origin.source,))
                            for t in TIES}
        self.prior = any(self.open_before.values()) or self._stored_ties()
        if self.prior:
            self._run(f"CREATE TEMPORARY TABLE {SEEN} (id VARCHAR PRIMARY KEY)")
        self.indexes = self._drop_indexes()

    # --- buffering -------------------------------------------------------------------------

    def add(self, fact: Fact) -> None:
        kind = type(fact)
        if kind is Party:
            held = self.parties.get(fact.id)
            if held is None or held.stub or not fact.stub:  # type: ignore[union-attr]
                self.parties[fact.id] = fact  # type: ignore[assignment]
        elif kind is FlatOwnership:
            self.ties["ownerships"][fact.id] = fact  # type: ignore[assignment]
        elif kind is FlatControl:
            self.ties["controls"][fact.id] = fact  # type: ignore[assignment]
        else:
            self.ended.append(fact)  # type: ignore[arg-type]
        self.pending += 1
        if self.pending >= self.batch:
            self.flush()

    def flush(self) -> None:
        self._parties(list(self.parties.values()))
        for table, ties in self.ties.items():
            self._ties(table, list(ties.values()))
        self.parties, self.ties, self.pending = {}, {t: {} for t in TIES}, 0

    def finish(self, published: date, guard: Guard, label: str) -> Counts:
        """Write what is buffered, apply the file's retractions, end the ties gone (after
        the guard's check)."""
        self.flush()
        for item in self.ended:
            self.counts.ties["retracted"] += self._retract(item)
        if self.prior:
            self._end_gone(published, guard, label)
            self._run(f"DROP TABLE {SEEN}")
        for sql in self.indexes:
            self._run(sql)
        return self.counts

    def _drop_indexes(self) -> list[str]:
        """On SQLite, the secondary indexes of the tables written when all of them are
        empty (a first load): dropped now and built again by ``finish``, in the same
        transaction, which is much faster than updating them row by row."""
        tables = (*COLUMNS, )
        if not self.sqlite or any(self._query(f"SELECT 1 FROM {t} LIMIT 1") for t in tables):
            return []
        marks = ", ".join("?" * len(tables))
        found = self._query("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
                            f"sql IS NOT NULL AND tbl_name IN ({marks})", tables)
        for name, _sql in found:
            self._run(f'DROP INDEX "{name}"')
        return [str(sql) for _name, sql in found]

    # --- parties ---------------------------------------------------------------------------

    def _parties(self, parties: list[Party]) -> None:
        """Records upserted, their child rows replaced (deleted first when the source has
        stored records before: names may have gone); stubs inserted when absent, their child
        rows only where the position is free (a record keeps its own)."""
        named = [p for p in parties if not p.stub]
        stubs = [p for p in parties if p.stub]
        if self.prior:
            for child in CHILDREN:
                self._delete(child, "entity_id", [p.id for p in named])
        self._upsert("entities", [self._entity(p) for p in named], keep=("first_seen",))
        self.counts.stubs += self._insert("entities", [self._entity(p) for p in stubs],
                                          ignore=True)
        for rows, ignore in ((named, False), (stubs, True)):
            self._children(rows, ignore)
        self.counts.parties += len(named)

    def _children(self, parties: list[Party], ignore: bool) -> None:
        """Names, identifiers and source of ``parties`` (``ignore``: keep rows present)."""
        key = ("entity_id", "position")
        self._upsert("entity_names", [r for p in parties for r in _names(p)], key=key,
                     ignore=ignore)
        self._upsert("entity_identifiers", [(p.id, i, *ident) for p in parties
                                            for i, ident in enumerate(p.identifiers)],
                     key=key, ignore=ignore)
        self._upsert("entity_sources", [(p.id, 0, *self._provenance(p.source))
                                        for p in parties], key=key, ignore=ignore)

    def _entity(self, p: Party) -> Row:
        return (p.id, p.kind, p.names[0], p.country, None, self.first_seen,
                _json_list(p.birth_dates), _json_list(p.nationalities))

    # --- ties ------------------------------------------------------------------------------

    def _ties(self, table: str, ties: list[Tie]) -> None:
        if not ties:
            return
        build = self._ownership if table == "ownerships" else self._control
        if not self.prior:
            self.counts.ties["new"] += len(ties)
            self._upsert(table, [build(t) for t in ties])  # type: ignore[arg-type]
            return
        rows = self._dated(table, ties)
        for kind, _ in rows:
            self.counts.ties[kind] += 1
        self._upsert(table, [build(t) for _, t in rows])  # type: ignore[arg-type]
        self._insert(SEEN, [(t.id,) for _, t in rows], ignore=True)

    def _dated(self, table: str, ties: list[Tie]) -> list[tuple[str, Tie]]:
        """('new' | 'kept' | 'renewed', row) per tie, as ``ingest.ties.dated`` decides."""
        current = self._latest(table, [t.id for t in ties])
        published = self.origin.published
        assert published is not None
        out: list[tuple[str, Tie]] = []
        for tie in ties:
            prior = current.get(tie.id)
            if prior is None:
                out.append(("new", tie))
            elif prior[2] is None or tie.valid_to is not None:
                start = tie.valid_from if tie.valid_from is not None else prior[1]
                out.append(("kept", tie._replace(id=prior[0], valid_from=start)))
            else:
                out.append(("renewed", tie._replace(id=f"{tie.id}@{published.isoformat()}",
                                                    valid_from=published)))
        return out

    def _latest(self, table: str, ids: list[str]) -> dict[str, tuple[str, date | None,
                                                                    date | None]]:
        """The latest stored period (row id, start, end) of each tie id: the open row, else
        the one starting last, renewed periods ``<id>@...`` included."""
        found = [self._period(r) for r in self._select(table, "id, valid_from, valid_to", ids)]
        for row in [r for r in found if r[2] is not None]:  # ended: a renewed period?
            found += [self._period(r) for r in self._query(
                f"SELECT id, valid_from, valid_to FROM {table} WHERE id > {self.mark} AND "
                f"id < {self.mark}", (f"{row[0]}@", f"{row[0]}A"))]
        return latest_periods(found, lambda r: r[0], lambda r: (r[1], r[2]))

    def _period(self, row: Row) -> tuple[str, date | None, date | None]:
        return str(row[0]), _as_date(row[1]), _as_date(row[2])

    def _ownership(self, o: FlatOwnership) -> Row:
        return (*self._edge(o), o.owner, o.asset, o.low, o.high, o.known)

    def _control(self, c: FlatControl) -> Row:
        return (*self._edge(c), c.controller, c.controlled, c.kind)

    def _edge(self, t: Tie) -> Row:
        return (t.id, self._cached_day(t.valid_from), self._cached_day(t.valid_to),
                *self._provenance(t.source))

    def _provenance(self, s: FlatSource) -> Row:
        source, file, published, content_hash = self.origin_row
        return (source, s.record_id, file, s.line, s.note, s.url, published, content_hash)

    def _cached_day(self, day: date | None) -> Any:
        if day is None:
            return None
        found = self.days.get(day)
        if found is None:
            found = self.days[day] = self._day(day)
        return found

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
        where = (f"source = {self.mark} AND valid_to IS NULL AND id NOT IN "
                 f"(SELECT id FROM {SEEN})")
        gone = {t: self._one(f"SELECT count(*) FROM {t} WHERE {where}", (self.origin.source,))
                for t in TIES}
        _check_guard(self.origin.source, sum(gone.values()), sum(self.open_before.values()),
                     guard, label)
        for table in TIES:
            self._run(f"UPDATE {table} SET valid_to = CASE WHEN valid_from > {self.mark} THEN "
                      f"valid_from ELSE {self.mark} END WHERE {where}",
                      (day, day, self.origin.source))
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
        for part in _chunks(ids):
            marks = ", ".join([self.mark] * len(part))
            yield from self._query(f"SELECT {columns} FROM {table} WHERE id IN ({marks})",
                                   tuple(part))

    def _delete(self, table: str, column: str, ids: list[str]) -> None:
        for part in _chunks(ids):
            marks = ", ".join([self.mark] * len(part))
            self._run(f"DELETE FROM {table} WHERE {column} IN ({marks})", tuple(part))

    def _insert(self, table: str, rows: list[Row], ignore: bool = False) -> int:
        """Insert ``rows`` (``ignore``: those whose key is taken are left out); how many."""
        return self._write(table, rows, " ON CONFLICT DO NOTHING" if ignore else "")

    def _upsert(self, table: str, rows: list[Row], keep: tuple[str, ...] = (),
                key: tuple[str, ...] = ("id",), ignore: bool = False) -> None:
        if ignore:
            self._insert(table, rows, ignore=True)
            return
        sets = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS[table]
                         if c not in key and c not in keep)
        self._write(table, rows, f" ON CONFLICT ({', '.join(key)}) DO UPDATE SET {sets}")

    def _write(self, table: str, rows: list[Row], tail: str) -> int:
        """``INSERT ... {tail}`` of ``rows``: ``executemany`` on SQLite; on PostgreSQL a
        ``COPY`` into a temporary copy of the table, then one ``INSERT ... SELECT`` (rows of
        one call have distinct keys); how many rows were written."""
        if not rows:
            return 0
        columns = COLUMNS.get(table, ("id",))
        names, cur = ", ".join(columns), self._cursor()
        if self.sqlite:
            cur.executemany(f"INSERT INTO {table} ({names}) VALUES "
                            f"({', '.join('?' * len(columns))}){tail}", rows)
            return int(cur.rowcount if cur.rowcount >= 0 else len(rows))
        stage = f"reg_stage_{table}"
        if stage not in self.staged:
            self.staged.add(stage)
            cur.execute(f"CREATE TEMPORARY TABLE {stage} (LIKE {table}) ON COMMIT DROP")
        with cur.copy(f"COPY {stage} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cur.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {stage}{tail}")
        written = int(cur.rowcount)
        cur.execute(f"TRUNCATE {stage}")
        return written


def _check_guard(source: str, ended: int, open_ties: int, guard: Guard, label: str) -> None:
    if guard.force or open_ties == 0 or ended / open_ties <= guard.max_ended_share:
        return
    raise InputError(label, f"{source} snapshot would end {ended} of {open_ties} open ties "
                            f"({ended / open_ties:.0%}, limit {guard.max_ended_share:.0%}): a "
                            f"truncated or partial file? use --force to ingest it anyway")


def _names(p: Party) -> Iterator[Row]:
    seen: set[str] = set()
    for name in p.names:
        if name.casefold() not in seen:
            seen.add(name.casefold())
            yield (p.id, len(seen) - 1, name, name_key(name))


_JSON_LISTS: dict[tuple[str, ...], str] = {}  # birth dates, nationalities: few distinct


def _json_list(values: tuple[str, ...]) -> str | None:
    """``values`` as the JSON list the store's JSON columns hold, None when empty."""
    if not values:
        return None
    found = _JSON_LISTS.get(values)
    if found is None:
        if len(_JSON_LISTS) > 100_000:
            _JSON_LISTS.clear()
        found = _JSON_LISTS[values] = json.dumps(list(values))
    return found


def _chunks(ids: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def write_all(conn: Connection, origin: Source, facts: Iterable[Fact], batch: int,
              done: Callable[[Writer], Counts]) -> Counts:
    """Every fact of ``facts`` through one ``Writer``; ``done(writer)`` finishes it."""
    writer = Writer(conn, origin, batch)
    with sqlite_cache(writer.raw, writer.sqlite):
        for fact in facts:
            writer.add(fact)
        return done(writer)
