"""Explained scores in process, as the service makes them (``application.served.answer`` on
the warm version: resolve, explain, serialise), on distinct entities never asked before.

    python bench/profile_served.py --db sqlite:////tmp/h2/m.db [--count 200] [--any-entity]
        [--profile 30]

As a server process does, the cycle collector runs rarely and the version is frozen once
built (``--default-gc``: not). Prints p50 / p99 / mean wall and CPU milliseconds per score
over ``--count`` entities drawn at random (seed 7; listed ones unless ``--any-entity``),
after one warm-up score (the date's evaluation), with the load average before and after.
``--profile N``: the N functions of most cumulative time over the same entities (cProfile;
figures then include its overhead).
Asserts nothing (timings are not tests).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import sqlite3
import sys
import time

from riskengine.application import served
from riskengine.application.warm import Warm, quiet_collector, service_rules
from riskengine.settings import Settings


def _entities(db: str, count: int, every: bool) -> list[str]:
    sql = ("SELECT id FROM entities ORDER BY random() LIMIT 40000" if every
           else "SELECT DISTINCT entity_id FROM designations")
    with sqlite3.connect(db.removeprefix("sqlite:///")) as conn:
        ids = sorted(r[0] for r in conn.execute(sql))
    random.Random(7).shuffle(ids)
    return ids[:count + 1]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--any-entity", action="store_true")
    parser.add_argument("--profile", type=int, default=0)
    parser.add_argument("--sort", default="cumulative", help="cProfile sort key (tottime...)")
    parser.add_argument("--default-gc", action="store_true",
                        help="Python's collector settings, not a server process's")
    args = parser.parse_args()
    os.environ["RISKENGINE_DB"] = args.db
    settings = Settings.build(os.environ)
    if not args.default_gc:
        quiet_collector()  # as a server process (api.app.from_env) does
    warm = Warm(settings, service_rules(settings), settle=not args.default_gc)
    t0 = time.perf_counter()
    warm.refresh()
    v = warm.view()
    if v is None:
        raise SystemExit(f"no version: {warm.problem}")
    ids = _entities(args.db, args.count, args.any_entity)
    served.answer(warm, v, ids[0], None, None)
    print(f"version and first score in {time.perf_counter() - t0:.1f} s; load average "
          f"{os.getloadavg()[0]:.2f}")
    walls, cpus = [], []
    prof = cProfile.Profile() if args.profile else None
    for q in ids[1:]:
        w, c = time.perf_counter(), time.process_time()
        if prof:
            prof.enable()
        served.answer(warm, v, q, None, None)
        if prof:
            prof.disable()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    print(f"{len(walls)} distinct entities: wall p50 {_pct(walls, .5):.1f} ms, p99 "
          f"{_pct(walls, .99):.1f} ms, mean {sum(walls) / len(walls) * 1000:.1f} ms; CPU p50 "
          f"{_pct(cpus, .5):.1f} ms, mean {sum(cpus) / len(cpus) * 1000:.1f} ms; load average "
          f"{os.getloadavg()[0]:.2f}")
    if prof:
        pstats.Stats(prof).sort_stats(args.sort).print_stats(args.profile)
    warm.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
