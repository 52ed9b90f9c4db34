"""Best exposure paths of one entity, by a bounded local search.

1. ``local_reach``: from x, follow exposure edges backwards (x <- v <- ...) up to
   ``max_depth`` hops, keeping only walks whose strength so far can still reach
   ``min_strength``, and never passing through a seed. Every node of a path that counts for x
   lies in this neighbourhood, because strengths only shrink along a path.
2. The whole-graph propagation runs on that neighbourhood alone; its strengths are therefore
   bit-for-bit those of ``score_all``.
3. The path shown for each seed: higher strength, then fewer hops, then the lexicographically
   smaller sequence of entity ids (x first). A label search from the seeds towards x over
   simple paths, with the same float operations as (2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from riskengine.exposure.propagate import Adjacency, adjacency, propagate
from riskengine.exposure.weights import ExposureEdges, Seeds
from riskengine.graph import FloatArray, IntArray

_SLACK = 1.0 - 1e-9  # x-side strengths are multiplied in another order: keep a margin
_TIE = 1e-9  # strengths this close (relative) are equal: products of the same factors in
# another order differ in the last bits, and the shorter or smaller path should win the tie


@dataclass(frozen=True)
class Search:
    """One regime's exposure edges and parameters, indexed for local searches."""

    edges: ExposureEdges
    seeds: Seeds
    passes: FloatArray
    max_depth: int
    min_strength: float
    by_target: Adjacency

    @classmethod
    def build(cls, edges: ExposureEdges, seeds: Seeds, passes: FloatArray, max_depth: int,
              min_strength: float) -> Search:
        """Index ``edges`` by target for searches over one graph of ``len(passes)`` nodes."""
        by_target = adjacency(edges.target, int(passes.shape[0]))
        return cls(edges, seeds, passes, max_depth, min_strength, by_target)

    @property
    def n(self) -> int:
        return int(self.passes.shape[0])

    def sources(self, u: int, carry: float) -> list[tuple[int, float]]:
        """Sources v of the edges u <- v, each with ``carry * weight``."""
        idx = self.by_target.order[self.by_target.indptr[u]:self.by_target.indptr[u + 1]]
        pairs = zip(self.edges.source[idx].tolist(), self.edges.weight[idx].tolist(),
                    strict=True)
        return [(v, carry * w) for v, w in pairs]


@dataclass(frozen=True)
class BestPath:
    """The path shown for (x, seed): ``nodes[j] <- nodes[j + 1]`` along ``edges[j]``
    (exposure edge indices); x first, the seed last. ``strength`` is s(x, seed).
    ``nodes`` and ``edges`` are empty in the (theoretical) case no simple path was found."""

    seed: int
    strength: float
    nodes: tuple[int, ...]
    edges: tuple[int, ...]


def local_reach(search: Search, x: int) -> dict[int, int]:
    """Nodes within reach of x, each with the fewest hops it was reached in (x: 0)."""
    floor = search.min_strength * _SLACK
    best: dict[int, float] = {x: 1.0}
    hops: dict[int, int] = {x: 0}
    front: dict[int, float] = {x: 1.0}
    for step in range(search.max_depth):
        nxt: dict[int, float] = {}
        for u, value in front.items():
            carry = value if step == 0 else value * float(search.passes[u])
            for v, s in search.sources(u, carry):
                if s > 0 and s >= floor and s > best.get(v, -1.0) and s > nxt.get(v, -1.0):
                    nxt[v] = s
        best.update(nxt)
        for v in nxt:
            hops.setdefault(v, step + 1)
        front = {v: s for v, s in nxt.items() if not search.seeds.mask[v]}
    return hops


@dataclass(frozen=True)
class _Local:
    """The neighbourhood of x as a graph of its own; ``nodes`` maps local to global index."""

    nodes: IntArray
    edges: ExposureEdges  # local indices; ``row`` stays the global exposure edge index
    seeds: Seeds
    passes: FloatArray
    hops: IntArray  # fewest hops from x, per local node

    def strengths(self, search: Search, x: int) -> dict[int, float]:
        """s(x, seed) for every seed, by the whole-graph propagation (global indices)."""
        reach = propagate(self.edges, len(self.nodes), self.seeds, self.passes,
                          search.max_depth, search.min_strength)
        mine = reach.node == x
        return dict(zip(self.nodes[reach.seed[mine]].tolist(), reach.strength[mine].tolist(),
                        strict=True))


def _local(search: Search, hops: dict[int, int]) -> _Local:
    nodes = np.asarray(sorted(hops), dtype=np.int64)
    local = np.full(search.n, -1, dtype=np.int64)
    local[nodes] = np.arange(nodes.shape[0], dtype=np.int64)
    e = search.edges
    keep = np.flatnonzero((local[e.target] >= 0) & (local[e.source] >= 0))
    edges = ExposureEdges(local[e.target[keep]], local[e.source[keep]], e.weight[keep],
                          e.role[keep], keep.astype(np.int64))
    seeds = Seeds(search.seeds.mask[nodes], search.seeds.strength[nodes])
    far = np.asarray([hops[v] for v in nodes.tolist()], dtype=np.int64)
    return _Local(nodes, edges, seeds, search.passes[nodes], far)


@dataclass(frozen=True)
class _Label:
    strength: float
    nodes: tuple[int, ...]  # local indices, from the label's node to its seed
    ids: tuple[str, ...]
    edges: tuple[int, ...]  # global exposure edge indices

    def stronger(self, other: _Label) -> bool:
        """Stronger beyond rounding noise."""
        return self.strength > other.strength * (1.0 + _TIE)

    def beats(self, other: _Label) -> bool:
        """Stronger, or as strong with a smaller id sequence (same number of hops)."""
        if self.stronger(other) or other.stronger(self):
            return self.stronger(other)
        return self.ids < other.ids


class _LabelSearch:
    """Best simple path from each wanted seed to x (local indices), hop by hop."""

    def __init__(self, loc: _Local, ids: tuple[str, ...], search: Search) -> None:
        self.loc, self.search = loc, search
        self.ids = [ids[v] for v in loc.nodes.tolist()]
        self.out: dict[int, list[tuple[int, float, int]]] = {}
        for t, s, w, e in zip(loc.edges.target.tolist(), loc.edges.source.tolist(),
                              loc.edges.weight.tolist(), loc.edges.row.tolist(), strict=True):
            self.out.setdefault(s, []).append((t, w, e))

    def run(self, x: int, wanted: list[int]) -> dict[int, _Label]:
        """For each wanted seed (local index), the best label arriving at x."""
        level = {(b, b): _Label(float(self.loc.seeds.strength[b]), (b,), (self.ids[b],), ())
                 for b in wanted}
        found: dict[int, _Label] = {}
        for hop in range(1, self.search.max_depth + 1):
            level = self._step(level, hop)
            for (u, b), label in level.items():
                if u == x and (b not in found or label.stronger(found[b])):
                    found[b] = label
            level = {k: lab for k, lab in level.items() if k[0] != x}
        return found

    def _step(self, level: dict[tuple[int, int], _Label], hop: int) -> dict[tuple[int, int],
                                                                            _Label]:
        nxt: dict[tuple[int, int], _Label] = {}
        budget = self.search.max_depth - hop
        for (v, b), lab in level.items():
            if hop > 1 and self.loc.seeds.mask[v]:
                continue
            carry = lab.strength if hop == 1 else lab.strength * float(self.loc.passes[v])
            for u, w, e in self.out.get(v, []):
                s = carry * w
                if u in lab.nodes or self.loc.hops[u] > budget or s <= 0:
                    continue
                if s < self.search.min_strength:
                    continue
                cand = _Label(s, (u, *lab.nodes), (self.ids[u], *lab.ids), (e, *lab.edges))
                if (u, b) not in nxt or cand.beats(nxt[(u, b)]):
                    nxt[(u, b)] = cand
        return nxt


def best_paths(search: Search, ids: tuple[str, ...], x: int) -> list[BestPath]:
    """For every seed b with s(x, b) > 0: its strength and the path to show, sorted by seed."""
    loc = _local(search, local_reach(search, x))
    local_x = int(np.searchsorted(loc.nodes, x))
    strengths = {b: s for b, s in loc.strengths(search, local_x).items() if s > 0}
    local_of = {int(v): i for i, v in enumerate(loc.nodes.tolist())}
    labels = _LabelSearch(loc, ids, search).run(local_x, [local_of[b] for b in strengths])
    paths = []
    for b in sorted(strengths):
        lab = labels.get(local_of[b])
        nodes = tuple(int(loc.nodes[v]) for v in lab.nodes) if lab else ()
        paths.append(BestPath(b, strengths[b], nodes, lab.edges if lab else ()))
    return paths
