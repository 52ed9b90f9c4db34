"""Whole-book figures: derive every regime's verdicts and score every entity, on arrays.

Builds a synthetic graph directly as arrays (default 1,000,000 entities and 2,500,000 edges:
1.0M ownership, 0.25M control, 1.25M business ties; 0.5% of entities listed per regime) and
times ``derive_all`` and ``score_all`` with the bundled rules. Prints figures; asserts nothing.

Run: .venv/bin/python bench/bench_engine.py [--nodes N] [--edges E] [--seed S]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np

from riskengine.derive.verdicts import derive_all
from riskengine.domain import CONTROL_KINDS, RELATION_KINDS, Dataset, Entity
from riskengine.exposure.score import score_all
from riskengine.graph import STATUS_CODES, DatasetFacts, EdgeArrays, Graph
from riskengine.ruleset.loader import load_rules

RULES = Path(__file__).resolve().parent.parent / "rules"
AS_OF = date(2026, 1, 1)


def _edges(rng: np.random.Generator, n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    # Preferential attachment light: a tenth of the edges point at 1% "hub" entities.
    src = rng.integers(0, n, m)
    dst = rng.integers(0, n, m)
    hubs = rng.random(m) < 0.1
    dst[hubs] = rng.integers(0, max(n // 100, 1), int(hubs.sum()))
    keep = src != dst
    return src[keep].astype(np.int64), dst[keep].astype(np.int64)


def _family(src: np.ndarray, dst: np.ndarray, attrs: dict[str, np.ndarray]) -> EdgeArrays:
    m = src.shape[0]
    lo, hi = np.iinfo(np.int64).min, np.iinfo(np.int64).max
    return EdgeArrays(src, dst, np.full(m, lo), np.full(m, hi), np.arange(m), attrs)


def build(n: int, m: int, seed: int) -> Graph:
    """A synthetic Graph made directly from arrays (no domain objects per row; an entity's
    facts are made when read, ``_Entities``)."""
    rng = np.random.default_rng(seed)
    own_s, own_d = _edges(rng, n, int(m * 0.4))
    pct = rng.choice([10.0, 25.0, 30.0, 49.0, 50.0, 51.0, 75.0, 100.0], own_s.shape[0])
    known = rng.random(own_s.shape[0]) > 0.05
    own = _family(own_s, own_d, {"low": np.where(known, pct, 0.0),
                                 "high": np.where(known, pct, 100.0), "known": known})
    c_s, c_d = _edges(rng, n, int(m * 0.1))
    ctl = _family(c_s, c_d, {"kind": rng.integers(0, len(CONTROL_KINDS), c_s.shape[0])})
    r_s, r_d = _edges(rng, n, int(m * 0.5))
    k = r_s.shape[0]
    rel = _family(r_s, r_d, {"kind": rng.integers(0, len(RELATION_KINDS), k),
                             "status": rng.integers(0, len(STATUS_CODES), k),
                             "ended_years": rng.random(k) * 5})
    listed = {code: rng.random(n) < 0.005 for code in ("us", "eu", "uk")}
    other = {code: np.zeros(n, dtype=np.bool_) for code in listed}
    ids = tuple(f"e{i}" for i in range(n))
    return Graph(AS_OF, ids, {}, own, ctl, rel, listed, other, _Facts(n))


class _Entities(Sequence[Entity]):
    """Entity ``i`` made when read: a plain company (the whole-graph scorer reads entity
    facts only for the neighbours of US-listed parties, for EO 14114's FFI factor; none of
    these is a financial institution)."""

    def __init__(self, n: int) -> None:
        self._n = n

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i):  # type: ignore[no-untyped-def, override]
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self._n))]
        return Entity(id=f"e{int(i)}", name=f"Company {int(i)}")


class _Facts(DatasetFacts):
    def __init__(self, n: int) -> None:
        super().__init__(Dataset())
        object.__setattr__(self, "_entities", _Entities(n))  # a frozen dataclass

    @property
    def entities(self) -> Sequence[Entity]:  # type: ignore[override]
        return self._entities


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--edges", type=int, default=2_500_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rules = load_rules(RULES)
    t0 = time.perf_counter()
    graph = build(args.nodes, args.edges, args.seed)
    t1, c1 = time.perf_counter(), time.process_time()
    verdicts = derive_all(graph, rules.regimes)
    t2, c2 = time.perf_counter(), time.process_time()
    table = score_all(graph, verdicts, rules.scoring)
    t3, c3 = time.perf_counter(), time.process_time()
    blocked = {c: int(v.blocked.sum()) for c, v in verdicts.items()}
    print(f"graph: {graph.n:,} entities, {len(graph.ownership):,} ownership, "
          f"{len(graph.control):,} control, {len(graph.relation):,} ties  ({t1 - t0:.1f} s)")
    print(f"derive_all (all regimes):      {t2 - t1:6.1f} s (CPU {c2 - c1:.1f} s)   "
          f"blocked per regime: {blocked}")
    print(f"score_all (exposure, bands):   {t3 - t2:6.1f} s (CPU {c3 - c2:.1f} s)   "
          f"mean score {float(np.mean(table.score)):.2f}, "
          f"scored > 0: {int((table.score > 0).sum()):,}")


if __name__ == "__main__":
    main()
