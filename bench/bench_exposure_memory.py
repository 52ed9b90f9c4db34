"""Peak traced memory of the whole-graph exposure candidates (``AllRegimes.of``) against the
earlier way (full ``ExposureEdges`` per family, int64 concatenations and pair keys), on a
compiled graph folder, and a check that both give the same pairs and per-pair weights.

Run: .venv/bin/python bench/bench_exposure_memory.py FOLDER [--as-of YYYY-MM-DD]
(FOLDER: a copy of ``<db>.compiled/<key>``; it is only read). Prints figures and the load
average; exits non-zero when the two ways differ.
"""

from __future__ import annotations

import argparse
import os
import time
import tracemalloc
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TypeVar

import numpy as np

from riskengine.application import base
from riskengine.compiled import files
from riskengine.compiled.facts import StoredFacts
from riskengine.compiled.graph import graph_data
from riskengine.derive.kernel import group_starts, pair_order
from riskengine.domain import Dataset
from riskengine.exposure.weights import (
    AllRegimes,
    control_edges,
    ownership_edges,
    relation_weights,
)
from riskengine.graph import Graph
from riskengine.ruleset.models import ScoringRules
from riskengine.settings import Settings

T = TypeVar("T")
Old = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def old_of(g: Graph, scoring: ScoringRules) -> Old:
    """The earlier ``AllRegimes.of``: (fixed, pick, starts, ptr, target)."""
    parts = ownership_edges(g, scoring) + control_edges(g, scoring)
    rel = g.relation
    target = np.concatenate([*(p.target for p in parts), rel.dst, rel.src])
    source = np.concatenate([*(p.source for p in parts), rel.src, rel.dst])
    kept = np.flatnonzero(target != source)
    order = pair_order(source[kept], target[kept], max(g.n, 1))
    src, dst = source[kept][order].astype(np.int32), target[kept][order].astype(np.int32)
    starts = group_starts(src.astype(np.int64) * np.int64(max(g.n, 1)) + dst)
    ptr = np.zeros(g.n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src[starts], minlength=g.n), out=ptr[1:])
    fixed = np.concatenate([np.zeros(0), *(p.weight for p in parts)])
    return fixed, kept[order], starts, ptr, dst[starts]


def old_weights(old: Old, g: Graph, scoring: ScoringRules, regime: str) -> np.ndarray:
    fixed, pick, starts = old[0], old[1], old[2]
    rel = relation_weights(g, scoring, regime)
    weight = np.concatenate([fixed, rel, rel])[pick]
    return np.asarray(np.minimum(np.maximum.reduceat(weight, starts), 1.0))


def traced(label: str, fn: Callable[[], T]) -> T:
    tracemalloc.start()
    start = time.perf_counter()
    out = fn()
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    load = os.getloadavg()[0]
    print(f"{label:<34} peak {peak / 1e9:7.3f} GB  {seconds:7.2f} s  (load {load:.2f})")
    return out


def graph(folder: Path, as_of: date) -> Graph:
    compiled = files.load(folder.parent, folder.name)
    if compiled is None:
        raise SystemExit(f"no compiled graph in {folder}")
    facts = StoredFacts(compiled, Dataset(), None)  # type: ignore[arg-type]
    return graph_data(compiled, facts, facts.ids, facts.index).at(as_of)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 12, 6))
    args = parser.parse_args()
    g = graph(args.folder, args.as_of)
    rules = base.load_rules(Settings(db_url="sqlite://", seed=False))
    scoring = rules.scoring
    print(f"{g.n} entities, {len(g.ownership)} ownership, {len(g.control)} control,"
          f" {len(g.relation)} relationship edges")
    old = traced("old: ExposureEdges, int64 keys", lambda: old_of(g, scoring))
    new = traced("new: AllRegimes.of", lambda: AllRegimes.of(g, scoring))
    kept = sum(a.nbytes for a in (new.fixed, new.pick, new.starts, new.ptr, new.target))
    print(f"kept arrays: old {sum(a.nbytes for a in old) / 1e9:.3f} GB,"
          f" new {kept / 1e9:.3f} GB")
    same = (np.array_equal(old[3], new.ptr) and np.array_equal(old[4], new.target)
            and np.array_equal(old[1], new.pick) and np.array_equal(old[2], new.starts))
    for r in [x.code for x in rules.regimes.regimes]:
        w_old = old_weights(old, g, scoring, r)
        w_new = traced(f"weights {r}", lambda r=r: new.weights(g, scoring, r))  # type: ignore[misc]
        same = same and w_old.tobytes() == w_new.tobytes()
    print("same pairs and weights" if same else "DIFFERENT")
    raise SystemExit(0 if same else 1)


if __name__ == "__main__":
    main()
