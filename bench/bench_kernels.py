"""The engine's whole-graph kernels against a minimal numpy/scipy implementation of the same
rules, side by side on one synthetic graph in one process.

The minimal implementation below is written the straightforward way: scipy sparse matrices
and one sparse product per round for the fixpoints, np.unique for every grouping. It covers

* the aggregate test (OFAC 50% rule, EU): blocked owners' holdings add up, each counted in
  full, no pass-through of unblocked intermediaries, counted control kinds block;
* the per-person test (UK, Canada): each designated holder (joint arrangements joined) alone,
  indirect holdings through majority-held entities, control reachability;
* lower and upper share bounds (unknown shares at 100% for "possibly"), shares in exact
  integer units of 10^-9 percent;
* best-path exposure to ``max_depth`` hops with decay and hub damping, stopping at seeds.

The engine side is ``derive_all`` + ``score_all`` with the bundled rules, both sides with
``joint_arrangement_partners`` off (``_without_partners``: not modelled here). Printed: both
times, their ratio, and whether every verdict array and every entity's tie-exposure cents
per regime are equal (exit 1 if not). Graph of ``bench_engine.build`` (arrays, no pydantic
objects per row).

Run: .venv/bin/python bench/bench_kernels.py [--nodes N] [--per-entity E] [--seed S]
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_engine import RULES, build

from riskengine.derive.verdicts import derive_all
from riskengine.domain import CONTROL_KINDS, RELATION_KINDS
from riskengine.exposure.score import score_all
from riskengine.graph import STATUS_CODES, Graph
from riskengine.ruleset.loader import load_rules
from riskengine.ruleset.models import RegimeParams, RuleSet, ScoringRules

Array = np.ndarray[Any, Any]
UNITS = 10**9  # share units per percent


@dataclass
class Verdict:
    listed: Array
    owned: Array
    controlled: Array
    possibly: Array

    @property
    def blocked(self) -> Array:
        return self.listed | self.owned | self.controlled


def csr(rows: Array, cols: Array, data: Array, n: int) -> sp.csr_array:
    return sp.csr_array((data, (rows, cols)), shape=(n, n))


def max_by_key(keys: Array, values: Array) -> tuple[Array, Array]:
    """Unique keys (sorted) with the largest value of each: argsort + maximum.reduceat."""
    order = np.argsort(keys)
    keys = keys[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if keys.size else keys
    if not keys.size:
        return keys, values[:0]
    return keys[starts], np.maximum.reduceat(values[order], starts)


def max_by_pair(rows: Array, cols: Array, values: Array, n: int) -> tuple[Array, ...]:
    """Unique (row, col) pairs with the largest value of each."""
    pairs, best = max_by_key(rows.astype(np.int64) * n + cols, values)
    return pairs // n, pairs % n, best


def unique(keys: Array) -> Array:
    """Sorted unique values (sort + neighbour test)."""
    keys = np.sort(keys)
    return keys[np.r_[True, keys[1:] != keys[:-1]]] if keys.size else keys


def meets(units: Array, p: RegimeParams) -> Array:
    limit = round(p.threshold * UNITS)
    return ((units >= limit) if p.inclusive else (units > limit)) & (units > 0)


def shares(g: Graph, bound: str) -> sp.csr_array:
    """owner x asset, int64 share units, parallel reports by MAX, own shares dropped."""
    own = g.ownership
    keep = own.src != own.dst
    units = np.rint(own.attrs[bound][keep] * UNITS).astype(np.int64)
    r, c, v = max_by_pair(own.src[keep], own.dst[keep], units, g.n)
    return csr(r, c, v, g.n)


def control(g: Graph, p: RegimeParams) -> sp.csr_array:
    codes = [CONTROL_KINDS.index(k) for k in p.control_kinds if k != "joint_arrangement"]
    mask = np.isin(g.control.attrs["kind"], codes)
    ones = np.ones(int(mask.sum()), dtype=np.int64)
    m = csr(g.control.src[mask], g.control.dst[mask], ones, g.n)
    m.sum_duplicates()
    return m


def aggregate(a: sp.csr_array, ctl: sp.csr_array, listed: Array, p: RegimeParams
              ) -> tuple[Array, Array]:
    """(members, held): one sparse product of the new members per round."""
    member, held = listed.copy(), np.zeros(listed.shape[0], dtype=np.int64)
    new = listed.astype(np.int64)
    while new.any():
        held += a.T @ new
        joining = (meets(held, p) | ((ctl.T @ new) > 0)) & ~member
        member |= joining
        new = joining.astype(np.int64)
    return member, held


def per_person(g: Graph, a: sp.csr_array, ctl: sp.csr_array, listed: Array,
               p: RegimeParams) -> tuple[Array, Array]:
    """(owned, controlled) of one share bound: S_G per holder, then control reachability."""
    n, who = g.n, np.flatnonzero(listed)
    group = np.arange(who.shape[0])
    if p.joint_arrangements_aggregate:
        c = g.control
        ja = (c.attrs["kind"] == CONTROL_KINDS.index("joint_arrangement")) & listed[c.src] \
            & listed[c.dst]
        _, labels = connected_components(csr(c.src[ja], c.dst[ja], np.ones(int(ja.sum())), n),
                                         directed=True, connection="weak")
        _, group = np.unique(labels[who], return_inverse=True)
    groups = int(group.max()) + 1
    s = sp.csr_array((np.ones(who.shape[0], dtype=np.int64), (group, who)), shape=(groups, n))
    while True:
        held = (s @ a).tocoo()
        ok = meets(held.data, p)
        grown = s + sp.csr_array((np.ones(int(ok.sum()), dtype=np.int64),
                                  (held.row[ok], held.col[ok])), shape=(groups, n))
        grown.data[:] = 1
        if grown.nnz == s.nnz:
            break
        s = grown
    in_s = np.zeros(n, dtype=np.bool_)
    in_s[s.tocoo().col] = True
    owned = in_s & ~listed
    single = a.copy()
    single.data = meets(single.data, p).astype(np.int64)
    links = ctl + single
    reached = (ctl.T @ in_s.astype(np.int64)) > 0
    new = reached
    while new.any():
        new = ((links.T @ new.astype(np.int64)) > 0) & ~reached
        reached |= new
    return owned, reached & ~listed & ~owned


def verdict(g: Graph, code: str, p: RegimeParams, low: sp.csr_array, high: sp.csr_array
            ) -> Verdict:
    listed = g.listed.get(code, np.zeros(g.n, dtype=np.bool_))
    none = np.zeros(g.n, dtype=np.bool_)
    if p.ownership_test == "none" or not listed.any():
        return Verdict(listed, none, none.copy(), listed.copy())
    ctl = control(g, p)
    if p.ownership_test == "aggregate":
        members, held = aggregate(low, ctl, listed, p)
        owned = meets(held, p) & ~listed
        controlled = members & ~listed & ~owned
        possibly = aggregate(high, ctl, listed, p)[0] | listed | owned | controlled
        return Verdict(listed, owned, controlled, possibly)
    owned, controlled = per_person(g, low, ctl, listed, p)
    high_owned, high_controlled = per_person(g, high, ctl, listed, p)
    return Verdict(listed, owned, controlled,
                   listed | owned | controlled | high_owned | high_controlled)


def candidates(g: Graph, s: ScoringRules, regime: str) -> tuple[Array, Array, Array]:
    """(target, source, weight) of every exposure fact, both directions."""
    o, c, r = g.ownership.attrs, g.control.attrs, g.relation.attrs
    pct = np.where(o["known"], (o["low"] + o["high"]) / 2.0,
                   s.ownership.unknown_share_assumed) / 100.0
    by_ctl = np.asarray([s.control.controlled_by.get(k, 0.0) for k in CONTROL_KINDS])
    by_rel = np.asarray([s.relationships[k].for_regime(regime) if k in s.relationships else 0.0
                         for k in RELATION_KINDS])
    st = s.status
    status = np.asarray([{"prospective": st.prospective, "active": st.active,
                          "ended": st.ended}[k] for k in STATUS_CODES])
    ended = r["status"] == STATUS_CODES.index("ended")
    fade = np.where(ended, 0.5 ** (r["ended_years"] / st.ended_half_life_years), 1.0)
    rel = by_rel[r["kind"]] * (status[r["status"]] * fade)
    own, ctl, rl = g.ownership, g.control, g.relation
    target = np.concatenate([own.dst, own.src, ctl.dst, ctl.src, rl.dst, rl.src])
    source = np.concatenate([own.src, own.dst, ctl.src, ctl.dst, rl.src, rl.dst])
    weight = np.concatenate([s.ownership.owned_by * pct, s.ownership.owns * pct,
                             by_ctl[c["kind"]], np.full(len(ctl), s.control.controls), rel, rel])
    keep = (target != source) & (weight > 0)
    return target[keep], source[keep], np.minimum(weight[keep], 1.0)


def passes(g: Graph, s: ScoringRules) -> Array:
    a = np.concatenate([g.ownership.src, g.control.src, g.relation.src])
    b = np.concatenate([g.ownership.dst, g.control.dst, g.relation.dst])
    u, v = np.concatenate([a, b]), np.concatenate([b, a])
    pairs = unique(u[u != v].astype(np.int64) * g.n + v[u != v])
    deg = np.bincount(pairs // g.n, minlength=g.n).astype(np.float64)
    ref, exp = s.hub_damping.reference_degree, s.hub_damping.exponent
    return s.decay * np.where(deg <= ref, 1.0, (ref / np.maximum(deg, 1.0)) ** exp)


def exposure(g: Graph, s: ScoringRules, regime: str, v: Verdict, through: Array) -> Array:
    """Cents of tie exposure per entity: best path per (entity, seed), summed over seeds."""
    target, source, weight = candidates(g, s, regime)
    src, dst, w = max_by_pair(source, target, weight, g.n)
    out = sp.csr_array((w, (src, dst)), shape=(g.n, g.n))
    is_seed = v.blocked | v.possibly
    seed_strength = np.where(v.blocked, 1.0, s.possibly_blocked)
    node = np.flatnonzero(is_seed)
    seed, strength = node.copy(), seed_strength[node]
    best_key, best = np.zeros(0, dtype=np.int64), np.zeros(0)
    for step in range(s.max_depth):
        carry = strength if step == 0 else strength * through[node]
        counts = out.indptr[node + 1] - out.indptr[node]
        rep = np.repeat(np.arange(node.shape[0]), counts)
        pos = np.repeat(out.indptr[node] - (np.cumsum(counts) - counts), counts) \
            + np.arange(int(counts.sum()))
        t, value, b = out.indices[pos], carry[rep] * out.data[pos], seed[rep]
        ok = (value >= s.min_strength) & (value > 0) & (t != b)
        key, top = max_by_key(t[ok].astype(np.int64) * g.n + b[ok], value[ok])
        pos_best = np.searchsorted(best_key, key)
        hit = pos_best < best_key.shape[0]
        hit[hit] = best_key[pos_best[hit]] == key[hit]
        old = np.full(key.shape[0], -np.inf)
        old[hit] = best[pos_best[hit]]
        better = top > old
        key, top = key[better], top[better]
        best_key, best = max_by_key(np.concatenate([best_key, key]), np.concatenate([best, top]))
        node, seed, strength = key // g.n, key % g.n, top
        moving = ~is_seed[node]
        node, seed, strength = node[moving], seed[moving], strength[moving]
        if node.shape[0] == 0:
            break
    cents = np.rint((s.scale * s.regime_weight(regime)) * best * 100.0).astype(np.int64)
    total = np.zeros(g.n, dtype=np.int64)
    np.add.at(total, best_key // g.n, cents)
    return total


def minimal(g: Graph, rules: RuleSet) -> tuple[dict[str, Verdict], dict[str, Array]]:
    start = time.perf_counter()
    low, high = shares(g, "low"), shares(g, "high")
    codes = sorted({r.code for r in rules.regimes.regimes} | set(g.listed) | set(g.listed_other))
    verdicts = {c: verdict(g, c, rules.regimes.params(c, g.as_of), low, high) for c in codes}
    print(f"minimal verdicts:      {time.perf_counter() - start:7.2f} s")
    through = passes(g, rules.scoring)
    ties = {c: exposure(g, rules.scoring, c, v, through) for c, v in verdicts.items()
            if (v.blocked | v.possibly).any()}
    return verdicts, ties


def compare(g: Graph, rules: RuleSet, engine: tuple[Any, Any],
            mini: tuple[dict[str, Verdict], dict[str, Array]]) -> list[str]:
    """Every difference between the two results, as lines."""
    found, table = engine
    verdicts, ties = mini
    problems = []
    for code, v in verdicts.items():
        for field in ("listed", "owned", "controlled", "possibly"):
            diff = int((getattr(found[code], field) != getattr(v, field)).sum())
            if diff:
                problems.append(f"{code} {field}: {diff} entities differ")
    free = ~table.blocked_any
    for code in verdicts:
        want = np.where(free, ties.get(code, np.zeros(g.n, dtype=np.int64)), 0)
        got = table.parts.get(f"tie_exposure:{code}", np.zeros(g.n, dtype=np.int64))
        diff = int((got != want).sum())
        if diff:
            problems.append(f"{code} tie_exposure: {diff} entities differ")
    return problems


def _without_partners(rules: RuleSet) -> RuleSet:
    """The bundled rules with ``joint_arrangement_partners`` off in every period (UK has it
    on): the minimal implementation does not model a designated person's undesignated
    joint-arrangement partners, so both sides run without them (the engine's partners are
    tested against the brute-force reference in tests/derive)."""
    regimes = tuple(r.model_copy(update={"periods": tuple(
        p.model_copy(update={"joint_arrangement_partners": False}) for p in r.periods)})
        for r in rules.regimes.regimes)
    return rules.model_copy(update={"regimes": rules.regimes.model_copy(
        update={"regimes": regimes})})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--per-entity", type=float, default=2.5, help="edges per entity")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rules = _without_partners(load_rules(RULES))
    g = build(args.nodes, int(args.nodes * args.per_entity), args.seed)
    print(f"graph: {g.n:,} entities, {len(g.ownership):,} ownership, {len(g.control):,} "
          f"control, {len(g.relation):,} ties")
    t0, c0 = time.perf_counter(), time.process_time()
    mini = minimal(g, rules)
    t1, c1 = time.perf_counter(), time.process_time()
    verdicts = derive_all(g, rules.regimes)
    t2 = time.perf_counter()
    table = score_all(g, verdicts, rules.scoring)
    t3, c3 = time.perf_counter(), time.process_time()
    engine, base = t3 - t1, t1 - t0
    print(f"minimal numpy/scipy:   {base:7.2f} s  (CPU {c1 - c0:.2f} s)")
    print(f"engine derive_all:     {t2 - t1:7.2f} s")
    print(f"engine score_all:      {t3 - t2:7.2f} s")
    print(f"engine total:          {engine:7.2f} s  (CPU {c3 - c1:.2f} s)")
    print(f"ratio engine / minimal: {engine / base:.2f} wall, {(c3 - c1) / (c1 - c0):.2f} CPU")
    problems = compare(g, rules, (verdicts, table), mini)
    blocked = {c: int(v.blocked.sum()) for c, v in verdicts.items()}
    print(f"blocked per regime: {blocked}")
    print("results: " + ("identical" if not problems else "DIFFERENT"))
    for line in problems:
        print("  " + line)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
