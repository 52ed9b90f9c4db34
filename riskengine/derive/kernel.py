"""Array kernels of the whole-graph derivation: edge indexes built once, frontier fixpoints.

Shares are fixed-point integers, ``UNITS`` per percent (``SHARE_DECIMALS`` decimals): each
share is rounded once to that grid and sums are exact integer sums, so holdings that are
legally 50% (25 + 25, 33.33 + 16.67, 10 x 5.0) are exactly 50% and the ">= threshold" and
"> threshold" tests of the rules decide exactly. A zero holding never meets a threshold.

``Holdings`` (ownership pairs, owner-major CSR, parallel reports MAX-combined, treasury shares
dropped) and ``Links`` (control edges, controller-major CSR) are built once per Graph and
serve every regime and both share bounds. A fixpoint then grows its blocked set round by
round from a frontier: each round gathers the frontier's out-edges from the CSR, so it costs
about the frontier's edges, never a rebuild of a matrix. Index arrays are int32 inside the
kernels (int32 or int64 input), pair keys int64.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from riskengine.domain import CONTROL_KINDS, ControlKind
from riskengine.graph import BoolArray, FloatArray, Graph
from riskengine.ruleset.models import RegimeParams

SHARE_DECIMALS = 9
UNITS = 10**SHARE_DECIMALS  # share units per percent
JOINT_ARRANGEMENT = CONTROL_KINDS.index("joint_arrangement")
NODE = np.int32
Index = npt.NDArray[np.signedinteger[Any]]  # int32 or int64


def sort_order(keys: Index, bound: int) -> Index:
    """Stable argsort of non-negative integer ``keys`` below ``bound``.

    When key and position fit in 63 bits together they are packed into one int64 and sorted
    by value (much faster than an argsort); otherwise a stable argsort.
    """
    m = int(keys.shape[0])
    row_bits = max((m - 1).bit_length(), 1)
    if max((bound - 1).bit_length(), 1) + row_bits > 63:
        return np.argsort(keys, kind="stable")
    packed = (keys.astype(np.int64) << np.int64(row_bits)) | np.arange(m, dtype=np.int64)
    packed.sort()
    return np.asarray(packed & np.int64((1 << row_bits) - 1), dtype=np.int64)


def pair_order(major: Index, minor: Index, n: int) -> Index:
    """Stable argsort by (major, minor), both node indices below ``n``."""
    m = int(major.shape[0])
    if 2 * max((n - 1).bit_length(), 1) + max((m - 1).bit_length(), 1) <= 63:
        return sort_order(major.astype(np.int64) * np.int64(n) + minor, n * n)
    first = sort_order(minor, n)
    return first[sort_order(major[first], n)]


def group_starts(sorted_keys: Index) -> Index:
    """Positions where a new value starts in a sorted array."""
    change = np.ones(sorted_keys.shape[0], dtype=np.bool_)
    change[1:] = sorted_keys[1:] != sorted_keys[:-1]
    return np.flatnonzero(change)


def csr_ptr(sorted_rows: Index, n: int) -> Index:
    """Row pointers of length n + 1 for edges sorted by row."""
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(sorted_rows, minlength=n), out=ptr[1:])
    return ptr


def gather(ptr: Index, rows: Index) -> tuple[Index, Index]:
    """(edge positions, frontier row of each) of all CSR edges of ``rows``."""
    first = ptr[rows]
    counts = ptr[rows + 1] - first
    total = int(counts.sum())
    rep = np.repeat(np.arange(rows.shape[0], dtype=np.int64), counts)
    shift = np.repeat(first - (np.cumsum(counts) - counts), counts)
    return shift + np.arange(total, dtype=np.int64), rep


def to_units(pct: FloatArray) -> Index:
    """Percentages as integer share units (rounded once to ``SHARE_DECIMALS`` decimals)."""
    return np.asarray(np.rint(np.asarray(pct, dtype=np.float64) * UNITS), dtype=np.int64)


def meets_units(units: Index, params: RegimeParams) -> BoolArray:
    """The threshold test on exact integer sums; a zero holding never meets."""
    limit = np.int64(round(params.threshold * UNITS))
    passed = units >= limit if params.inclusive else units > limit
    return np.asarray(passed & (units > 0), dtype=np.bool_)


@dataclass(frozen=True)
class Holdings:
    """One row per (owner, asset) pair, sorted owner-major: ``ptr`` is the CSR by owner.

    low/high: share bounds in units, the largest of parallel reports (zeros kept: they never
    meet and add nothing)."""

    n: int
    ptr: Index
    owner: Index
    asset: Index
    low: Index
    high: Index

    @classmethod
    def of(cls, g: Graph) -> Holdings:
        """The ownership edges of ``g``, own-share holdings dropped, parallel ones combined."""
        own = g.ownership
        keep = np.flatnonzero(own.src != own.dst)
        src, dst = own.src[keep].astype(NODE), own.dst[keep].astype(NODE)
        low = to_units(np.asarray(own.attrs["low"][keep], dtype=np.float64))
        high = to_units(np.asarray(own.attrs["high"][keep], dtype=np.float64))
        order = pair_order(src, dst, g.n)
        src, dst = src[order], dst[order]
        if not order.size:
            return cls(g.n, csr_ptr(src, g.n), src, dst, low, high)
        starts = group_starts(src.astype(np.int64) * np.int64(g.n) + dst)
        return cls(g.n, csr_ptr(src[starts], g.n), src[starts], dst[starts],
                   np.maximum.reduceat(low[order], starts),
                   np.maximum.reduceat(high[order], starts))

    def units(self, bound: str) -> Index:
        """Share units of bound 'low' or 'high'."""
        return self.low if bound == "low" else self.high


@dataclass(frozen=True)
class Links:
    """Control edges sorted by controller (``ptr``: CSR), with their kind codes."""

    ptr: Index
    controller: Index
    controlled: Index
    kind: Index

    @classmethod
    def of(cls, g: Graph) -> Links:
        """The control edges of ``g``."""
        ctl = g.control
        order = sort_order(ctl.src, max(g.n, 1))
        src = ctl.src[order].astype(NODE)
        return cls(csr_ptr(src, g.n), src, ctl.dst[order].astype(NODE),
                   ctl.attrs["kind"][order].astype(np.int64))

    def counted(self, kinds: tuple[ControlKind, ...]) -> BoolArray:
        """Per edge: its kind blocks (a joint arrangement never does by itself)."""
        codes = [CONTROL_KINDS.index(k) for k in kinds if k != "joint_arrangement"]
        return np.asarray(np.isin(self.kind, np.asarray(codes, dtype=np.int64)), dtype=np.bool_)


@dataclass(frozen=True)
class Kernel:
    """The Graph's edge indexes, built once for all regimes and bounds."""

    n: int
    holdings: Holdings
    links: Links

    @classmethod
    def of(cls, g: Graph) -> Kernel:
        """Index ``g`` (one sort of the ownership and one of the control edges)."""
        return cls(g.n, Holdings.of(g), Links.of(g))

    def controlled_by(self, frontier: Index, counted: BoolArray) -> Index:
        """Entities a frontier node controls by a counted kind (with repeats)."""
        pos, _ = gather(self.links.ptr, frontier)
        return self.links.controlled[pos[counted[pos]]]


def closure(k: Kernel, seed: BoolArray, units: Index | None, params: RegimeParams,
            counted: BoolArray | None, single: bool = False) -> tuple[BoolArray, Index]:
    """Least superset of ``seed`` (one holder: everything in it counts together).

    An entity joins when the members' holdings in it (``units``) add up to meet the
    threshold (``single``: when one member's holding meets it alone), or when a member
    controls it by a ``counted`` kind. Returns (members, units held by members per entity).
    """
    member, held = seed.copy(), np.zeros(k.n, dtype=np.int64)
    frontier = np.flatnonzero(seed).astype(NODE)
    h = k.holdings
    while frontier.size:
        found = [np.zeros(0, dtype=NODE)]
        if units is not None:
            pos, _ = gather(h.ptr, frontier)
            assets, value = h.asset[pos], units[pos]
            if not single:
                np.add.at(held, assets, value)
                value = held[assets]
            found.append(assets[meets_units(value, params)])
        if counted is not None:
            found.append(k.controlled_by(frontier, counted))
        joining = np.concatenate(found)
        frontier = np.unique(joining[~member[joining]])
        member[frontier] = True
    return member, held


@dataclass(frozen=True)
class Csr:
    """Edges grouped by source: edges of v are ``ptr[v]:ptr[v + 1]``, to ``dst``."""

    ptr: Index
    dst: Index


def _sum_by_key(keys: Index, values: Index, bound: int) -> tuple[Index, Index]:
    order = sort_order(keys, bound)
    keys = keys[order]
    starts = group_starts(keys)
    return keys[starts], np.add.reduceat(values[order], starts)


def group_closure(n: int, seed: Index, groups: int, shares: Csr, units: Index,
                  params: RegimeParams, links: Csr | None = None) -> Index:
    """Least set of pair keys ``group * n + entity`` containing ``seed`` where an entity
    joins a group when the group's members together hold ``units`` in it meeting the
    threshold, or a member has a ``links`` edge to it (the per-person S_G, all groups at
    once). Sorted member keys."""
    n = max(n, 1)
    members, held = _Table(), _Table()
    frontier = np.unique(seed)
    while frontier.size:
        members.add(frontier, np.zeros(frontier.size, dtype=np.int64))
        group, node = frontier // n, (frontier % n).astype(NODE)
        pos, rep = gather(shares.ptr, node)
        found = [np.zeros(0, dtype=np.int64)]
        if pos.size:
            keys, sums = _sum_by_key(group[rep] * np.int64(n) + shares.dst[pos], units[pos],
                                     max(groups, 1) * n)
            held.add(keys, sums)
            found.append(keys[meets_units(held.get(keys), params)])
        if links is not None:
            pos, rep = gather(links.ptr, node)
            found.append(group[rep] * np.int64(n) + links.dst[pos])
        joining = np.unique(np.concatenate(found))
        frontier = joining[~members.has(joining)]
    return members.keys()


_GROWTH = 8  # _Table: run length ratio


class _Table:
    """Unique int64 keys with int64 values, kept as a few sorted runs (log-structured): each
    run is more than ``_GROWTH`` times longer than the next, so adding f keys costs a lookup
    per run plus amortised merging, not a copy of every key (deep chains stay fast)."""

    def __init__(self) -> None:
        self.runs: list[tuple[Index, Index]] = []

    def _where(self, keys: Index) -> list[tuple[BoolArray, Index]]:
        out = []
        for run, _ in self.runs:
            pos = np.minimum(np.searchsorted(run, keys), run.size - 1)
            out.append((np.asarray(run[pos] == keys, dtype=np.bool_), pos))
        return out

    def get(self, keys: Index) -> Index:
        """Values at ``keys`` (0 where absent)."""
        out = np.zeros(keys.shape, dtype=np.int64)
        for (found, pos), (_, values) in zip(self._where(keys), self.runs, strict=True):
            out[found] = values[pos[found]]
        return out

    def has(self, keys: Index) -> BoolArray:
        """Which ``keys`` are present."""
        out = np.zeros(keys.shape, dtype=np.bool_)
        for found, _ in self._where(keys):
            out |= found
        return out

    def add(self, keys: Index, values: Index) -> None:
        """Add ``values`` at sorted unique ``keys``, inserting the absent ones."""
        fresh = np.ones(keys.shape, dtype=np.bool_)
        for (found, pos), (_, run_values) in zip(self._where(keys), self.runs, strict=True):
            run_values[pos[found]] += values[found]
            fresh &= ~found
        if fresh.any():
            self.runs.append((keys[fresh], values[fresh].astype(np.int64)))
        while len(self.runs) > 1 and self.runs[-2][0].size <= _GROWTH * self.runs[-1][0].size:
            (k1, v1), (k2, v2) = self.runs.pop(), self.runs.pop()
            merged_keys = np.concatenate((k2, k1))
            order = np.argsort(merged_keys, kind="stable")
            self.runs.append((merged_keys[order], np.concatenate((v2, v1))[order]))

    def keys(self) -> Index:
        """All keys, sorted."""
        return np.sort(np.concatenate([np.zeros(0, dtype=np.int64),
                                       *(k for k, _ in self.runs)]))
