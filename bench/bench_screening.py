"""Time batch screening: 10,000 names against the full OFAC SDN 2024-05-03 (+ 2025-12
alt.csv aliases) and UK ConList entities.

Usage: python bench/bench_screening.py [count] [data_dir]
       python bench/bench_screening.py --compare OTHER_RULES.yaml [count] [data_dir]

Screens with the bundled rules/screening.yaml. ``--compare`` screens the same queries one
by one in this process with the bundled rules and with OTHER_RULES.yaml (e.g. an older
rules file: ``git show REV:rules/screening.yaml``), in alternating chunks so that both meet
the same load, and prints CPU ms per name of each, their ratio and the load average.
Queries are listed names perturbed (typos, dropped or reordered words, changed legal forms)
mixed with generated non-listed company names. Prints the figures; asserts nothing.
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

from ruamel.yaml import YAML

from riskengine.screening.batch import screen_many, workers_for
from riskengine.screening.config import ScreeningConfig
from riskengine.screening.evaluate import build_eval_set, load_lists
from riskengine.screening.match import Screener

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = Path(os.environ.get("RISKENGINE_SHARED_DATA", ROOT.parent / "shared" / "data"))


def config() -> ScreeningConfig:
    """The bundled rules/screening.yaml."""
    data = YAML(typ="safe").load((ROOT / "rules" / "screening.yaml").read_text("utf-8"))
    return ScreeningConfig.model_validate(data or {})


def main(argv: list[str]) -> int:
    """Load the lists, build the index, screen ``count`` names; print wall times."""
    count = int(argv[1]) if len(argv) > 1 else 10_000
    data = Path(argv[2]) if len(argv) > 2 else DEFAULT
    start = time.perf_counter()
    entities = load_lists(data)
    loaded = time.perf_counter()
    evalset = build_eval_set(entities, count // 2, count - count // 2, seed=3)
    queries = [p.query for p in (*evalset.positives, *evalset.negatives)]
    random.Random(3).shuffle(queries)
    built = time.perf_counter()
    screener = Screener.build(entities, config())
    indexed = time.perf_counter()
    found = screen_many(screener, [(q, None, None, 10) for q in queries])
    hits = sum(1 for candidates in found if any(c.match for c in candidates))
    done = time.perf_counter()
    print(f"entities {len(entities):,}; queries {len(queries):,} ({hits:,} with a match); "
          f"{workers_for(len(queries))} processes")
    print(f"read lists {loaded - start:.1f} s; build index {indexed - built:.1f} s; "
          f"screen {done - indexed:.1f} s ({(done - indexed) / len(queries) * 1000:.2f} ms "
          f"per name); index + screen {done - built:.1f} s")
    return 0


def compare(argv: list[str]) -> int:
    """CPU per name of the bundled rules against another rules file, same queries and
    process, alternating chunks of 200 queries."""
    other = YAML(typ="safe").load(Path(argv[0]).read_text("utf-8")) or {}
    count = int(argv[1]) if len(argv) > 1 else 3000
    data = Path(argv[2]) if len(argv) > 2 else DEFAULT
    entities = load_lists(data)
    evalset = build_eval_set(entities, count // 2, count - count // 2, seed=3)
    queries = [p.query for p in (*evalset.positives, *evalset.negatives)]
    random.Random(3).shuffle(queries)
    screeners = {"bundled": Screener.build(entities, config()),
                 "other": Screener.build(entities, ScreeningConfig.model_validate(other))}
    cpu = dict.fromkeys(screeners, 0.0)
    for at in range(0, len(queries), 200):
        for name, screener in screeners.items():
            start = time.process_time()
            for query in queries[at:at + 200]:
                screener.screen(query)
            cpu[name] += time.process_time() - start
    each = {n: c / len(queries) * 1000 for n, c in cpu.items()}
    print(f"queries {len(queries):,}; CPU ms per name: bundled {each['bundled']:.2f} "
          f"({1000 / each['bundled']:.0f}/s per core), other {each['other']:.2f} "
          f"({1000 / each['other']:.0f}/s); ratio bundled/other "
          f"{each['bundled'] / each['other']:.2f}; load average {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--compare"]:
        sys.exit(compare(sys.argv[2:]))
    sys.exit(main(sys.argv))
