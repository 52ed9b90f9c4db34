"""Name blocking keys of N distinct normalised names, both ways in one process: the per-name
Python reference (``merge_evidence.normalised_blocking_keys`` called once per distinct name
into Arrow arrays, ``blocking._keys_of_unique``: what the compiler did before) and the Arrow
path (``compiled.name_keys``). Prints both times and the ratio, and checks that every name
has the same keys both ways.

Names are random: 1-7 words drawn from a vocabulary of made-up words, real legal forms and
doubled letters (so skeletons, legal-form stripping and near keys all have work to do).

Usage: python bench/bench_blocking.py [N] [--seed S]
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import pyarrow as pa

from riskengine.compiled.blocking import _keys_of_unique
from riskengine.compiled.name_keys import name_keys_of_unique
from riskengine.ingest.merge_evidence import normalised_blocking_keys
from riskengine.screening.normalise import LEGAL_FORMS


def _names(n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz0123456789"))
    made = ["".join(rng.choice(letters, int(k))) for k in rng.integers(2, 10, 50_000)]
    legal = sorted({w for form in LEGAL_FORMS for w in form})
    vocab = np.array(made + legal * 20 + ["kamaz", "sergei", "holding", "ooo", "llc"])
    sizes = rng.integers(1, 8, int(n * 1.1))
    picks = rng.choice(vocab, int(sizes.sum()))
    at = np.r_[0, np.cumsum(sizes)]
    names = {" ".join(picks[at[i]:at[i + 1]]) for i in range(len(sizes))}
    return sorted(names)[:n]


def _python(names: list[str]) -> tuple[pa.Array, np.ndarray]:  # type: ignore[type-arg]
    return _keys_of_unique(pa.array(names, pa.string()), normalised_blocking_keys)


def _arrow(names: list[str]) -> tuple[pa.Array, np.ndarray]:  # type: ignore[type-arg]
    return name_keys_of_unique(pa.array(names, pa.string()), normalised_blocking_keys)


def _as_sets(flat: pa.Array, lengths: np.ndarray) -> list[set[str]]:  # type: ignore[type-arg]
    keys, out, at = flat.to_pylist(), [], 0
    for count in lengths.tolist():
        out.append(set(keys[at:at + count]))
        at += count
    return out


def _timed(fn, names):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn(names)
    return time.perf_counter() - start, result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=300_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    names = _names(args.n, args.seed)
    base, want = _timed(_python, names)
    fast, got = _timed(_arrow, names)
    same = _as_sets(*want) == _as_sets(*got)
    print(f"{len(names):,} distinct names, {len(got[0]):,} keys: per-name Python {base:.2f} s,"
          f" Arrow {fast:.2f} s, ratio {base / fast:.1f}x; same keys: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
