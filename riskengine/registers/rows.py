"""Register facts as the store's rows: the columns a reader fills, batch by batch.

A ``Batch`` holds the rows of some statements: each party's rows (``PartyRows``: its entity
row, names, identifiers and source) by id, and the tie rows of each table by id; ``flat``
makes it the writer's ``Rows``: per table a ``Table``, the values of its rows in one flat
list (few objects: cheap to send from a worker process, and the parameters of a many-row
INSERT as they are), the columns NULL in every row left out. Columns the
ingest's origin fixes (source, file, edition date, content hash; an entity's ingest) are
not in the rows: the writer adds them to each INSERT once (``CONSTANT``). Dates are ISO
texts, as SQLite stores them and PostgreSQL's COPY reads them.

``party_rows`` and ``tie_row`` turn the readers' facts (``common``) into rows: the writer's
path for every register, and the reference the PSC reader's direct rows
(``psc_rows``) are checked against.

Pure: no I/O, no clock.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from itertools import chain
from operator import itemgetter
from typing import Any, NamedTuple

from riskengine.ingest.ftm_flat import FlatControl, FlatOwnership, FlatSource
from riskengine.registers.common import Party, Tie, day
from riskengine.store.schema import name_key

Row = tuple[Any, ...]
ORIGIN = ("source", "file", "published", "content_hash")
CITED = ("record_id", "line", "note", "url")
EDGE = ("id", "valid_from", "valid_to", *CITED)
# the columns rows hold, in order
COLUMNS: dict[str, tuple[str, ...]] = {
    "entities": ("id", "kind", "name", "country", "birth_dates", "nationalities"),
    "entity_names": ("entity_id", "position", "name", "name_key"),
    "entity_identifiers": ("entity_id", "position", "scheme", "value", "country"),
    "entity_sources": ("entity_id", "position", *CITED),
    "ownerships": (*EDGE, "owner_id", "asset_id", "share_low", "share_high", "share_known"),
    "controls": (*EDGE, "controller_id", "controlled_id", "kind"),
}
# the columns the writer sets once per ingest: table -> names (values: ``Writer``)
CONSTANT: dict[str, tuple[str, ...]] = {
    "entities": ("sector", "first_seen"),
    "entity_sources": ORIGIN,
    "ownerships": ORIGIN,
    "controls": ORIGIN,
}
TIES = ("ownerships", "controls")


class PartyRows(NamedTuple):
    stub: bool  # only referred to: stored when absent, never overwriting a record
    entity: Row
    names: list[Row]
    identifiers: list[Row]
    source: Row


@dataclass
class Batch:
    """The rows of some statements: a party's latest record wins over stubs, a tie's
    latest row over earlier ones."""

    parties: dict[str, PartyRows] = field(default_factory=dict)
    ties: dict[str, dict[str, Row]] = field(default_factory=lambda: {t: {} for t in TIES})

    def party(self, rows: PartyRows) -> None:
        held = self.parties.get(rows.entity[0])
        if held is None or held.stub or not rows.stub:
            self.parties[rows.entity[0]] = rows

    def __len__(self) -> int:
        return len(self.parties) + sum(map(len, self.ties.values()))


class Table(NamedTuple):
    """Rows of one table (of ``COLUMNS``) as one flat list: the values of the columns
    ``kept`` (their positions, the first always), row after row; the other columns are
    NULL in every row."""

    kept: tuple[int, ...]
    values: list[Any]


PartyTables = tuple[Table, Table, Table, Table]  # entities, names, identifiers, sources
PARTY_TABLES = ("entities", "entity_names", "entity_identifiers", "entity_sources")


class Rows(NamedTuple):
    """A batch as the writer takes it: a ``Table`` per table."""

    records: PartyTables  # the parties' records
    stubs: PartyTables  # the parties only referred to
    shapes: list[tuple[str, int, int]]  # (id, names, identifiers) of each record
    ties: dict[str, Table]


def flat(batch: Batch) -> Rows:
    """The rows of ``batch``, table by table."""
    records = [p for p in batch.parties.values() if not p.stub]
    stubs = [p for p in batch.parties.values() if p.stub]
    shapes = [(p.entity[0], len(p.names), len(p.identifiers)) for p in records]
    return Rows(_tables(records), _tables(stubs), shapes,
                {name: table(list(rows.values()), len(COLUMNS[name]))
                 for name, rows in batch.ties.items()})


def _tables(parties: list[PartyRows]) -> PartyTables:
    widths = [len(COLUMNS[name]) for name in PARTY_TABLES]
    return (table([p.entity for p in parties], widths[0]),
            table([r for p in parties for r in p.names], widths[1]),
            table([r for p in parties for r in p.identifiers], widths[2]),
            table([p.source for p in parties], widths[3]))


def table(rows: list[Row], width: int) -> Table:
    """``rows`` (of ``width`` columns) as a ``Table``."""
    if not rows:
        return Table((), [])
    kept = tuple(i for i in range(width) if i == 0 or rows[0][i] is not None
                 or list(map(itemgetter(i), rows)).count(None) < len(rows))
    values = list(chain.from_iterable(rows))
    for column in reversed(range(width)):  # the others taken out, last first (in C)
        if column not in kept:
            del values[column::width]
            width -= 1
    return Table(kept, values)


def count(found: Table) -> int:
    """How many rows ``found`` holds."""
    return len(found.values) // len(found.kept) if found.kept else 0


def table_rows(found: Table, width: int) -> list[Row]:
    """The rows of ``found``, all ``width`` columns (None in those left out)."""
    if not found.kept:
        return []
    values, held = found.values, len(found.kept)
    if held != width:  # the columns left out put back as None, column by column (in C)
        values = [None] * (len(found.values) // held * width)
        for i, column in enumerate(found.kept):
            values[column::width] = found.values[i::held]
    return list(zip(*[iter(values)] * width, strict=True))


def party_rows(p: Party) -> PartyRows:
    entity = (p.id, p.kind, p.names[0], p.country, json_list(p.birth_dates),
              json_list(p.nationalities))
    idents = [(p.id, i, *ident) for i, ident in enumerate(p.identifiers)]
    return PartyRows(p.stub, entity, names(p.id, p.names), idents,
                     (p.id, 0, *cited(p.source)))


def tie_row(t: Tie) -> tuple[str, Row]:
    """(table, row) of a tie."""
    edge = (t.id, iso(t.valid_from), iso(t.valid_to), *cited(t.source))
    if type(t) is FlatOwnership:
        return "ownerships", (*edge, t.owner, t.asset, t.low, t.high, t.known)
    assert isinstance(t, FlatControl)
    return "controls", (*edge, t.controller, t.controlled, t.kind)


def cited(s: FlatSource) -> Row:
    return s.record_id, s.line, s.note, s.url


def names(entity_id: str, texts: tuple[str, ...]) -> list[Row]:
    """Name rows: each distinct name (case-folded) once, in order."""
    seen: set[str] = set()
    out: list[Row] = []
    for name in texts:
        if name.casefold() not in seen:
            seen.add(name.casefold())
            out.append((entity_id, len(seen) - 1, name, name_key(name)))
    return out


def iso(found: date | None) -> str | None:
    return None if found is None else found.isoformat()


_ISO: dict[str, str] = {}  # dates repeat: checked once each


def iso_day(text: object, where: Any, what: str) -> str | None:
    """``common.day`` as an ISO text; ``where()`` names the place (built on error only)."""
    if type(text) is str:
        found = _ISO.get(text)
        if found is not None:
            return found
    if text is None or text == "":
        return None
    parsed = day(text, where(), what)
    assert parsed is not None
    if len(_ISO) >= 100_000:
        _ISO.clear()
    _ISO[str(text)] = parsed.isoformat()
    return _ISO[str(text)]


_JSON_LISTS: dict[tuple[str, ...], str] = {}  # birth dates, nationalities: few distinct


def json_list(values: tuple[str, ...]) -> str | None:
    """``values`` as the JSON list the store's JSON columns hold, None when empty."""
    if not values:
        return None
    found = _JSON_LISTS.get(values)
    if found is None:
        if len(_JSON_LISTS) > 100_000:
            _JSON_LISTS.clear()
        found = _JSON_LISTS[values] = json.dumps(list(values))
    return found
