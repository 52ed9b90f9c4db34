"""Sparse building blocks of the blocking derivation, and the aggregate ownership test.

Ownership is a sparse matrix ``owner x asset`` of percentages and control a pattern
``controller x controlled``. A blocked set is grown from its seed to the least fixed point
semi-naively: each round only the members added in the previous round (the frontier, a
``groups x entities`` sparse matrix) are multiplied by the edge matrices, and the products
are added to the shares already counted. Members and counted shares are keyed by pairs
``group * n + entity`` (the aggregate test has one group: everything blocked) in a
``PairTable`` of sorted runs, so a round costs about the frontier's edges, however many
members there are, and no Python loop visits a node or an edge. Cycles terminate: a round
that adds no member ends the iteration.

Parallel ownership edges with the same (owner, asset) are alternative reports of one holding
(a registry extract and a press report of the same stake), so they combine by MAX, separately
for the lower and the upper bound, never by sum. Sums are rounded to ``SHARE_DECIMALS``
decimals before the threshold test so that 25 + 25.00000000000001 style float noise does not
decide a case, and a zero holding never meets a threshold. An entity's holding of its own
shares (treasury shares) is nobody else's and is dropped.

``GraphIndex`` is the per-entity counterpart for explanations: incoming edges of one entity,
for a local walk back to the listings.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from riskengine.derive.base import RegimeArrays
from riskengine.domain import CONTROL_KINDS, ControlKind, Designation
from riskengine.graph import BoolArray, FloatArray, Graph, IntArray
from riskengine.ruleset.models import RegimeParams

Sparse = sp.csr_array
SHARE_DECIMALS = 9
GROWTH = 8  # PairTable: run length ratio
JOINT_ARRANGEMENT = CONTROL_KINDS.index("joint_arrangement")


@dataclass(frozen=True)
class Matrices:
    """The graph's edges as sparse matrices for one regime's parameters.

    low/high: owner x asset, MAX-combined lower/upper share bounds in percent (zeros dropped).
    control: controller x controlled, 1.0 for each control kind this regime counts.
    """

    low: Sparse
    high: Sparse
    control: Sparse

    @classmethod
    def build(cls, g: Graph, params: RegimeParams) -> Matrices:
        """Matrices of ``g`` under ``params`` (control kinds counted, joint arrangements not)."""
        return cls(combined_shares(g, "low"), combined_shares(g, "high"),
                   control_matrix(g, params.control_kinds))


def listed_mask(g: Graph, code: str) -> BoolArray:
    """Entities with an asset-freeze designation in force in regime ``code``."""
    found = g.listed.get(code)
    return np.zeros(g.n, dtype=np.bool_) if found is None else found.copy()


def matrix(rows: IntArray, cols: IntArray, data: FloatArray, shape: tuple[int, int]) -> Sparse:
    """CSR matrix from coordinates (duplicates summed), canonical and without stored zeros."""
    out = Sparse((data, (rows, cols)), shape=shape)
    out.sum_duplicates()
    out.eliminate_zeros()
    return out


def combined_shares(g: Graph, attr: str) -> Sparse:
    """owner x asset matrix of share bound ``attr`` ('low' or 'high'), parallel edges by MAX.

    An entity's holding of its own shares (treasury shares) is nobody else's: dropped.
    """
    own = g.ownership.select(g.ownership.src != g.ownership.dst)
    values = np.asarray(own.attrs[attr], dtype=np.float64)
    if len(own) == 0:
        return matrix(own.src, own.dst, values, (g.n, g.n))
    keys = own.src * g.n + own.dst
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    best = np.maximum.reduceat(values[order], starts)
    return matrix(keys[starts] // g.n, keys[starts] % g.n, best, (g.n, g.n))


def control_matrix(g: Graph, kinds: tuple[ControlKind, ...]) -> Sparse:
    """controller x controlled pattern of the control edges whose kind is counted.

    A joint arrangement links designated persons into one holder (UK); it never blocks the
    other party by itself, even if a rule file lists it among the control kinds.
    """
    codes = [CONTROL_KINDS.index(k) for k in kinds if k != "joint_arrangement"]
    ctl = g.control
    mask = np.isin(ctl.attrs["kind"], np.asarray(codes, dtype=np.int64))
    ones = np.ones(int(mask.sum()), dtype=np.float64)
    return matrix(ctl.src[mask], ctl.dst[mask], ones, (g.n, g.n))


def meets(values: FloatArray, params: RegimeParams) -> BoolArray:
    """Vectorised ``params.meets`` on rounded sums; a zero holding never meets."""
    pct = np.round(values, SHARE_DECIMALS)
    passed = pct >= params.threshold if params.inclusive else pct > params.threshold
    return np.asarray(passed & (pct > 0), dtype=np.bool_)


def meeting(shares: Sparse, params: RegimeParams) -> Sparse:
    """Pattern (data 1.0) of the single holdings that meet the threshold by themselves."""
    coo = shares.tocoo()
    keep = meets(np.asarray(coo.data, dtype=np.float64), params)
    return matrix(coo.row[keep].astype(np.int64), coo.col[keep].astype(np.int64),
                  np.ones(int(keep.sum())), shares.shape)


def flags(n: int, entities: IntArray) -> BoolArray:
    """Boolean mask of length ``n`` set at ``entities``."""
    out = np.zeros(n, dtype=np.bool_)
    out[entities] = True
    return out


def locate(keys: IntArray, wanted: IntArray) -> tuple[BoolArray, IntArray]:
    """Which of ``wanted`` are in the sorted array ``keys``, and their positions there."""
    if not keys.size:
        return np.zeros(wanted.shape, dtype=np.bool_), np.zeros(wanted.shape, dtype=np.int64)
    pos = np.minimum(np.searchsorted(keys, wanted), keys.size - 1)
    return np.asarray(keys[pos] == wanted, dtype=np.bool_), pos


def contains(keys: IntArray, wanted: IntArray) -> BoolArray:
    """Which of ``wanted`` are in the sorted array ``keys``."""
    return locate(keys, wanted)[0]


def step(frontier: IntArray, groups: int, edges: Sparse) -> tuple[IntArray, FloatArray]:
    """Sparse product of the frontier pairs with an edge matrix: sorted (pair keys, sums)."""
    n = edges.shape[0]
    rows = matrix(frontier // n, frontier % n, np.ones(frontier.size), (groups, n))
    found = (rows @ edges).tocoo()
    keys = found.row.astype(np.int64) * n + found.col.astype(np.int64)
    order = np.argsort(keys)
    return keys[order], np.asarray(found.data, dtype=np.float64)[order]


class PairTable:
    """Unique int64 keys with float values, kept as a few sorted runs (log-structured).

    Each run is more than ``GROWTH`` times longer than the next; a new run is merged into the
    one before it until that holds. Adding f keys costs a lookup in each run plus amortised
    merging, not a copy of all K keys, so a fixed point of thousands of rounds (a deep chain)
    over millions of pairs stays fast.
    """

    def __init__(self) -> None:
        self.runs: list[tuple[IntArray, FloatArray]] = []

    def _where(self, keys: IntArray) -> list[tuple[BoolArray, IntArray]]:
        return [locate(run, keys) for run, _ in self.runs]

    def get(self, keys: IntArray) -> FloatArray:
        """Values at ``keys`` (0 where absent)."""
        out = np.zeros(keys.shape, dtype=np.float64)
        for (found, pos), (_, values) in zip(self._where(keys), self.runs, strict=True):
            out[found] = values[pos[found]]
        return out

    def has(self, keys: IntArray) -> BoolArray:
        """Which ``keys`` are present."""
        out = np.zeros(keys.shape, dtype=np.bool_)
        for found, _ in self._where(keys):
            out |= found
        return out

    def add(self, keys: IntArray, values: FloatArray) -> None:
        """Add ``values`` at unique ``keys``, inserting the absent ones."""
        fresh = np.ones(keys.shape, dtype=np.bool_)
        for (found, pos), (_, run_values) in zip(self._where(keys), self.runs, strict=True):
            run_values[pos[found]] += values[found]
            fresh &= ~found
        order = np.argsort(keys[fresh])
        self.runs.append((keys[fresh][order], values[fresh][order].astype(np.float64)))
        while len(self.runs) > 1 and self.runs[-2][0].size <= GROWTH * self.runs[-1][0].size:
            (k1, v1), (k2, v2) = self.runs.pop(), self.runs.pop()
            merged = np.argsort(np.concatenate((k2, k1)), kind="stable")
            self.runs.append((np.concatenate((k2, k1))[merged], np.concatenate((v2, v1))[merged]))

    def items(self) -> tuple[IntArray, FloatArray]:
        """All (keys, values), sorted by key."""
        keys = np.concatenate([np.zeros(0, dtype=np.int64), *(k for k, _ in self.runs)])
        values = np.concatenate([np.zeros(0), *(v for _, v in self.runs)])
        order = np.argsort(keys)
        return keys[order], values[order]


@dataclass(frozen=True)
class Closure:
    """A least fixed point: member pair keys, and the shares the members hold (sorted keys)."""

    members: IntArray
    held_keys: IntArray
    held: FloatArray


def least_fixpoint(seed: IntArray, groups: int, params: RegimeParams,
                   shares: Sparse | None, links: Sparse | None) -> Closure:
    """Least set of (group, entity) pair keys containing ``seed``, closed under two rules.

    An entity joins a group when the group's members together hold ``shares`` in it meeting
    the threshold, or when a member has a ``links`` edge to it.
    """
    members, held = PairTable(), PairTable()
    frontier = np.unique(seed)
    while frontier.size:
        members.add(frontier, np.zeros(frontier.size))
        found = [np.zeros(0, dtype=np.int64)]
        if shares is not None:
            keys, values = step(frontier, groups, shares)
            held.add(keys, values)
            found.append(keys[meets(held.get(keys), params)])
        if links is not None:
            found.append(step(frontier, groups, links)[0])
        joining = np.unique(np.concatenate(found))
        frontier = joining[~members.has(joining)]
    return Closure(members.items()[0], *held.items())


def derive_aggregate(g: Graph, code: str, params: RegimeParams) -> RegimeArrays:
    """OFAC 50% rule / EU test: blocked owners' shares add up, each counted in full.

    Holdings of a blocked entity count in full (OFAC FAQ 401: no multiplying down a chain);
    a stake held through an unblocked intermediary does not pass through; control edges of a
    counted kind block (EU), none do with an empty ``control_kinds`` (US, FAQ 398).
    """
    listed = listed_mask(g, code)
    mats = Matrices.build(g, params)
    seed = np.flatnonzero(listed).astype(np.int64)
    low = least_fixpoint(seed, 1, params, mats.low, mats.control)
    high = least_fixpoint(seed, 1, params, mats.high, mats.control)
    owned = flags(g.n, low.held_keys[meets(low.held, params)]) & ~listed
    controlled = flags(g.n, low.members) & ~listed & ~owned
    possibly = flags(g.n, high.members) | listed | owned | controlled
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
    """Incoming ownership and control edges, designations by entity id, combined shares."""

    owners: Adjacency
    controllers: Adjacency
    designations: dict[str, tuple[Designation, ...]]
    low: Sparse
    high: Sparse

    @classmethod
    def build(cls, g: Graph) -> GraphIndex:
        """Index ``g`` (a few argsorts; cached per Graph object by ``graph_index``)."""
        found: dict[str, list[Designation]] = {}
        for d in g.dataset.designations:
            found.setdefault(d.entity_id, []).append(d)
        return cls(Adjacency.by(g.ownership.dst, g.n), Adjacency.by(g.control.dst, g.n),
                   {k: tuple(v) for k, v in found.items()},
                   combined_shares(g, "low"), combined_shares(g, "high"))


_INDEXES: dict[int, tuple[weakref.ref[Graph], GraphIndex]] = {}


def graph_index(g: Graph) -> GraphIndex:
    """The index of ``g``, built once per Graph object and dropped with it."""
    hit = _INDEXES.get(id(g))
    if hit is not None and hit[0]() is g:
        return hit[1]
    built = GraphIndex.build(g)
    _INDEXES[id(g)] = (weakref.ref(g), built)
    weakref.finalize(g, _INDEXES.pop, id(g), None)
    return built
