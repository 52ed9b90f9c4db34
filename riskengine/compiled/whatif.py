"""Hypothetical facts appended to a graph: "what if JAC signs with Moskvich", "what if we take
30% of Y", or a party not yet in the data with its declared owners and ties.

The graph's arrays are extended, not rebuilt: new entities get the indices after the
graph's own, new edges the rows after its own, and explanations read the new facts from
memory and the graph's facts as before (``WhatIfFacts``). Evaluating the extended graph
therefore costs one evaluation of the whole graph, whatever its size, and no store.
Pure: a ``GraphData`` and a ``Dataset`` in, a ``GraphData`` out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar, overload

import numpy as np
import numpy.typing as npt

from riskengine.domain import Control, Dataset, Designation, Entity, Ownership, Relationship
from riskengine.graph import EdgeArrays, Facts, GraphData, read_many

T = TypeVar("T")


class Joined(Sequence[T], Generic[T]):
    """``first`` followed by ``rest``, without copying ``first`` (it may be read lazily)."""

    def __init__(self, first: Sequence[T], rest: Sequence[T]) -> None:
        self.first, self.rest = first, rest

    def __len__(self) -> int:
        return len(self.first) + len(self.rest)

    @overload
    def __getitem__(self, i: int) -> T: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[T]: ...

    def __getitem__(self, i: int | slice) -> T | Sequence[T]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        k = int(i) + (len(self) if i < 0 else 0)
        if not 0 <= k < len(self):
            raise IndexError(i)
        n = len(self.first)
        return self.first[k] if k < n else self.rest[k - n]

    def __iter__(self) -> Iterator[T]:
        yield from self.first
        yield from self.rest

    def many(self, at: Sequence[int]) -> list[T]:
        """Items ``at``; those of ``first`` read in one batch where it can (``read_many``)."""
        n = len(self.first)
        head = [int(k) for k in at if k < n]
        found = dict(zip(head, read_many(self.first, head), strict=True))
        return [found[int(k)] if k < n else self.rest[int(k) - n] for k in at]


@dataclass(frozen=True)
class WhatIfFacts:
    """``graph.Facts`` of a graph with hypothetical facts appended (``extra``: its entities
    are the new ones, its facts name graph entities by their graph ids)."""

    base: Facts
    extra: Dataset

    @property
    def entities(self) -> Sequence[Entity]:
        return Joined(self.base.entities, self.extra.entities)

    @property
    def ownerships(self) -> Sequence[Ownership]:
        return Joined(self.base.ownerships, self.extra.ownerships)

    @property
    def controls(self) -> Sequence[Control]:
        return Joined(self.base.controls, self.extra.controls)

    @property
    def relationships(self) -> Sequence[Relationship]:
        return Joined(self.base.relationships, self.extra.relationships)

    @property
    def names(self) -> Sequence[str]:
        return Joined(self.base.names, [e.name for e in self.extra.entities])

    def designations_of(self, entity_id: str) -> tuple[Designation, ...]:
        mine = tuple(d for d in self.extra.designations if d.entity_id == entity_id)
        return (*self.base.designations_of(entity_id), *mine)


def designation_key(d: Designation) -> str:
    """A designation whatever graph entity it was merged into (its entity id left out)."""
    return d.model_dump_json(exclude={"entity_id"})


@dataclass(frozen=True)
class WithoutFacts:
    """``graph.Facts`` of a graph some facts were taken out of: their edges are no longer in
    the arrays (nothing reads their rows), and the ``dropped`` designations (by
    ``designation_key``) are no longer an entity's."""

    base: Facts
    dropped: frozenset[str]

    @property
    def entities(self) -> Sequence[Entity]:
        return self.base.entities

    @property
    def ownerships(self) -> Sequence[Ownership]:
        return self.base.ownerships

    @property
    def controls(self) -> Sequence[Control]:
        return self.base.controls

    @property
    def relationships(self) -> Sequence[Relationship]:
        return self.base.relationships

    @property
    def names(self) -> Sequence[str]:
        return self.base.names

    def designations_of(self, entity_id: str) -> tuple[Designation, ...]:
        found = self.base.designations_of(entity_id)
        return tuple(d for d in found if designation_key(d) not in self.dropped)


def without_facts(data: GraphData, rows: Mapping[str, Sequence[int]],
                  dropped: Sequence[Designation] = ()) -> GraphData:
    """``data`` without the edges whose fact rows (``edge`` values) ``rows`` lists per family
    (``ownership``, ``control``, ``relation``, ``designations``); ``dropped``: the facts of
    the designation rows, which explanations must no longer cite."""
    def kept(family: str, arrays: EdgeArrays) -> EdgeArrays:
        gone = np.asarray(rows.get(family, ()), dtype=np.int64)
        return arrays.select(~np.isin(arrays.edge, gone)) if gone.shape[0] else arrays

    return GraphData(data.ids, data.index, kept("ownership", data.ownership),
                     kept("control", data.control), kept("relation", data.relation),
                     kept("designations", data.designations),
                     WithoutFacts(data.dataset, frozenset(map(designation_key, dropped))))


def _rows(data: GraphData, family: str) -> int:
    """Rows of the Dataset tuple behind a family: the next free ``edge`` value."""
    facts = {"ownership": data.dataset.ownerships, "control": data.dataset.controls,
             "relation": data.dataset.relationships}
    return len(facts[family])


def _appended(old: EdgeArrays, new: EdgeArrays, where: npt.NDArray[np.int64],
              first_edge: int) -> EdgeArrays:
    """``new`` (indices local to the extra facts, mapped through ``where``) after ``old``."""
    attrs = {k: np.concatenate([v, new.attrs[k].astype(v.dtype)]) for k, v in old.attrs.items()}
    return EdgeArrays(np.concatenate([old.src, where[new.src]]),
                      np.concatenate([old.dst, where[new.dst]]),
                      np.concatenate([old.start, new.start]),
                      np.concatenate([old.end, new.end]),
                      np.concatenate([old.edge, new.edge + first_edge]), attrs)


def with_facts(data: GraphData, extra: Dataset, resolve: Callable[[str], str]) -> GraphData:
    """``data`` with ``extra`` appended. ``extra.entities`` are new (their ids not in the
    graph); its facts name them or graph entities, whose ids ``resolve`` turns into graph
    ids (a record merged into an entity names that entity)."""
    new_ids = [e.id for e in extra.entities]
    facts = _renamed(extra, lambda ref: ref if ref in new_ids else resolve(ref))
    local = _local(facts, new_ids, data)
    n = len(data.ids)
    where = np.asarray([n + new_ids.index(eid) if eid in new_ids else data.index[eid]
                        for eid in local.ids], dtype=np.int64)
    ids = (*data.ids, *new_ids)
    index = {**data.index, **{eid: n + k for k, eid in enumerate(new_ids)}}
    designations = _appended_designations(data.designations, local.designations, where)
    return GraphData(ids, index,
                     _appended(data.ownership, local.ownership, where, _rows(data, "ownership")),
                     _appended(data.control, local.control, where, _rows(data, "control")),
                     _appended(data.relation, local.relation, where, _rows(data, "relation")),
                     designations, WhatIfFacts(data.dataset, facts))


def _local(facts: Dataset, new_ids: list[str], data: GraphData) -> GraphData:
    """The extra facts as a graph of their own: the new entities, then a stand-in for each
    graph entity they name (only its id is read)."""
    edges: list[Ownership | Control | Relationship] = [
        *facts.ownerships, *facts.controls, *facts.relationships]
    named = sorted({ref for f in edges for ref in _ends(f)}
                   | {d.entity_id for d in facts.designations})
    stand_ins = tuple(Entity(id=eid, name=eid) for eid in named if eid not in new_ids)
    assert all(e.id in data.index for e in stand_ins)
    return GraphData.from_dataset(facts.model_copy(update={
        "entities": (*facts.entities, *stand_ins)}))


def _appended_designations(old: EdgeArrays, new: EdgeArrays, where: npt.NDArray[np.int64]
                           ) -> EdgeArrays:
    regime = np.concatenate([old.attrs["regime"].astype(object),
                             new.attrs["regime"].astype(object)])
    blocking = np.concatenate([old.attrs["blocking"].astype(np.bool_),
                               new.attrs["blocking"].astype(np.bool_)])
    src = np.concatenate([old.src, where[new.src]])
    return EdgeArrays(src, src.copy(), np.concatenate([old.start, new.start]),
                      np.concatenate([old.end, new.end]),
                      np.concatenate([old.edge, new.edge + int(old.edge.max(initial=-1)) + 1]),
                      {"regime": regime, "blocking": blocking})


def _ends(fact: Ownership | Control | Relationship) -> tuple[str, str]:
    if isinstance(fact, Ownership):
        return fact.owner, fact.asset
    if isinstance(fact, Control):
        return fact.controller, fact.controlled
    return fact.a, fact.b


def _renamed(extra: Dataset, name: Callable[[str], str]) -> Dataset:
    """``extra`` with every fact's entity references passed through ``name``."""
    return extra.model_copy(update={
        "designations": tuple(d.model_copy(update={"entity_id": name(d.entity_id)})
                              for d in extra.designations),
        "ownerships": tuple(o.model_copy(update={"owner": name(o.owner), "asset": name(o.asset)})
                            for o in extra.ownerships),
        "controls": tuple(c.model_copy(update={"controller": name(c.controller),
                                               "controlled": name(c.controlled)})
                          for c in extra.controls),
        "relationships": tuple(r.model_copy(update={"a": name(r.a), "b": name(r.b)})
                               for r in extra.relationships)})
