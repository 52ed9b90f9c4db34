"""Whole-graph exposure propagation of one regime, arrays only.

Exposure spreads from the seeds (blocked or possibly blocked parties) along exposure edges
``target <- source``, one hop per step, as a sparse frontier of (node, seed, strength) rows.
Each step joins the frontier with the out-edges of its nodes (CSR by source), keeps the
strongest row per (node, seed), drops rows below ``min_strength`` and keeps only rows that
beat the running best (a row no stronger than one recorded earlier, in no more hops, cannot
lead anywhere that one does not). Rows sitting on a seed are recorded but never extended: a
path stops at the first blocked party.

Strength of a path ``x = v0 <- v1 <- ... <- vk = b`` is evaluated from the seed outwards as
``((seed(b) * w(v(k-1) <- b)) * pass(v(k-1))) * w(v(k-2) <- v(k-1)) ...`` with
``pass(v) = decay * damping(v)``. The single-entity search (``paths``) repeats the same
sequence of float operations, so a single path and the whole graph give identical bits.

The whole-graph run (``spread``) keys rows by ``node * S + seed rank`` (S seeds) so that a
step's strongest-row selection is one packed integer sort; each step keeps only the rows
that beat the best of the earlier steps, and the steps are merged once at the end.
``spread_cents`` (the whole-graph score) needs no merge: a row kept at a step is stronger
than any earlier row of its key, so adding its cents and taking away those of the row it
beats leaves, per key, exactly the cents of its strongest row (integer arithmetic).

All factors are at most 1, so the best walk of at most ``max_depth`` hops is never beaten by
a walk that repeats a node: the maximum over walks equals the maximum over simple paths.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from riskengine.derive.kernel import Index, gather, group_starts, sort_order
from riskengine.exposure.weights import ExposureEdges, Seeds
from riskengine.graph import BoolArray, FloatArray, IntArray


@dataclass(frozen=True)
class Reach:
    """Best path strength s(node, seed) for every pair kept, sorted by ``node * n + seed``."""

    n: int
    key: IntArray
    strength: FloatArray

    @property
    def node(self) -> IntArray:
        return self.key // max(self.n, 1)

    @property
    def seed(self) -> IntArray:
        return self.key % max(self.n, 1)

    def __len__(self) -> int:
        return int(self.key.shape[0])

    def where(self, mask: BoolArray) -> Reach:
        """The rows selected by ``mask``."""
        return Reach(self.n, self.key[mask], self.strength[mask])


@dataclass(frozen=True)
class Adjacency:
    """CSR over one end of the edges: edges of node v are ``order[indptr[v]:indptr[v + 1]]``."""

    indptr: IntArray
    order: IntArray


def adjacency(by: IntArray, n: int) -> Adjacency:
    """CSR index of edges grouped by the node array ``by`` (source or target)."""
    order = sort_order(by, max(n, 1))
    counts = np.bincount(by, minlength=n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return Adjacency(indptr, order)


def _strongest(bound: int, key: IntArray, strength: FloatArray) -> tuple[IntArray, FloatArray]:
    """The strongest row per key, sorted by key."""
    if key.shape[0] == 0:
        return key, strength
    order = sort_order(key, bound)
    k = key[order]
    starts = group_starts(k)
    return k[starts], np.maximum.reduceat(strength[order], starts)


def group_max(n: int, key: IntArray, strength: FloatArray) -> Reach:
    """The strongest row per key, sorted by key (sort + maximum.reduceat)."""
    return Reach(n, *_strongest(max(n, 1) ** 2, key, strength))


def extend(front: Reach, carry: FloatArray, adj: Adjacency, edges: ExposureEdges) -> Reach:
    """Every frontier row pushed along every out-edge of its node: (target, seed, carry * w)."""
    pos, rep = gather(adj.indptr, front.node)
    edge = adj.order[pos]
    key = edges.target[edge] * np.int64(max(front.n, 1)) + front.seed[rep]
    return Reach(front.n, key, carry[rep] * edges.weight[edge])


@dataclass(frozen=True)
class Toward:
    """Limits a propagation to the rows that can still reach one entity x (local search).

    hops: fewest hops from x to each node (x: 0). bound: the most a row on the node can be
    multiplied by on its way on to x (x: 1; other seeds: 0, they pass nothing on).
    """

    hops: IntArray
    bound: FloatArray


_SLACK = 1.0 - 1e-9  # bounds are products in another order: keep a margin


@dataclass(frozen=True)
class Out:
    """Exposure edges grouped by source: edges of v are ``ptr[v]:ptr[v + 1]``."""

    ptr: IntArray
    target: Index
    weight: FloatArray


def _found(steps: list[tuple[IntArray, FloatArray]], key: IntArray) -> FloatArray:
    """Best strength recorded for each (sorted) key by the earlier steps (-inf: none)."""
    old = np.full(key.shape[0], -np.inf)
    for known, strength in steps:
        pos = np.minimum(np.searchsorted(known, key), max(known.shape[0] - 1, 0))
        hit = known[pos] == key if known.shape[0] else np.zeros(key.shape[0], dtype=np.bool_)
        old[hit] = np.maximum(old[hit], strength[pos[hit]])
    return old


def spread(out: Out, n: int, seeds: Seeds, passes: FloatArray, max_depth: int,
           min_strength: float, toward: Toward | None = None,
           stop: BoolArray | None = None) -> Reach:
    """``propagate`` on edges already grouped by source (see there). ``stop``: where paths
    end when it is more than the seeds (exposure from some seeds at a time, all of them
    still stopping paths); default the seeds."""
    stop = seeds.mask if stop is None else stop
    seed_of = np.flatnonzero(seeds.mask).astype(np.int64)
    size = max(int(seed_of.shape[0]), 1)
    node, rank = seed_of.astype(np.int32), np.arange(seed_of.shape[0], dtype=np.int64)
    strength = seeds.strength[seed_of]
    steps: list[tuple[IntArray, FloatArray]] = []
    for step in range(max_depth):
        carry = strength if step == 0 else strength * passes[node]
        pos, rep = gather(out.ptr, node)
        target, rank, value = out.target[pos], rank[rep], carry[rep] * out.weight[pos]
        ok = (value >= min_strength) & (value > 0) & (target != seed_of[rank])
        if toward is not None:
            ok &= toward.hops[target] <= max_depth - step - 1
            ok &= value * toward.bound[target] >= min_strength * _SLACK
        key, value = _strongest(n * size, target[ok] * np.int64(size) + rank[ok], value[ok])
        better = value > _found(steps, key)
        key, value = key[better], value[better]
        steps.append((key, value))
        node, rank = (key // size).astype(np.int32), key % size
        moving = ~stop[node]
        node, rank, strength = node[moving], rank[moving], value[moving]
        if node.shape[0] == 0:
            break
    key, value = _strongest(n * size, np.concatenate([np.zeros(0, dtype=np.int64),
                                                      *(k for k, _ in steps)]),
                            np.concatenate([np.zeros(0), *(v for _, v in steps)]))
    return Reach(n, (key // size) * np.int64(max(n, 1)) + seed_of[key % size], value)


Cents = Callable[[FloatArray], IntArray]


def spread_cents(out: Out, seeds: tuple[IntArray, FloatArray], passes: FloatArray,
                 limits: tuple[int, float], stop: BoolArray, cents: Cents,
                 total: IntArray) -> None:
    """Add to ``total`` (per entity) the sum over the seeds of ``cents(s(x, b))`` (``s`` as
    in ``spread``; ``seeds``: (entity of each seed, its strength); ``limits``: (max_depth,
    min_strength); ``stop``: where paths end). ``spread`` and a sum per
    node, without the merge of the steps and without a pass over every entity (a call per
    few seeds of millions must cost its rows only)."""
    max_depth, min_strength = limits
    seed_of, strength = seeds
    size = max(int(seed_of.shape[0]), 1)
    node, rank = seed_of.astype(np.int32), np.arange(seed_of.shape[0], dtype=np.int64)
    steps: list[tuple[IntArray, FloatArray]] = []
    for step in range(max_depth):
        carry = strength if step == 0 else strength * passes[node]
        key, value = _step(out, (node, rank, carry), seed_of, size, min_strength)
        old = _found(steps, key)
        better = value > old
        key, value, old = key[better], value[better], old[better]
        at = key // size
        np.add.at(total, at, cents(value))
        beaten = np.flatnonzero(old > -np.inf)  # few: rows of a key an earlier step had
        np.subtract.at(total, at[beaten], cents(old[beaten]))
        if step == max_depth - 1:
            break
        steps.append((key, value))
        moving = ~stop[at]
        node, rank, strength = at[moving].astype(np.int32), key[moving] % size, value[moving]
        if node.shape[0] == 0:
            break


def _step(out: Out, front: tuple[Index, IntArray, FloatArray], seed_of: IntArray,
          size: int, min_strength: float) -> tuple[IntArray, FloatArray]:
    """One hop of ``spread_cents``: the strongest row per key of the frontier pushed along
    its out-edges, rows below ``min_strength`` and rows back on their own seed dropped."""
    node, rank, carry = front
    pos, rep = gather(out.ptr, node)
    value = carry[rep] * out.weight[pos]
    keep = np.flatnonzero((value >= min_strength) & (value > 0))
    pos, rep, value = pos[keep], rep[keep], value[keep]
    target, rank = out.target[pos], rank[rep]
    ok = target != seed_of[rank]
    key = target[ok].astype(np.int64) * np.int64(size) + rank[ok]
    return _strongest(int(out.ptr.shape[0] - 1) * size, key, value[ok])


def propagate(edges: ExposureEdges, n: int, seeds: Seeds, passes: FloatArray,
              max_depth: int, min_strength: float, toward: Toward | None = None) -> Reach:
    """Best strength s(x, b) over paths of at most ``max_depth`` hops from each seed b to each
    other entity x; pairs below ``min_strength`` are dropped. No loop over nodes or edges.
    With ``toward``, only s(x, b) of that one x is guaranteed (other pairs may be missing)."""
    adj = adjacency(edges.source, n)
    out = Out(adj.indptr, edges.target[adj.order], edges.weight[adj.order])
    return spread(out, n, seeds, passes, max_depth, min_strength, toward)
