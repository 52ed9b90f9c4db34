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

All factors are at most 1, so the best walk of at most ``max_depth`` hops is never beaten by
a walk that repeats a node: the maximum over walks equals the maximum over simple paths.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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
    order = np.argsort(by, kind="stable").astype(np.int64)
    counts = np.bincount(by, minlength=n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return Adjacency(indptr, order)


def group_max(n: int, key: IntArray, strength: FloatArray) -> Reach:
    """The strongest row per key, sorted by key (sort + maximum.reduceat)."""
    if key.shape[0] == 0:
        return Reach(n, key, strength)
    order = np.argsort(key)
    k = key[order]
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    return Reach(n, k[starts], np.maximum.reduceat(strength[order], starts))


def improving(cand: Reach, best: Reach) -> Reach:
    """Rows of ``cand`` stronger than the running best for their (node, seed)."""
    pos = np.searchsorted(best.key, cand.key)
    hit = pos < len(best)
    hit[hit] = best.key[pos[hit]] == cand.key[hit]
    old = np.full(len(cand), -np.inf)
    old[hit] = best.strength[pos[hit]]
    return cand.where(cand.strength > old)


def extend(front: Reach, carry: FloatArray, adj: Adjacency, edges: ExposureEdges) -> Reach:
    """Every frontier row pushed along every out-edge of its node: (target, seed, carry * w)."""
    node = front.node
    first = adj.indptr[node]
    counts = adj.indptr[node + 1] - first
    rep = np.repeat(np.arange(len(front), dtype=np.int64), counts)
    offset = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(
        np.cumsum(counts) - counts, counts)
    edge = adj.order[np.repeat(first, counts) + offset]
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


def _keep(cand: Reach, min_strength: float, toward: Toward | None, hops_left: int) -> Reach:
    """Drop weak rows, rows back on their own seed and rows that cannot reach x in time."""
    node = cand.node
    ok = (cand.strength >= min_strength) & (cand.strength > 0) & (node != cand.seed)
    if toward is not None:
        ok &= toward.hops[node] <= hops_left
        ok &= cand.strength * toward.bound[node] >= min_strength * _SLACK
    return cand.where(ok)


def propagate(edges: ExposureEdges, n: int, seeds: Seeds, passes: FloatArray,
              max_depth: int, min_strength: float, toward: Toward | None = None) -> Reach:
    """Best strength s(x, b) over paths of at most ``max_depth`` hops from each seed b to each
    other entity x; pairs below ``min_strength`` are dropped. No loop over nodes or edges.
    With ``toward``, only s(x, b) of that one x is guaranteed (other pairs may be missing)."""
    adj = adjacency(edges.source, n)
    start = np.flatnonzero(seeds.mask).astype(np.int64)
    front = Reach(n, start * np.int64(max(n, 1)) + start, seeds.strength[start])
    best = Reach(n, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))
    for step in range(max_depth):
        carry = front.strength if step == 0 else front.strength * passes[front.node]
        cand = _keep(extend(front, carry, adj, edges), min_strength, toward,
                     max_depth - step - 1)
        cand = improving(group_max(n, cand.key, cand.strength), best)
        best = group_max(n, np.concatenate([best.key, cand.key]),
                         np.concatenate([best.strength, cand.strength]))
        front = cand.where(~seeds.mask[cand.node])
        if len(front) == 0:
            break
    return best
