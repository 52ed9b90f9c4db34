"""The facts behind a compiled graph, read on demand: explaining one entity reads the few
entities and facts on its paths from the store (by id), not the whole store.

``StoredFacts`` implements ``graph.Facts`` over a ``Compiled`` graph: ``entities[i]`` is the
merged entity ``i`` (its member records read and merged as ``ingest.merge`` merges them),
``ownerships[k]`` the fact of compiled ownership row ``k`` with its ends rewritten to the
merged entities, and so on. Rule-file scenario facts come from the rules in memory.
"""

from __future__ import annotations

import bisect
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import cached_property
from typing import Any, Generic, Protocol, TypeVar, overload

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel

from riskengine.compiled.arrays import column
from riskengine.compiled.build import SCENARIO, Compiled
from riskengine.domain import Control, Dataset, Designation, Entity, Ownership, Relationship
from riskengine.ingest.merge import merge_entities
from riskengine.store import rows
from riskengine.store.schema import ControlRow, OwnershipRow, RelationshipRow

T = TypeVar("T")
DESIGNATIONS_KEPT = 65536  # entities whose designations a compiled graph keeps read (not a
# tunable of the law: a memory bound of a cache)
F = TypeVar("F", bound=BaseModel)
TEXTS_AT_ONCE = 65536  # texts a column's iteration reads from Arrow at a time


class FactReader(Protocol):
    """What ``StoredFacts`` needs of a store (``riskengine.store.Store`` has it)."""

    def entities(self, ids: Sequence[str]) -> dict[str, Entity]: ...
    def designations_for(self, entity_ids: Sequence[str]) -> list[Designation]: ...
    def fact(self, family: str, fact_id: str) -> Ownership | Control | Relationship: ...
    def facts_by_id(self, model: Any, ids: Iterable[str]) -> Mapping[str, Any]: ...


class Lazy(Sequence[T], Generic[T]):
    """A sequence of ``n`` items made by ``make(i)`` when first asked for, then kept."""

    def __init__(self, n: int, make: Callable[[int], T],
                 make_many: Callable[[list[int]], list[T]] | None = None) -> None:
        self._n, self._make, self._make_many = n, make, make_many
        self._done: dict[int, T] = {}

    def many(self, at: Sequence[int]) -> list[T]:
        """Items ``at``, those not made yet made in one call of ``make_many`` (one store
        read for many entities instead of one each)."""
        # a look-up per item asked for (a set difference with the keys walked every item
        # made so far: thousands in a warm service, for every explained score)
        missing = sorted({k for k in map(int, at) if k not in self._done})
        if missing and self._make_many is not None:
            self._done.update(zip(missing, self._make_many(missing), strict=True))
        return [self[int(k)] for k in at]

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, i: int) -> T: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[T]: ...

    def __getitem__(self, i: int | slice) -> T | Sequence[T]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self._n))]
        k = int(i) + (self._n if i < 0 else 0)
        if not 0 <= k < self._n:
            raise IndexError(i)
        if k not in self._done:
            self._done[k] = self._make(k)
        return self._done[k]

    def __iter__(self) -> Iterator[T]:
        return (self[k] for k in range(self._n))


class _Texts:
    """Item ``k`` of a text column, read from its chunk (no copy of the column, no table
    take: explaining one entity reads a few rows of millions)."""

    def __init__(self, values: pa.ChunkedArray) -> None:
        self.chunks = values.chunks
        self.starts = np.cumsum([0, *(len(c) for c in self.chunks)])

    def __getitem__(self, k: int) -> str:
        c = int(np.searchsorted(self.starts, k, side="right")) - 1
        return str(self.chunks[c][k - int(self.starts[c])].as_py())


class TextColumn(Sequence[str]):
    """A text column as a sequence: an item or a slice read from Arrow when asked for (a
    rescore's rows take the names a block at a time, never as one list of every name)."""

    def __init__(self, values: pa.ChunkedArray) -> None:
        self._values, self._texts = values, _Texts(values)

    def __len__(self) -> int:
        return len(self._values)

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...

    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            lo, hi, step = i.indices(len(self._values))
            found = self._values.slice(lo, max(hi - lo, 0)).to_pylist()
            return [str(t) for t in found[::step]]
        k = int(i) + (len(self._values) if i < 0 else 0)
        if not 0 <= k < len(self._values):
            raise IndexError(i)
        return self._texts[k]

    def __iter__(self) -> Iterator[str]:
        for lo in range(0, len(self._values), TEXTS_AT_ONCE):
            yield from self[lo:lo + TEXTS_AT_ONCE]

    def __eq__(self, other: object) -> bool:
        """Equal to any sequence of the same texts in the same order (as a tuple is)."""
        if other is self:
            return True
        if isinstance(other, TextColumn):
            return bool(self._values.equals(other._values))
        if not isinstance(other, Sequence) or isinstance(other, str | bytes):
            return NotImplemented
        return len(other) == len(self) and all(a == b for a, b in zip(self, other,
                                                                        strict=True))

    __hash__ = None  # type: ignore[assignment]


def _uint64s(values: pa.Array) -> npt.NDArray[np.uint64]:
    """A uint64 array without nulls as numpy (its buffer: ``to_numpy`` imports pandas)."""
    found = np.frombuffer(values.buffers()[1], dtype=np.uint64)
    return found[values.offset:values.offset + len(values)]


class IdIndex(Mapping[str, int]):
    """Position of each text of a column (as ``{t: i for i, t in enumerate(texts)}``, the
    last one of a repeated text): a binary search over the column's sorted order (Arrow's
    sort, made on the first look-up: 4 bytes an entity, no object per id)."""

    def __init__(self, texts: TextColumn, values: pa.ChunkedArray) -> None:
        self._texts, self._values = texts, values

    @cached_property
    def _order(self) -> npt.NDArray[np.int32 | np.int64]:
        found = pc.sort_indices(self._values)  # stable; UTF-8 bytes: Python's str order
        parts = found.chunks if isinstance(found, pa.ChunkedArray) else [found]
        order = np.concatenate([_uint64s(c) for c in parts] or [np.zeros(0, np.uint64)])
        return np.asarray(order, dtype=np.int32 if len(order) < 2**31 else np.int64)

    def __getitem__(self, key: str) -> int:
        if not isinstance(key, str):
            raise KeyError(key)
        order, texts = self._order, self._texts
        at = bisect.bisect_right(order, key, key=lambda k: texts[int(k)]) - 1
        if at < 0 or texts[int(order[at])] != key:
            raise KeyError(key)
        return int(order[at])

    def __len__(self) -> int:
        return len(self._texts)

    def __iter__(self) -> Iterator[str]:
        return iter(self._texts)


class StoredFacts:
    """``graph.Facts`` of a compiled graph, reading from ``reader`` and ``scenario``."""

    def __init__(self, compiled: Compiled, scenario: Dataset, reader: FactReader) -> None:
        self.c, self.scenario, self.reader = compiled, scenario, reader
        self.entities = Lazy(compiled.n, self._entity, self._entities)
        self.ownerships = Lazy(compiled["ownership"].num_rows, self._edge("ownership"),
                               self._edges("ownership"))
        self.controls = Lazy(compiled["control"].num_rows, self._edge("control"),
                             self._edges("control"))
        self.relationships = Lazy(compiled["relation"].num_rows, self._edge("relation"),
                                  self._edges("relation"))
        # An explanation asks for an entity's designations once per regime, and a service
        # asks again per request: the facts of one compiled graph never change, so the
        # answers are kept (bounded: a hub's neighbours, not the whole graph).
        self._kept: OrderedDict[str, tuple[Designation, ...]] = OrderedDict()
        self._kept_lock = threading.Lock()

    @cached_property
    def ids(self) -> TextColumn:
        """Every entity's id, read from the compiled column when asked for (no list)."""
        return TextColumn(self.c["entities"].column("id"))

    @cached_property
    def names(self) -> list[str]:
        return list(self.c["entities"].column("name").to_pylist())

    @cached_property
    def name_column(self) -> TextColumn:
        """``names`` without a list of every name (read a slice at a time)."""
        return TextColumn(self.c["entities"].column("name"))

    @cached_property
    def _members(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], Sequence[str]]:
        """Members grouped by entity: (order, pointers, member ids: read from the column
        when asked for, not a list of every record id, 1.3 GB at 20M)."""
        entity = column(self.c["members"], "entity")
        order = np.argsort(entity, kind="stable").astype(np.int64)
        ptr = np.concatenate(([0], np.cumsum(np.bincount(entity, minlength=self.c.n))))
        return order, ptr.astype(np.int64), TextColumn(self.c["members"].column("member"))

    def members(self, i: int) -> list[str]:
        """Record ids of entity ``i``, its head first."""
        order, ptr, ids = self._members
        found = [ids[int(k)] for k in order[ptr[i]:ptr[i + 1]]]
        head = self.ids[i]
        return [head, *(m for m in found if m != head)]

    def clusters(self) -> dict[str, tuple[str, ...]]:
        """Entities of two or more records: id -> member record ids (as ``MergeMap.members``)."""
        sizes = np.diff(self._members[1])
        return {self.ids[int(i)]: tuple(sorted(self.members(int(i))))
                for i in np.flatnonzero(sizes > 1)}

    def all_entities(self, stored: dict[str, Entity]) -> list[Entity]:
        """Every graph entity, merged from ``stored`` records and the scenario's (for
        indexes over every entity: the screener)."""
        records = {**stored, **self._scenario_entities}
        order, ptr, _ = self._members
        ids = self.c["members"].column("member").to_pylist()  # every one is read here
        out = []
        for i, head in enumerate(self.ids):
            members = [ids[int(k)] for k in order[ptr[i]:ptr[i + 1]]]
            found = [records[head], *(records[m] for m in members if m != head)]
            out.append(found[0] if len(found) == 1 else merge_entities(found))
        return out

    @cached_property
    def _scenario_entities(self) -> dict[str, Entity]:
        return self.scenario.entity_map()

    def _entity(self, i: int) -> Entity:
        return self._entities([i])[0]

    def _entities(self, at: list[int]) -> list[Entity]:
        """Entities ``at``, their stored member records read in one batch."""
        groups = [self.members(i) for i in at]
        scenario = self._scenario_entities
        stored = self.reader.entities([m for ids in groups for m in ids if m not in scenario])
        found = [[scenario[m] if m in scenario else stored.get(m) for m in ids] for ids in groups]
        records = [[e for e in group if e is not None] for group in found]
        return [r[0] if len(r) == 1 else merge_entities(r) for r in records]

    @cached_property
    def _scenario_facts(self) -> dict[str, dict[str, Any]]:
        ds = self.scenario
        return {"ownership": {f.id: f for f in ds.ownerships},
                "control": {f.id: f for f in ds.controls},
                "relation": {f.id: f for f in ds.relationships}}

    def _edge(self, family: str) -> Callable[[int], Any]:
        many = self._edges(family)
        return lambda k: many([k])[0]

    def _edges(self, family: str) -> Callable[[list[int]], list[Any]]:
        """Facts of compiled rows of ``family``, the stored ones read in one batch, their
        ends rewritten to the merged entities."""
        table = self.c[family]
        ends = {"ownership": ("owner", "asset"), "control": ("controller", "controlled"),
                "relation": ("a", "b")}[family]

        cols: list[Any] = []  # src, dst, origin, fact: read when first needed

        def make(at: list[int]) -> list[Any]:
            if not cols:
                cols.extend([*(column(table, c) for c in ("src", "dst", "origin")),
                             _Texts(table.column("fact"))])
            src, dst, origin, fact_of = cols
            fact_ids = [fact_of[k] for k in at]
            scenario = [bool(origin[k] == SCENARIO) for k in at]
            stored = self._stored(family, [f for f, s in zip(fact_ids, scenario, strict=True)
                                           if not s])
            found = [self._scenario_facts[family][f] if s else stored[f]
                     for f, s in zip(fact_ids, scenario, strict=True)]
            return [fact.model_copy(update={ends[0]: self.ids[int(src[k])],
                                            ends[1]: self.ids[int(dst[k])]})
                    for fact, k in zip(found, at, strict=True)]

        return make

    def _stored(self, family: str, fact_ids: list[str]) -> dict[str, Any]:
        """Stored ties by id, in one query (``reader.fact`` for one that is missing: it
        says the store changed under the graph)."""
        model, build = {"ownership": (OwnershipRow, rows.ownership_from),
                        "control": (ControlRow, rows.control_from),
                        "relation": (RelationshipRow, rows.relationship_from)}[family]
        found = self.reader.facts_by_id(model, fact_ids) if fact_ids else {}
        return {f: build(found[f]) if f in found else self.reader.fact(family, f)
                for f in fact_ids}

    @cached_property
    def designated(self) -> npt.NDArray[np.bool_]:
        """Whether each entity has a designation of any period, from the compiled table (no
        store read): explanations ask ``designations_of`` only of those that have one."""
        flags = np.zeros(self.c.n, dtype=np.bool_)
        flags[column(self.c["designations"], "entity")] = True
        return flags

    def designations_of(self, entity_id: str) -> tuple[Designation, ...]:
        """Designations of every member record of ``entity_id``: scenario ones first, then
        the stored ones by id (as the merged Dataset orders them)."""
        return self.designations_many([entity_id])[entity_id]

    def designations_many(self, entity_ids: Sequence[str]) -> dict[str, tuple[Designation, ...]]:
        """``designations_of`` of each of ``entity_ids``, those not kept yet read in one
        query."""
        with self._kept_lock:
            found = {e: self._kept[e] for e in entity_ids if e in self._kept}
        missing = sorted(set(entity_ids) - found.keys())
        if missing:
            read = self._read_designations(missing)
            found.update(read)
            with self._kept_lock:
                self._kept.update(read)
                while len(self._kept) > DESIGNATIONS_KEPT:
                    self._kept.popitem(last=False)
        return found

    def _read_designations(self, entity_ids: list[str]) -> dict[str, tuple[Designation, ...]]:
        groups = {e: self.members(self.index[e]) if e in self.index else [] for e in entity_ids}
        owner = {m: e for e, members in groups.items() for m in members}
        stored = self.reader.designations_for([m for m in owner
                                               if m not in self._scenario_entities])
        found: dict[str, list[Designation]] = {e: [] for e in entity_ids}
        for d in (*self.scenario.designations, *stored):  # scenario first, then by id
            if d.entity_id in owner:
                e = owner[d.entity_id]
                found[e].append(d if d.entity_id == e else d.model_copy(update={"entity_id": e}))
        return {e: tuple(ds) for e, ds in found.items()}

    @cached_property
    def index(self) -> IdIndex:
        """Entity id -> position, searched in the compiled column (no dict of every id)."""
        return IdIndex(self.ids, self.c["entities"].column("id"))


def facts_about(facts: StoredFacts, data: Any, entity_ids: Sequence[str]) -> Dataset:
    """The facts an override's fingerprint reads (``overrides.fingerprints``) for these
    entities: their designations and the ownership and control ties into them, all periods.
    ``data``: the ``GraphData`` of ``facts``."""
    index = facts.index
    wanted = [index[e] for e in sorted(set(entity_ids)) if e in index]
    own = [facts.ownerships[int(k)] for k in np.flatnonzero(np.isin(data.ownership.dst, wanted))]
    ctl = [facts.controls[int(k)] for k in np.flatnonzero(np.isin(data.control.dst, wanted))]
    des = [d for i in wanted for d in facts.designations_of(facts.ids[i])]
    return Dataset(entities=tuple(facts.entities[i] for i in wanted), designations=tuple(des),
                   ownerships=tuple(own), controls=tuple(ctl))
