"""Time exposure scoring on a synthetic graph with hubs (default 200k entities, 500k facts).

Run: .venv/bin/python bench/bench_exposure.py [--nodes N] [--edges E] [--depth D] [--seed S]
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import date
from typing import TypeVar

import numpy as np

from riskengine.derive.base import RegimeArrays
from riskengine.domain import (
    CONTROL_KINDS,
    RELATION_KINDS,
    Control,
    Dataset,
    Designation,
    Entity,
    Ownership,
    Relationship,
    Share,
    Source,
)
from riskengine.exposure.propagate import propagate
from riskengine.exposure.score import score_all, score_entity
from riskengine.exposure.weights import exposure_edges, pass_factor, seeds
from riskengine.graph import Graph, GraphData
from riskengine.ruleset.models import (
    Band,
    ControlWeights,
    RelationWeight,
    ScoringRules,
)

T = TypeVar("T")
AS_OF = date(2024, 1, 1)
SRC = Source(source="bench")
REGIMES = ("us", "eu", "uk")


def timed(label: str, fn: Callable[[], T]) -> T:
    start = time.perf_counter()
    out = fn()
    print(f"{label:<44} {time.perf_counter() - start:8.2f} s")
    return out


def endpoints(rng: np.random.Generator, n: int, size: int) -> np.ndarray:
    """Heavy-tailed endpoint choice: a few hubs with thousands of ties."""
    return np.minimum((rng.pareto(1.2, size) * n / 50).astype(np.int64), n - 1)


def synthetic(n: int, m: int, seed: int) -> Dataset:
    rng = np.random.default_rng(seed)
    ids = [f"e{i}" for i in range(n)]
    a, b = endpoints(rng, n, m), rng.integers(0, n, m)
    family = rng.choice(3, m, p=[0.4, 0.1, 0.5])
    owns = [Ownership(id=f"o{k}", owner=ids[a[k]], asset=ids[b[k]], source=SRC,
                      share=Share.exact(float(rng.integers(1, 101))))
            for k in np.flatnonzero(family == 0).tolist()]
    ctls = [Control(id=f"c{k}", controller=ids[a[k]], controlled=ids[b[k]], source=SRC,
                    kind=CONTROL_KINDS[k % len(CONTROL_KINDS)])
            for k in np.flatnonzero(family == 1).tolist()]
    rels = [Relationship(id=f"r{k}", a=ids[a[k]], b=ids[b[k]], source=SRC,
                         kind=RELATION_KINDS[k % len(RELATION_KINDS)])
            for k in np.flatnonzero(family == 2).tolist()]
    listed = rng.choice(n, n // 100, replace=False).tolist()
    des = [Designation(id=f"d{k}", entity_id=ids[i], regime=REGIMES[k % 3], source=SRC)
           for k, i in enumerate(listed)]
    return Dataset(entities=tuple(Entity(id=e, name=e.upper()) for e in ids),
                   designations=tuple(des), ownerships=tuple(owns), controls=tuple(ctls),
                   relationships=tuple(rels))


def scoring(depth: int) -> ScoringRules:
    return ScoringRules(
        max_depth=depth, regime_weights={"us": 0.5, "eu": 0.3, "uk": 0.3},
        control=ControlWeights(controlled_by={"board_appointment": 0.6,
                                              "dominant_influence": 0.9}),
        relationships={k: RelationWeight(weight=0.5) for k in RELATION_KINDS},
        bands=(Band(name="blocked", min_score=100), Band(name="high", min_score=35),
               Band(name="none", min_score=0)))


def verdicts(g: Graph) -> dict[str, RegimeArrays]:
    """Listed parties only: the derivation is benchmarked elsewhere."""
    none = np.zeros(g.n, dtype=np.bool_)
    return {r: RegimeArrays(r, g.listed.get(r, none), none, none, g.listed.get(r, none))
            for r in REGIMES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=200_000)
    parser.add_argument("--edges", type=int, default=500_000)
    parser.add_argument("--depth", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rules = scoring(args.depth)
    ds = timed(f"synthetic dataset {args.nodes} / {args.edges}",
               lambda: synthetic(args.nodes, args.edges, args.seed))
    g = timed("GraphData.from_dataset + at", lambda: GraphData.from_dataset(ds).at(AS_OF))
    v = verdicts(g)
    passes = timed("hub damping", lambda: pass_factor(g, rules))
    for r in REGIMES:
        edges = timed(f"exposure edges {r}", lambda r=r: exposure_edges(g, rules, r))  # type: ignore[misc]
        reach = timed(f"propagate {r}", lambda e=edges, r=r: propagate(  # type: ignore[misc]
            e, g.n, seeds(v[r], rules), passes, rules.max_depth, rules.min_strength))
        print(f"    {len(edges)} exposure edges, {len(reach)} (entity, seed) pairs kept")
    table = timed("score_all", lambda: score_all(g, v, rules))
    free = np.flatnonzero(~table.blocked_any)
    top = free[np.argsort(-table.score[free], kind="stable")[:3]].tolist()
    hub = int(np.argmax(np.bincount(g.relation.src, minlength=g.n)))
    for i in [*top, hub]:
        res = timed(f"score_entity {g.ids[i]}", lambda i=i: score_entity(g, v, rules, i, {}))  # type: ignore[misc]
        print(f"    score {res.score} ({table.score[i]}), {len(res.contributions)} contributions")


if __name__ == "__main__":
    main()
