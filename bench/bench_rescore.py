"""Rescore figures: derive, score and store a whole-book run of N entities on SQLite.

Builds the synthetic array graph of ``bench_engine.build`` (default 200,000 entities, 2.5
edges per entity), derives every regime, scores every entity, then writes the run with
``store.runs.save_run`` (one transaction, executemany in chunks) to a fresh SQLite file.
Prints figures; asserts nothing.

Run: .venv/bin/python bench/bench_rescore.py [--nodes N] [--seed S] [--db PATH | --url URL]
(``--url postgresql://postgres@127.0.0.1/test`` stores on PostgreSQL, by COPY; the run is
left in that database.)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_engine import AS_OF, RULES, build

from riskengine.derive.verdicts import derive_all
from riskengine.exposure.score import score_all
from riskengine.ruleset.loader import load_rules
from riskengine.runs.table import counts, score_rows, snapshot_hash
from riskengine.store import Store
from riskengine.store.records import RunRecord
from riskengine.store.runs import AuditNote, run_states, save_run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", type=Path, default=None, help="SQLite file (default: temp)")
    parser.add_argument("--url", default=None, help="database URL instead of a SQLite file")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="bench_rescore_")
    db = args.db or Path(folder) / "bench.db"
    rules = load_rules(RULES)
    t0 = time.perf_counter()
    graph = build(args.nodes, int(args.nodes * 2.5), args.seed)
    t1 = time.perf_counter()
    verdicts = derive_all(graph, rules.regimes)
    table = score_all(graph, verdicts, rules.scoring)
    t2 = time.perf_counter()
    now = datetime.now(UTC)
    run = RunRecord(started_at=now, finished_at=now, as_of=AS_OF, rules_hash=rules.content_hash,
                    data_snapshot=snapshot_hash([]), actor="bench",
                    counts=counts(table, verdicts))
    rows = score_rows(table, graph.ids, verdicts, sorted(verdicts))
    with Store.open(args.url or f"sqlite:///{db}") as store:
        t3 = time.perf_counter()
        saved = save_run(store, run, rows, AuditNote("bench", now))
        t4 = time.perf_counter()
        states = run_states(store, saved.id or 0)
        t5 = time.perf_counter()
    size = db.stat().st_size / 1e6 if db.exists() else 0.0
    print(f"graph: {graph.n:,} entities ({t1 - t0:.1f} s to build)")
    print(f"derive + score all:        {t2 - t1:6.1f} s")
    print(f"store run (1 transaction): {t4 - t3:6.1f} s   {graph.n / (t4 - t3):,.0f} rows/s, "
          + (f"{size:,.0f} MB SQLite file" if not args.url else "PostgreSQL"))
    print(f"read run back:             {t5 - t4:6.1f} s   {len(states):,} entities")


if __name__ == "__main__":
    main()
