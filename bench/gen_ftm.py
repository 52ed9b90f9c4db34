"""Synthetic FollowTheMoney JSON lines for the scale benches: N companies and persons,
2.5 ownership/directorship edges per entity (a scale-free-ish owner choice, shares from 1 to
100 %), 0.5 % of entities sanctioned under us/eu/gb. Deterministic for a seed.

Usage: python bench/gen_ftm.py N OUT.ftm.json [--seed S] [--edges-per-entity 2.5]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

REGIMES = ("us", "eu", "gb")


def _entities(n: int, rng: np.random.Generator) -> list[str]:
    person = rng.random(n) < 0.3
    country = rng.choice(np.array(["ru", "cn", "de", "ae", "tr", "kz"]), n)
    lines = []
    for i in range(n):
        schema = "Person" if person[i] else "Company"
        props = {"name": [f"{'Person' if person[i] else 'Company'} {i:08d} Holding"],
                 "country": [str(country[i])]}
        if not person[i] and i % 10 == 0:
            props["registrationNumber"] = [f"R{i:010d}"]
        lines.append(json.dumps({"id": f"e{i}", "schema": schema, "caption": props["name"][0],
                                 "properties": props, "datasets": ["synthetic"]}))
    return lines


def _edges(n: int, m: int, rng: np.random.Generator) -> list[str]:
    owner = (rng.pareto(1.2, m) * n / 50).astype(np.int64) % n
    asset = rng.integers(0, n, m)
    share = rng.integers(1, 101, m)
    own = rng.random(m) < 0.8
    lines = []
    for k in range(m):
        a, b = int(owner[k]), int(asset[k])
        if a == b:
            continue
        if own[k]:
            props = {"owner": [f"e{a}"], "asset": [f"e{b}"], "percentage": [str(share[k])]}
            lines.append(json.dumps({"id": f"o{k}", "schema": "Ownership", "properties": props}))
        else:
            props = {"director": [f"e{a}"], "organization": [f"e{b}"], "role": ["director"]}
            lines.append(json.dumps({"id": f"d{k}", "schema": "Directorship",
                                     "properties": props}))
    return lines


def _sanctions(n: int, rng: np.random.Generator) -> list[str]:
    chosen = rng.choice(n, max(n // 200, 1), replace=False)
    lines = []
    for k, i in enumerate(chosen.tolist()):
        props = {"entity": [f"e{i}"], "country": [REGIMES[k % 3]], "startDate": ["2022-03-15"],
                 "authority": ["synthetic authority"], "program": ["SYNTH"]}
        lines.append(json.dumps({"id": f"s{k}", "schema": "Sanction", "properties": props}))
    return lines


def generate(n: int, out: Path, seed: int = 7, per_entity: float = 2.5) -> None:
    rng = np.random.default_rng(seed)
    with out.open("w", encoding="utf-8") as fh:
        for chunk in (_entities(n, rng), _edges(n, int(n * per_entity), rng),
                      _sanctions(n, rng)):
            fh.write("\n".join(chunk) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--edges-per-entity", type=float, default=2.5)
    args = parser.parse_args()
    generate(args.n, args.out, args.seed, args.edges_per_entity)
    return 0


if __name__ == "__main__":
    sys.exit(main())
