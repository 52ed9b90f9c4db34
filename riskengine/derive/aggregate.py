"""The aggregate ownership test, and the sparse views of shares the explanations read.

The derivation itself runs on the kernels of ``kernel``: ownership and control indexed once
per Graph (``Kernel``), shares as exact integer units, and a frontier fixpoint that grows the
blocked set round by round from the members added in the previous round, gathering only
their out-edges. Cycles terminate: a round that adds no member ends the iteration.

Parallel ownership edges with the same (owner, asset) are alternative reports of one holding
(a registry extract and a press report of the same stake), so they combine by MAX, separately
for the lower and the upper bound, never by sum. Each share is rounded once to
``SHARE_DECIMALS`` decimals and sums are exact, so 25 + 25 is exactly 50 and a zero holding
never meets a threshold. An entity's holding of its own shares (treasury shares) is nobody
else's and is dropped.

``GraphIndex`` is the per-entity counterpart for explanations: incoming edges of one entity,
for a local walk back to the listings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from riskengine.derive.base import RegimeArrays
from riskengine.derive.kernel import (
    JOINT_ARRANGEMENT,
    SHARE_DECIMALS,
    Csr,
    Kernel,
    closure,
    group_closure,
    meets_units,
    pair_order,
    to_units,
)
from riskengine.domain import Designation
from riskengine.graph import BoolArray, FloatArray, Graph, IntArray
from riskengine.ruleset.models import RegimeParams

__all__ = ["JOINT_ARRANGEMENT", "SHARE_DECIMALS", "Closure", "GraphIndex", "Shares",
           "combined_shares", "derive_aggregate", "graph_index", "least_fixpoint",
           "listed_mask", "meets"]


def listed_mask(g: Graph, code: str) -> BoolArray:
    """Entities with an asset-freeze designation in force in regime ``code``."""
    found = g.listed.get(code)
    return np.zeros(g.n, dtype=np.bool_) if found is None else found.copy()


@dataclass(frozen=True)
class Shares:
    """owner x asset shares as compressed rows: the holdings of owner ``v`` are positions
    ``ptr[v]:ptr[v + 1]`` of ``dst`` (assets, ascending) and ``data`` (percentages, none 0).
    Our own few arrays rather than a scipy matrix: importing scipy.sparse costs a cold
    ``score`` about 0.15 s, and only this layout is ever read."""

    ptr: IntArray
    dst: IntArray
    data: FloatArray

    @property
    def n(self) -> int:
        return int(self.ptr.shape[0]) - 1

    def csr(self) -> Csr:
        return Csr(self.ptr.astype(np.int64), self.dst.astype(np.int32))


def _rows(src: IntArray, dst: IntArray, data: FloatArray, n: int) -> Shares:
    """Shares from (owner, asset) pairs sorted and distinct; zero holdings left out."""
    keep = data != 0
    src, dst, data = src[keep], dst[keep], data[keep]
    ptr = np.concatenate(([0], np.cumsum(np.bincount(src, minlength=n)))).astype(np.int64)
    return Shares(ptr, dst.astype(np.int64), data.astype(np.float64))


def combined_shares(g: Graph, attr: str) -> Shares:
    """owner x asset shares of bound ``attr`` ('low' or 'high'), parallel edges by MAX.

    An entity's holding of its own shares (treasury shares) is nobody else's: dropped.
    """
    own = g.ownership.select(g.ownership.src != g.ownership.dst)
    values = np.asarray(own.attrs[attr], dtype=np.float64)
    if len(own) == 0:
        return _rows(own.src.astype(np.int64), own.dst.astype(np.int64), values, g.n)
    order = pair_order(own.src, own.dst, g.n)
    src, dst = own.src[order].astype(np.int64), own.dst[order].astype(np.int64)
    starts = np.flatnonzero(np.r_[True, (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])])
    best = np.maximum.reduceat(values[order], starts)
    return _rows(src[starts], dst[starts], best, g.n)


def meets(values: FloatArray, params: RegimeParams) -> BoolArray:
    """Vectorised ``params.meets`` on sums of percentages rounded to ``SHARE_DECIMALS``
    decimals (the float counterpart of ``kernel.meets_units``); a zero holding never meets."""
    pct = np.round(values, SHARE_DECIMALS)
    passed = pct >= params.threshold if params.inclusive else pct > params.threshold
    return np.asarray(passed & (pct > 0), dtype=np.bool_)


def flags(n: int, entities: IntArray) -> BoolArray:
    """Boolean mask of length ``n`` set at ``entities``."""
    out = np.zeros(n, dtype=np.bool_)
    out[entities] = True
    return out


@dataclass(frozen=True)
class Closure:
    """A least fixed point: the member pair keys ``group * n + entity``, sorted."""

    members: IntArray


def least_fixpoint(seed: IntArray, groups: int, params: RegimeParams,
                   shares: Shares | None, links: Csr | None) -> Closure:
    """Least set of (group, entity) pair keys containing ``seed``, closed under two rules.

    An entity joins a group when the group's members together hold ``shares`` in it meeting
    the threshold, or when a member has a ``links`` edge to it.
    """
    n = shares.n if shares is not None else len(links.ptr) - 1 if links is not None else 1
    empty = Csr(np.zeros(n + 1, dtype=np.int64), np.zeros(0, dtype=np.int32))
    held = shares.csr() if shares is not None else empty
    units = to_units(shares.data) if shares is not None else np.zeros(0, dtype=np.int64)
    return Closure(group_closure(n, seed, groups, held, units, params, links))


def derive_aggregate(g: Graph, code: str, params: RegimeParams,
                     kernel: Kernel | None = None) -> RegimeArrays:
    """OFAC 50% rule / EU test: blocked owners' shares add up, each counted in full.

    Holdings of a blocked entity count in full (OFAC FAQ 401: no multiplying down a chain);
    a stake held through an unblocked intermediary does not pass through; control edges of a
    counted kind block (EU), none do with an empty ``control_kinds`` (US, FAQ 398).
    ``kernel``: the Graph's edge indexes when several regimes share them.
    """
    listed = listed_mask(g, code)
    if not listed.any():
        return RegimeArrays(code, listed, listed.copy(), listed.copy(), listed.copy())
    k = kernel or Kernel.of(g)
    counted = k.links.counted(params.control_kinds)
    low, held = closure(k, listed, k.holdings.low, params, counted)
    high, _ = closure(k, listed, k.holdings.high, params, counted)
    owned = meets_units(held, params) & ~listed
    controlled = low & ~listed & ~owned
    possibly = high | listed | owned | controlled
    return RegimeArrays(code, listed, owned, controlled, possibly)


@dataclass(frozen=True)
class Adjacency:
    """Edge positions grouped by one endpoint: ``at(v)`` lists the edges touching ``v``."""

    order: IntArray
    ptr: IntArray

    @classmethod
    def by(cls, keys: IntArray, n: int) -> Adjacency:
        """Group edge positions by ``keys`` (an endpoint array), in edge order."""
        order = np.argsort(keys, kind="stable").astype(np.int64)
        ptr = np.concatenate(([0], np.cumsum(np.bincount(keys, minlength=n)))).astype(np.int64)
        return cls(order, ptr)

    def at(self, v: int) -> list[int]:
        """Positions of the edges grouped under ``v``."""
        return [int(p) for p in self.order[self.ptr[v]:self.ptr[v + 1]]]


@dataclass(frozen=True)
class GraphIndex:
    """Incoming ownership and control edges, designations by entity id, combined shares
    (``shares``: made when an explanation first needs them, a sort of every ownership edge
    that most explained scores never need)."""

    g: Graph
    owners: Adjacency
    controllers: Adjacency
    designations: DesignationsByEntity
    _shares: dict[str, Shares] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(cls, g: Graph) -> GraphIndex:
        """Index ``g`` (a few argsorts; cached per Graph object by ``graph_index``)."""
        return cls(g, Adjacency.by(g.ownership.dst, g.n), Adjacency.by(g.control.dst, g.n),
                   DesignationsByEntity(g))

    def shares(self, bound: str) -> Shares:
        """``combined_shares`` of bound 'low' or 'high'."""
        if bound not in self._shares:
            self._shares[bound] = combined_shares(self.g, bound)
        return self._shares[bound]


@dataclass(frozen=True)
class DesignationsByEntity:
    """Designations of an entity id, read from the graph's facts when asked (the facts may
    live in a store: explaining one entity reads only its own designations)."""

    g: Graph

    def get(self, entity_id: str, default: tuple[Designation, ...] = ()
            ) -> tuple[Designation, ...]:
        return self.g.dataset.designations_of(entity_id) or default


def graph_index(g: Graph) -> GraphIndex:
    """The index of ``g``, built once per Graph object and kept in its ``memo``, so that it
    goes with the graph. (It used to live in a table by ``id(g)`` with a weak reference to
    the graph; but the index refers to its graph, so no graph was ever freed: a service
    answering for many days or data versions kept every graph it had built.)"""
    found = g.memo.get(_INDEX)
    if isinstance(found, GraphIndex) and found.g is g:
        return found
    built = GraphIndex.build(g)
    g.memo[_INDEX] = built
    return built


_INDEX = "derive.aggregate.graph_index"
