"""The local search of ``exposure.paths`` against brute force on random small graphs: the
neighbourhood it reaches (nodes, fewest hops, best strength) is that of every walk from x,
and the local graph holds exactly the exposure edges between its nodes, in edge order."""

from __future__ import annotations

import numpy as np
import pytest

from riskengine.exposure.paths import Search, _local, local_reach
from riskengine.exposure.weights import ExposureEdges, Seeds

_SLACK = 1.0 - 1e-9


def _search(seed: int) -> Search:
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(2, 9)), int(rng.integers(0, 16))
    target = rng.integers(0, n, m).astype(np.int64)
    source = rng.integers(0, n, m).astype(np.int64)
    weight = rng.choice([0.0, 0.05, 0.3, 0.5, 1.0], m)
    mask = rng.random(n) < 0.3
    seeds = Seeds(mask, np.where(mask, rng.choice([0.5, 1.0], n), 0.0))
    passes = rng.choice([0.25, 0.5, 1.0], n)
    edges = ExposureEdges(target, source, weight, np.zeros(m, dtype=np.int64),
                          np.arange(m, dtype=np.int64))
    return Search.build(edges, seeds, passes, int(rng.integers(1, 4)),
                        float(rng.choice([0.0, 0.01, 0.1])))


def _walks(search: Search, x: int) -> dict[int, tuple[int, float]]:
    """node -> (fewest hops, best strength) over every walk x <- v1 <- ... <- vk of at most
    ``max_depth`` hops that passes no seed before its end, keeping its strength positive and
    at least ``min_strength``, with the float operations of the search (seed side last)."""
    e = search.edges
    best: dict[int, tuple[int, float]] = {x: (0, 1.0)}
    level = [(x, 1.0)]
    for hop in range(1, search.max_depth + 1):
        nxt = []
        for v, s in level:
            if hop > 1 and bool(search.seeds.mask[v]):
                continue
            carry = s if hop == 1 else s * float(search.passes[v])
            for k in range(len(e)):
                if int(e.target[k]) != v:
                    continue
                u, t = int(e.source[k]), carry * float(e.weight[k])
                if t <= 0 or t < search.min_strength * _SLACK or u == x:
                    continue
                hops, strength = best.get(u, (hop, 0.0))
                best[u] = (min(hops, hop), max(strength, t))
                nxt.append((u, t))
        level = nxt
    return best


@pytest.mark.parametrize("seed", range(300))
def test_local_reach_is_every_walk(seed: int) -> None:
    search = _search(seed)
    for x in range(search.n):
        reached = local_reach(search, x)
        expected = _walks(search, x)
        assert reached.nodes.tolist() == sorted(expected)
        assert reached.hops.tolist() == [expected[v][0] for v in sorted(expected)]
        assert reached.prefix.tolist() == pytest.approx([expected[v][1]
                                                         for v in sorted(expected)])


@pytest.mark.parametrize("seed", range(300))
def test_local_graph_is_the_edges_between_its_nodes(seed: int) -> None:
    search = _search(seed)
    e = search.edges
    for x in range(search.n):
        reached = local_reach(search, x)
        loc = _local(search, reached, x)
        inside = set(reached.nodes.tolist())
        want = [k for k in range(len(e))
                if int(e.target[k]) in inside and int(e.source[k]) in inside]
        assert loc.edges.row.tolist() == want
        assert loc.nodes[loc.edges.target].tolist() == [int(e.target[k]) for k in want]
        assert loc.nodes[loc.edges.source].tolist() == [int(e.source[k]) for k in want]
        assert int(loc.nodes[loc.x]) == x
