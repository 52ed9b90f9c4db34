"""Screening quality on the real OFAC SDN (2024-05-03 + 2025-12 alt.csv) and UK lists.

Usage: python bench/eval_screening.py [positives] [negatives] [seed] [data_dir]

Builds the evaluation set of riskengine.screening.evaluate (held-out aliases, perturbed
names, generated and well-known non-listed companies), screens it with the bundled
rules/screening.yaml and prints recall per kind, headline recall and the false-positive
rate, with examples of misses. Asserts nothing.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from ruamel.yaml import YAML

from riskengine.screening.config import ScreeningConfig
from riskengine.screening.evaluate import (
    HEADLINE,
    SPELLING,
    build_eval_set,
    load_lists,
    run_eval,
)
from riskengine.screening.match import Screener

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = Path(os.environ.get("RISKENGINE_SHARED_DATA", ROOT.parent / "shared" / "data"))


def config() -> ScreeningConfig:
    """The bundled rules/screening.yaml."""
    data = YAML(typ="safe").load((ROOT / "rules" / "screening.yaml").read_text("utf-8"))
    return ScreeningConfig.model_validate(data or {})


def main(argv: list[str]) -> int:
    """Build, screen and print the figures."""
    positives = int(argv[1]) if len(argv) > 1 else 3000
    negatives = int(argv[2]) if len(argv) > 2 else 3000
    seed = int(argv[3]) if len(argv) > 3 else 7
    data = Path(argv[4]) if len(argv) > 4 else DEFAULT
    entities = load_lists(data)
    evalset = build_eval_set(entities, positives, negatives, seed)
    start = time.perf_counter()
    screener = Screener.build(evalset.entities, config())
    report = run_eval(screener, evalset)
    took = time.perf_counter() - start
    print(f"entities {len(entities):,}; positives {len(evalset.positives)}, "
          f"negatives {len(evalset.negatives)}, seed {seed}; threshold "
          f"{screener.config.threshold}; build + screen {took:.1f} s")
    for kind in sorted(report.total):
        print(f"  {kind:16} recall {report.found[kind] / report.total[kind]:.3f} "
              f"({report.found[kind]}/{report.total[kind]})")
    print(f"spelling-variant recall ({', '.join(SPELLING)}): {report.recall(SPELLING):.3f}")
    print(f"headline recall ({', '.join(HEADLINE)}): {report.recall():.3f}")
    print(f"all positives recall (with alias_unrelated): {report.recall(list(report.total)):.3f}")
    print(f"false-positive rate: {report.fpr:.4f} ({report.false_positives}/{report.negatives})")
    for probe, top in [m for m in report.misses if m[0].kind in HEADLINE][:25]:
        print(f"  miss {probe.kind}: {probe.query!r} ({probe.expected}); top: {top!r}")
    for probe, hit in report.false_hits[:25]:
        print(f"  false positive {probe.kind}: {probe.query!r} -> {hit!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
