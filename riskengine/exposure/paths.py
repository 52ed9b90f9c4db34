"""Best exposure paths of one entity, by a bounded local search.

1. ``local_reach``: from x, follow exposure edges backwards (x <- v <- ...) up to
   ``max_depth`` hops, keeping only walks whose strength so far can still reach
   ``min_strength`` and never passing through a seed. Every node of a path that counts for x
   lies in this neighbourhood, because strengths only shrink along a path.
2. The whole-graph propagation runs on that neighbourhood alone, keeping only rows that can
   still reach x; its strengths s(x, b) are therefore bit-for-bit those of ``score_all``.
3. The path shown for each seed: higher strength, then fewer hops, then the lexicographically
   smaller sequence of entity ids (x first). A label search from the seeds towards x over
   simple paths, with the same float operations as (2), dropping labels that cannot come
   near s(x, b) any more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from riskengine.derive.kernel import gather, group_starts
from riskengine.exposure.propagate import (
    Adjacency,
    Reach,
    Toward,
    adjacency,
    extend,
    group_max,
    propagate,
)
from riskengine.exposure.weights import ExposureEdges, Seeds
from riskengine.graph import BoolArray, FloatArray, IntArray

_SLACK = 1.0 - 1e-9  # x-side strengths are multiplied in another order: keep a margin
_BOUND = 1.0 - 1e-6  # a label is kept while its best completion reaches this share of s(x, b)
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
    backwards: ExposureEdges  # the edges reversed: source <- target
    by_target: Adjacency

    @classmethod
    def build(cls, edges: ExposureEdges, seeds: Seeds, passes: FloatArray, max_depth: int,
              min_strength: float) -> Search:
        """Index ``edges`` by target for searches over one graph of ``len(passes)`` nodes."""
        back = ExposureEdges(edges.source, edges.target, edges.weight, edges.role, edges.row)
        by_target = adjacency(edges.target, int(passes.shape[0]))
        return cls(edges, seeds, passes, max_depth, min_strength, back, by_target)

    @property
    def n(self) -> int:
        return int(self.passes.shape[0])


@dataclass(frozen=True)
class BestPath:
    """The path shown for (x, seed): ``nodes[j] <- nodes[j + 1]`` along ``edges[j]``
    (exposure edge indices); x first, the seed last. ``strength`` is s(x, seed).
    ``nodes`` and ``edges`` are empty in the (theoretical) case no simple path was found."""

    seed: int
    strength: float
    nodes: tuple[int, ...]
    edges: tuple[int, ...]


@dataclass(frozen=True)
class Reached:
    """Results of ``local_reach`` on the nodes it reached (``nodes`` sorted, x among them):
    fewest hops from x and the best strength of the walks from x to the node, before its own
    pass factor. Sparse: the cost of a search is its neighbourhood, not the graph."""

    nodes: IntArray
    hops: IntArray
    prefix: FloatArray


def _find(nodes: IntArray, query: IntArray) -> tuple[IntArray, BoolArray]:
    """Position of each ``query`` node in the sorted ``nodes``, and whether it is there."""
    pos = np.searchsorted(nodes, query)
    if nodes.shape[0] == 0:
        return pos, np.zeros(query.shape[0], dtype=np.bool_)
    at = np.minimum(pos, nodes.shape[0] - 1)
    return at, nodes[at] == query


def _merged(known: Reached, node: IntArray, strength: FloatArray, hops: int) -> Reached:
    """``known`` with ``node`` reached at ``strength`` (stronger than known) in ``hops``:
    a node's prefix is its strongest, its hops its fewest."""
    nodes = np.concatenate((known.nodes, node))
    order = np.argsort(nodes, kind="stable")
    nodes = nodes[order]
    starts = group_starts(nodes)
    prefix = np.concatenate((known.prefix, strength))[order]
    steps = np.concatenate((known.hops, np.full(node.shape[0], hops, dtype=np.int64)))[order]
    return Reached(nodes[starts], np.minimum.reduceat(steps, starts),
                   np.maximum.reduceat(prefix, starts))


def local_reach(search: Search, x: int) -> Reached:
    """The neighbourhood of x, hop by hop, as arrays (no loop over nodes or edges)."""
    n = search.n
    known = Reached(np.asarray([x], dtype=np.int64), np.zeros(1, dtype=np.int64), np.ones(1))
    front = Reach(n, np.asarray([x * max(n, 1) + x], dtype=np.int64), np.ones(1))
    for step in range(search.max_depth):
        carry = front.strength if step == 0 else front.strength * search.passes[front.node]
        cand = extend(front, carry, search.by_target, search.backwards)
        cand = cand.where((cand.strength > 0)
                          & (cand.strength >= search.min_strength * _SLACK))
        cand = group_max(n, cand.key, cand.strength)
        at, hit = _find(known.nodes, cand.node)
        cand = cand.where(cand.strength > np.where(hit, known.prefix[at], 0.0))
        node = cand.node
        known = _merged(known, node, cand.strength, step + 1)
        front = cand.where(~search.seeds.mask[node])
        if len(front) == 0:
            break
    return known


@dataclass(frozen=True)
class _Local:
    """The neighbourhood of x as a graph of its own; ``nodes`` maps local to global index."""

    nodes: IntArray
    x: int  # local index of x
    edges: ExposureEdges  # local indices; ``row`` stays the global exposure edge index
    seeds: Seeds
    passes: FloatArray
    toward: Toward

    def strengths(self, search: Search) -> dict[int, float]:
        """s(x, b) > 0 for every seed b, by the whole-graph propagation (local indices)."""
        reach = propagate(self.edges, len(self.nodes), self.seeds, self.passes,
                          search.max_depth, search.min_strength, self.toward)
        mine = (reach.node == self.x) & (reach.strength > 0)
        return dict(zip(reach.seed[mine].tolist(), reach.strength[mine].tolist(), strict=True))


def _toward(search: Search, reached: Reached, x: int) -> Toward:
    bound = search.passes[reached.nodes] * reached.prefix
    bound[search.seeds.mask[reached.nodes]] = 0.0
    bound[x] = 1.0
    return Toward(reached.hops, bound)


def _inner_edges(search: Search, nodes: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """The exposure edges with both ends among the sorted ``nodes``, in edge order, found
    through the index by target (the nodes' in-edges, never a scan of every edge): (edge,
    local target, local source)."""
    pos, _ = gather(search.by_target.indptr, nodes)
    edge = np.sort(search.by_target.order[pos])
    source, inside = _find(nodes, search.edges.source[edge])
    edge = edge[inside]
    target, _ = _find(nodes, search.edges.target[edge])
    return edge.astype(np.int64), target.astype(np.int64), source[inside].astype(np.int64)


def _local(search: Search, reached: Reached, x: int) -> _Local:
    nodes = reached.nodes
    keep, target, source = _inner_edges(search, nodes)
    e = search.edges
    edges = ExposureEdges(target, source, e.weight[keep], e.role[keep], keep)
    seeds = Seeds(search.seeds.mask[nodes], search.seeds.strength[nodes])
    lx = int(_find(nodes, np.asarray([x], dtype=np.int64))[0][0])
    return _Local(nodes, lx, edges, seeds, search.passes[nodes], _toward(search, reached, lx))


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
    """Best simple path from each wanted seed to x (local indices), hop by hop. A label is
    dropped as soon as even the best way on to x cannot come near the seed's known s(x, b)."""

    def __init__(self, loc: _Local, ids: Sequence[str], search: Search) -> None:
        self.loc, self.search, self.x = loc, search, loc.x
        self.ids = ids
        self.nodes: list[int] = loc.nodes.tolist()  # global index of each local node
        self.is_seed: list[bool] = loc.seeds.mask.tolist()
        self.passes: list[float] = loc.passes.tolist()
        self.hops: list[int] = loc.toward.hops.tolist()
        self.bound: list[float] = loc.toward.bound.tolist()
        self.by_source = adjacency(loc.edges.source, len(self.nodes))
        self._out: dict[int, list[tuple[int, float, int]]] = {}

    def id_of(self, v: int) -> str:
        """Entity id of local node ``v``."""
        return self.ids[self.nodes[v]]

    def out(self, v: int) -> list[tuple[int, float, int]]:
        """Edges u <- v as (u, weight, global exposure edge index), fetched once per node."""
        if v not in self._out:
            idx = self.by_source.order[self.by_source.indptr[v]:self.by_source.indptr[v + 1]]
            e = self.loc.edges
            self._out[v] = list(zip(e.target[idx].tolist(), e.weight[idx].tolist(),
                                    e.row[idx].tolist(), strict=True))
        return self._out[v]

    def hopeful(self, u: int, s: float, target: float) -> bool:
        """Can a label of strength ``s`` at ``u`` still reach (nearly) ``target`` at x?"""
        return s * self.bound[u] >= target * _BOUND

    def run(self, targets: dict[int, float]) -> dict[int, _Label]:
        """For each seed (local index) with its s(x, b), the best label arriving at x."""
        level = {(b, b): _Label(float(self.loc.seeds.strength[b]), (b,), (self.id_of(b),), ())
                 for b in targets}
        found: dict[int, _Label] = {}
        for hop in range(1, self.search.max_depth + 1):
            level = self._step(level, hop, targets)
            for (u, b), label in level.items():
                if u == self.x and (b not in found or label.stronger(found[b])):
                    found[b] = label
            level = {k: lab for k, lab in level.items() if k[0] != self.x}
        return found

    def _step(self, level: dict[tuple[int, int], _Label], hop: int,
              targets: dict[int, float]) -> dict[tuple[int, int], _Label]:
        nxt: dict[tuple[int, int], _Label] = {}
        budget = self.search.max_depth - hop
        for (v, b), lab in level.items():
            if hop > 1 and self.is_seed[v]:
                continue
            carry = lab.strength if hop == 1 else lab.strength * self.passes[v]
            for u, w, e in self.out(v):
                s = carry * w
                if u in lab.nodes or self.hops[u] > budget or not self.hopeful(
                        u, s, targets[b]):
                    continue
                cand = _Label(s, (u, *lab.nodes), (self.id_of(u), *lab.ids), (e, *lab.edges))
                if (u, b) not in nxt or cand.beats(nxt[(u, b)]):
                    nxt[(u, b)] = cand
        return nxt


@dataclass(frozen=True)
class Strengths:
    """s(x, b) of every seed b that x is exposed to, on x's neighbourhood (``local``)."""

    local: _Local
    targets: dict[int, float]  # local seed index -> s(x, b) > 0

    def by_seed(self) -> list[tuple[int, float]]:
        """(seed's global index, s(x, seed)), sorted by seed."""
        return sorted((int(self.local.nodes[b]), s) for b, s in self.targets.items())


def strengths(search: Search, x: int) -> Strengths:
    """The strengths of x's exposure to every seed (arrays over its neighbourhood only; no
    path is chosen yet)."""
    loc = _local(search, local_reach(search, x), x)
    return Strengths(loc, loc.strengths(search))


def paths_to(search: Search, ids: Sequence[str], found: Strengths, wanted: set[int]
             ) -> list[BestPath]:
    """The path shown for each seed of ``found`` whose global index is in ``wanted``, sorted
    by seed. Labels of one seed never meet another's, so a seed's path is the same whether
    or not the others are searched."""
    loc = found.local
    targets = {b: s for b, s in found.targets.items() if int(loc.nodes[b]) in wanted}
    labels = _LabelSearch(loc, ids, search).run(targets) if targets else {}
    paths = []
    for b in sorted(targets, key=lambda v: int(loc.nodes[v])):
        lab = labels.get(b)
        nodes = tuple(int(loc.nodes[v]) for v in lab.nodes) if lab else ()
        paths.append(BestPath(int(loc.nodes[b]), targets[b], nodes, lab.edges if lab else ()))
    return paths
