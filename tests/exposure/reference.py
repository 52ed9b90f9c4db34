"""Brute-force reference: weights read fact by fact from the Dataset, every simple path
enumerated with networkx, the formula of the specification applied literally."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import networkx as nx

from riskengine.derive.base import RegimeArrays
from riskengine.domain import Dataset, Relationship, Share
from riskengine.ruleset.models import ScoringRules

Pair = tuple[str, str]


def _pct(share: Share, scoring: ScoringRules) -> float:
    if not share.known:
        return scoring.ownership.unknown_share_assumed
    return share.low if share.is_exact else (share.low + share.high) / 2


def _status(rel: Relationship, scoring: ScoringRules, as_of: date) -> float:
    st = scoring.status
    if rel.status != "ended":
        return st.active if rel.status == "active" else st.prospective
    years = max((as_of - rel.valid_to).days, 0) / 365.25 if rel.valid_to else 0.0
    return float(st.ended * 0.5 ** (years / st.ended_half_life_years))


def _live_relations(ds: Dataset, as_of: date) -> list[Relationship]:
    return [r for r in ds.relationships if r.status == "ended" or r.active(as_of)]


def edge_weights(ds: Dataset, scoring: ScoringRules, regime: str, as_of: date) -> dict[Pair, float]:
    """(target, source) -> strongest weight, clipped to 1; zero weights and loops left out."""
    raw: list[tuple[str, str, float]] = []
    for o in (o for o in ds.ownerships if o.active(as_of)):
        pct = _pct(o.share, scoring) / 100
        raw += [(o.asset, o.owner, scoring.ownership.owned_by * pct),
                (o.owner, o.asset, scoring.ownership.owns * pct)]
    for c in (c for c in ds.controls if c.active(as_of)):
        raw += [(c.controlled, c.controller, scoring.control.controlled_by.get(c.kind, 0.0)),
                (c.controller, c.controlled, scoring.control.controls)]
    for r in _live_relations(ds, as_of):
        kind = scoring.relationships.get(r.kind)
        w = (kind.for_regime(regime) if kind else 0.0) * _status(r, scoring, as_of)
        raw += [(r.a, r.b, w), (r.b, r.a, w)]
    out: dict[Pair, float] = {}
    for t, s, w in raw:
        if w > 0 and t != s:
            out[(t, s)] = max(out.get((t, s), 0.0), min(w, 1.0))
    return out


def damping(ds: Dataset, scoring: ScoringRules, as_of: date) -> dict[str, float]:
    """Hub damping from the undirected neighbour count."""
    und = nx.Graph()
    und.add_nodes_from(e.id for e in ds.entities)
    und.add_edges_from((o.owner, o.asset) for o in ds.ownerships if o.active(as_of))
    und.add_edges_from((c.controller, c.controlled) for c in ds.controls if c.active(as_of))
    und.add_edges_from((r.a, r.b) for r in _live_relations(ds, as_of))
    und.remove_edges_from(list(nx.selfloop_edges(und)))
    ref, exp = scoring.hub_damping.reference_degree, scoring.hub_damping.exponent
    return {v: 1.0 if d <= ref else (ref / d) ** exp for v, d in und.degree()}


@dataclass(frozen=True)
class RefPath:
    nodes: tuple[str, ...]  # x first, seed last
    strength: float


def seed_strengths(ids: tuple[str, ...], v: RegimeArrays, scoring: ScoringRules) -> dict[str,
                                                                                        float]:
    """Seed id -> strength."""
    out = {}
    for i, eid in enumerate(ids):
        if v.blocked[i]:
            out[eid] = 1.0
        elif v.possibly[i]:
            out[eid] = scoring.possibly_blocked
    return out


def all_paths(ds: Dataset, scoring: ScoringRules, v: RegimeArrays, as_of: date) -> dict[Pair,
                                                                                      list[RefPath]]:
    """(x, seed) -> every valid simple path with its strength (at least min_strength)."""
    weights = edge_weights(ds, scoring, v.regime, as_of)
    damp = damping(ds, scoring, as_of)
    ids = tuple(e.id for e in ds.entities)
    seeds = seed_strengths(ids, v, scoring)
    dig = nx.DiGraph()
    dig.add_nodes_from(ids)
    dig.add_edges_from((s, t) for t, s in weights)
    out: dict[Pair, list[RefPath]] = {}
    for b, seed in seeds.items():
        for x in ids:
            if x == b:
                continue
            for path in nx.all_simple_paths(dig, b, x, cutoff=scoring.max_depth):
                nodes = tuple(reversed(path))
                if any(n in seeds for n in nodes[1:-1]):
                    continue
                k = len(nodes) - 1
                s = math.prod(weights[(nodes[j], nodes[j + 1])] for j in range(k))
                s *= scoring.decay ** (k - 1) * math.prod(damp[n] for n in nodes[1:-1]) * seed
                if s > 0 and s >= scoring.min_strength:
                    out.setdefault((x, b), []).append(RefPath(nodes, s))
    return out


def strengths(ds: Dataset, scoring: ScoringRules, v: RegimeArrays,
              as_of: date) -> dict[Pair, float]:
    """(x, seed) -> s(x, seed)."""
    return {k: max(p.strength for p in ps) for k, ps in all_paths(ds, scoring, v, as_of).items()}


def score(ds: Dataset, scoring: ScoringRules, verdicts: dict[str, RegimeArrays],
          listed_other: dict[str, list[bool]], as_of: date) -> dict[str, tuple[float, int]]:
    """Entity id -> (score, number of contributions) by the literal formula."""
    ids = tuple(e.id for e in ds.entities)
    per_regime = {r: strengths(ds, scoring, v, as_of) for r, v in verdicts.items()}
    out = {}
    for i, x in enumerate(ids):
        n_blocked = sum(bool(v.blocked[i]) for v in verdicts.values())
        if n_blocked:
            out[x] = (scoring.blocked_score, n_blocked + (n_blocked > 1))
            continue
        points = [scoring.scale * scoring.regime_weight(r) * scoring.possibly_blocked
                  for r, v in verdicts.items() if v.possibly[i]]
        points += [scoring.scale * scoring.regime_weight(r) * scoring.other_listing
                   for r, flags in listed_other.items() if flags[i]]
        points += [scoring.scale * scoring.regime_weight(r) * s
                   for r, table in per_regime.items() for (y, _), s in table.items() if y == x]
        total = round(sum(round(p, 2) for p in points), 2)
        out[x] = (min(total, scoring.unblocked_cap), len(points) + (total > scoring.unblocked_cap))
    return out
