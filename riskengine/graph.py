"""Columnar (numpy) view of a Dataset: the input of all whole-graph computations.

``GraphData.from_dataset`` is built once; ``GraphData.at(as_of)`` returns a ``Graph`` holding
only the facts in force on that day, selected with vectorised date masks. Indices in the edge
arrays point into ``ids``; ``*_edge`` arrays point back into the Dataset's tuples so an
explanation can cite the original fact and its source.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Protocol, TypeVar

import numpy as np
import numpy.typing as npt

from riskengine.domain import (
    CONTROL_KINDS,
    RELATION_KINDS,
    Control,
    Dataset,
    Designation,
    Entity,
    Ownership,
    Relationship,
)

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

NO_START = np.iinfo(np.int64).min  # day number of an open start
NO_END = np.iinfo(np.int64).max  # day number of an open end
_NO_START, _NO_END = NO_START, NO_END
STATUS_CODES = ("prospective", "active", "ended")
T = TypeVar("T")


def _day(d: date | None, missing: int) -> int:
    return missing if d is None else d.toordinal()


def _in_force(start: IntArray, end: IntArray, as_of: date) -> BoolArray:
    day = as_of.toordinal()
    return np.asarray((start <= day) & (day < end), dtype=np.bool_)


class Facts(Protocol):
    """The facts behind a graph, for explanations: ``entities[i]`` is graph entity ``i``,
    ``ownerships[k]`` (``controls``, ``relationships``) the fact of edge row ``k``'s
    ``edge`` value. In memory (``DatasetFacts``) or read on demand from a store."""

    @property
    def entities(self) -> Sequence[Entity]: ...
    @property
    def ownerships(self) -> Sequence[Ownership]: ...
    @property
    def controls(self) -> Sequence[Control]: ...
    @property
    def relationships(self) -> Sequence[Relationship]: ...
    @property
    def names(self) -> Sequence[str]: ...

    def designations_of(self, entity_id: str) -> tuple[Designation, ...]:
        """Every designation (all periods) of the graph entity ``entity_id``."""
        ...


def read_many(items: Sequence[T], at: Sequence[int]) -> list[T]:
    """``items[k]`` for each ``k`` of ``at``: in one batch where ``items`` reads them from a
    store (it has ``many``), else one by one."""
    many = getattr(items, "many", None)
    return list(many(at)) if callable(many) else [items[int(k)] for k in at]


@dataclass(frozen=True)
class DatasetFacts:
    """``Facts`` of a Dataset held in memory (edge values index its tuples)."""

    dataset: Dataset

    @property
    def entities(self) -> tuple[Entity, ...]:
        return self.dataset.entities

    @property
    def ownerships(self) -> tuple[Ownership, ...]:
        return self.dataset.ownerships

    @property
    def controls(self) -> tuple[Control, ...]:
        return self.dataset.controls

    @property
    def relationships(self) -> tuple[Relationship, ...]:
        return self.dataset.relationships

    @property
    def designations(self) -> tuple[Designation, ...]:
        return self.dataset.designations

    @cached_property
    def names(self) -> tuple[str, ...]:
        return tuple(e.name for e in self.dataset.entities)

    @cached_property
    def _by_entity(self) -> dict[str, tuple[Designation, ...]]:
        found: dict[str, list[Designation]] = {}
        for d in self.dataset.designations:
            found.setdefault(d.entity_id, []).append(d)
        return {k: tuple(v) for k, v in found.items()}

    def designations_of(self, entity_id: str) -> tuple[Designation, ...]:
        return self._by_entity.get(entity_id, ())


@dataclass(frozen=True)
class EdgeArrays:
    """One edge family: src -> dst with per-edge attributes, all the same length."""

    src: IntArray
    dst: IntArray
    start: IntArray
    end: IntArray
    edge: IntArray  # index into the Dataset tuple this family came from
    attrs: dict[str, npt.NDArray[np.generic]] = field(default_factory=dict)

    def select(self, mask: BoolArray) -> EdgeArrays:
        return EdgeArrays(
            self.src[mask],
            self.dst[mask],
            self.start[mask],
            self.end[mask],
            self.edge[mask],
            {k: v[mask] for k, v in self.attrs.items()},
        )

    def __len__(self) -> int:
        return int(self.src.shape[0])


@dataclass(frozen=True)
class Graph:
    """The graph as of one day.

    ownership attrs: low, high (float %), known (bool).
    control attrs: kind (int code into domain.CONTROL_KINDS).
    relation attrs: kind (int code into domain.RELATION_KINDS), status (code into STATUS_CODES),
    ended_years (float, years between the tie's end and as_of; 0 unless ended).
    listed[regime]: bool per entity, an asset-freeze designation in force.
    listed_other[regime]: bool per entity, a non-blocking listing in force (sectoral, export).
    """

    as_of: date
    ids: Sequence[str]  # a tuple, or a view of a compiled id column (no object per id)
    index: Mapping[str, int]
    ownership: EdgeArrays
    control: EdgeArrays
    relation: EdgeArrays
    listed: dict[str, BoolArray]
    listed_other: dict[str, BoolArray]
    dataset: Facts

    @property
    def n(self) -> int:
        return len(self.ids)

    @cached_property
    def memo(self) -> dict[object, object]:
        """Indexes derived from this graph, kept with it (the graph never changes): e.g. the
        exposure edges and path searches a single explained score needs
        (``exposure.score``), so the second score costs its neighbourhood only."""
        return {}

    @property
    def regimes(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.listed) | set(self.listed_other)))


@dataclass(frozen=True)
class GraphData:
    """All facts of a Dataset as arrays, for any date."""

    ids: Sequence[str]  # a tuple, or a view of a compiled id column (no object per id)
    index: Mapping[str, int]
    ownership: EdgeArrays
    control: EdgeArrays
    relation: EdgeArrays
    designations: EdgeArrays  # src = dst = entity; attrs: regime (object), blocking (bool)
    dataset: Facts

    @classmethod
    def from_dataset(cls, ds: Dataset) -> GraphData:
        ids = tuple(e.id for e in ds.entities)
        index = {eid: i for i, eid in enumerate(ids)}
        return cls(ids, index, _ownership(ds, index), _control(ds, index),
                   _relation(ds, index), _designations(ds, index), DatasetFacts(ds))

    def at(self, as_of: date) -> Graph:
        own = self.ownership.select(_in_force(self.ownership.start, self.ownership.end, as_of))
        ctl = self.control.select(_in_force(self.control.start, self.control.end, as_of))
        rel = self.relation.select(_in_force(self.relation.start, self.relation.end, as_of))
        rel = _with_ended_years(rel, as_of)
        des = self.designations.select(
            _in_force(self.designations.start, self.designations.end, as_of)
        )
        listed, other = _listed(des, len(self.ids))
        return Graph(as_of, self.ids, self.index, own, ctl, rel, listed, other, self.dataset)


def _arrays(rows: list[tuple[int, int, int, int, int]]) -> tuple[IntArray, ...]:
    if not rows:
        return tuple(np.zeros(0, dtype=np.int64) for _ in range(5))
    table = np.asarray(rows, dtype=np.int64)
    return tuple(np.ascontiguousarray(table[:, i]) for i in range(5))


def _ownership(ds: Dataset, index: dict[str, int]) -> EdgeArrays:
    rows, low, high, known = [], [], [], []
    for i, o in enumerate(ds.ownerships):
        rows.append((index[o.owner], index[o.asset], _day(o.valid_from, _NO_START),
                     _day(o.valid_to, _NO_END), i))
        low.append(o.share.low)
        high.append(o.share.high)
        known.append(o.share.known)
    src, dst, start, end, edge = _arrays(rows)
    attrs: dict[str, npt.NDArray[np.generic]] = {
        "low": np.asarray(low, dtype=np.float64),
        "high": np.asarray(high, dtype=np.float64),
        "known": np.asarray(known, dtype=np.bool_),
    }
    return EdgeArrays(src, dst, start, end, edge, attrs)


def _control(ds: Dataset, index: dict[str, int]) -> EdgeArrays:
    rows, kind = [], []
    for i, c in enumerate(ds.controls):
        rows.append((index[c.controller], index[c.controlled], _day(c.valid_from, _NO_START),
                     _day(c.valid_to, _NO_END), i))
        kind.append(CONTROL_KINDS.index(c.kind))
    src, dst, start, end, edge = _arrays(rows)
    return EdgeArrays(src, dst, start, end, edge, {"kind": np.asarray(kind, dtype=np.int64)})


def _relation(ds: Dataset, index: dict[str, int]) -> EdgeArrays:
    rows, kind, status = [], [], []
    for i, r in enumerate(ds.relationships):
        # An ended tie stays in the graph after its end date (with decaying weight): the
        # exposure of a former partner fades, it does not vanish on the day the deal ends.
        end = _NO_END if r.status == "ended" else _day(r.valid_to, _NO_END)
        rows.append((index[r.a], index[r.b], _day(r.valid_from, _NO_START), end, i))
        kind.append(RELATION_KINDS.index(r.kind))
        status.append(STATUS_CODES.index(r.status))
    src, dst, start, end_arr, edge = _arrays(rows)
    ended_at = [_day(ds.relationships[i].valid_to, _NO_START) for i in edge.tolist()]
    attrs: dict[str, npt.NDArray[np.generic]] = {
        "kind": np.asarray(kind, dtype=np.int64),
        "status": np.asarray(status, dtype=np.int64),
        "ended_at": np.asarray(ended_at, dtype=np.int64),
    }
    return EdgeArrays(src, dst, start, end_arr, edge, attrs)


def _with_ended_years(rel: EdgeArrays, as_of: date) -> EdgeArrays:
    ended_at = rel.attrs["ended_at"].astype(np.int64)
    ended = (rel.attrs["status"] == STATUS_CODES.index("ended")) & (ended_at != _NO_START)
    years = np.where(ended, np.maximum(as_of.toordinal() - ended_at, 0) / 365.25, 0.0)
    return EdgeArrays(rel.src, rel.dst, rel.start, rel.end, rel.edge,
                      {**rel.attrs, "ended_years": years.astype(np.float64)})


def _designations(ds: Dataset, index: dict[str, int]) -> EdgeArrays:
    rows, regime, blocking = [], [], []
    for i, d in enumerate(ds.designations):
        ent = index[d.entity_id]
        rows.append((ent, ent, _day(d.listed_from, _NO_START), _day(d.listed_to, _NO_END), i))
        regime.append(d.regime)
        blocking.append(d.blocking)
    src, dst, start, end, edge = _arrays(rows)
    attrs: dict[str, npt.NDArray[np.generic]] = {
        "regime": np.asarray(regime, dtype=object),
        "blocking": np.asarray(blocking, dtype=np.bool_),
    }
    return EdgeArrays(src, dst, start, end, edge, attrs)


def _listed(des: EdgeArrays, n: int) -> tuple[dict[str, BoolArray], dict[str, BoolArray]]:
    listed: dict[str, BoolArray] = {}
    other: dict[str, BoolArray] = {}
    blocking = des.attrs["blocking"].astype(np.bool_)
    for code in sorted(set(des.attrs["regime"].tolist())):
        of_regime = des.attrs["regime"] == code
        for target, mask in ((listed, of_regime & blocking), (other, of_regime & ~blocking)):
            flags = np.zeros(n, dtype=np.bool_)
            flags[des.src[mask]] = True
            target[code] = flags
    return listed, other
