"""Export-control ownership tests (BIS "50% Affiliates rule", ``rules/regimes.yaml``).

Entities owned 50% or more, directly or indirectly, individually or in the aggregate, by
parties on the Entity List or the Military End-User List share their licence requirements
(90 FR 47201). The same aggregate fixpoint as the OFAC 50% rule (``kernel.closure``) seeded
with the listed parties, on lower-bound shares, ownership only. The result is export-control
exposure of the owned entity (evidence ``non_blocking``, scoring factor ``export_affiliate``),
never a block; while the rule is suspended it is flagged for review and not scored.

Listings on the named lists are recognised by their designations (list name), read only for
the entities with a non-blocking listing that also hold shares, or that the test reaches.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from riskengine.derive.aggregate import graph_index
from riskengine.derive.base import Affiliates, RegimeArrays, cite, listing_label, pct
from riskengine.derive.kernel import Kernel, closure
from riskengine.domain import Designation
from riskengine.graph import BoolArray, Graph
from riskengine.result import Evidence, PathItem
from riskengine.ruleset.models import AffiliatesRule, RegimeParams

AFFILIATE = "export control: owned"  # how an affiliate's evidence detail starts


def on_lists(g: Graph, code: str, rule: AffiliatesRule, i: int) -> list[Designation]:
    """Designations of entity ``i`` in force in regime ``code`` on one of the rule's lists."""
    return sorted((d for d in g.dataset.designations_of(g.ids[i])
                   if d.regime == code and d.list_name in rule.lists and d.active(g.as_of)),
                  key=lambda d: d.id)


def _listed_among(g: Graph, code: str, rule: AffiliatesRule, mask: BoolArray) -> BoolArray:
    out = np.zeros(g.n, dtype=np.bool_)
    for i in np.flatnonzero(mask).tolist():
        out[i] = bool(on_lists(g, code, rule, i))
    return out


def _as_params(rule: AffiliatesRule) -> RegimeParams:
    return RegimeParams(ownership_test="aggregate", threshold=rule.threshold,
                        inclusive=rule.inclusive)


def derive_affiliates(g: Graph, code: str, rule: AffiliatesRule,
                      kernel: Kernel | None = None) -> Affiliates:
    """Seed and caught flags of the rule for every entity of ``g``."""
    other = g.listed_other.get(code)
    none = np.zeros(g.n, dtype=np.bool_)
    if other is None or not len(g.ownership):
        return Affiliates(none, none.copy(), rule.suspended)
    holds = np.zeros(g.n, dtype=np.bool_)
    holds[g.ownership.src[g.ownership.src != g.ownership.dst]] = True
    seed = _listed_among(g, code, rule, other & holds)
    if not seed.any():
        return Affiliates(seed, none, rule.suspended)
    k = kernel or Kernel.of(g)
    member, _ = closure(k, seed, k.holdings.low, _as_params(rule), None)
    reached = member & ~seed
    caught = reached & ~_listed_among(g, code, rule, reached & other)
    return Affiliates(seed, caught, rule.suspended)


def with_affiliates(g: Graph, arrays: RegimeArrays, params: RegimeParams,
                    kernel: Kernel | None = None) -> RegimeArrays:
    """``arrays`` with the period's export-control ownership test, if it has one."""
    rule = params.export_affiliates
    if rule is None:
        return arrays
    return replace(arrays, affiliates=derive_affiliates(g, arrays.regime, rule, kernel))


def _entity(g: Graph, v: int) -> PathItem:
    found = g.dataset.entities[v] if v < len(g.dataset.entities) else None
    name = found.name if found is not None and found.id == g.ids[v] else g.ids[v]
    return PathItem(type="entity", id=g.ids[v], label=name)


def _owners(g: Graph, v: int, keep: BoolArray) -> dict[int, int]:
    """Kept owner -> position of its largest lower-bound holding in ``v``, by owner id."""
    own, best = g.ownership, dict[int, int]()
    for pos in graph_index(g).owners.at(v):
        o, low = int(own.src[pos]), float(own.attrs["low"][pos])
        if o != v and keep[o] and low > 0 and (o not in best
                                              or low > own.attrs["low"][best[o]]):
            best[o] = pos
    return dict(sorted(best.items(), key=lambda item: g.ids[item[0]]))


def _edge(g: Graph, pos: int) -> PathItem:
    fact = g.dataset.ownerships[int(g.ownership.edge[pos])]
    return PathItem(type="edge", id=fact.id, label=f"owned {fact.share.label()} by",
                    source=cite(fact.source))


def _back(g: Graph, code: str, rule: AffiliatesRule, a: Affiliates, o: int
          ) -> list[PathItem]:
    """From owner ``o`` back to a listed party: [entity, edge, entity, ..., listing]."""
    path, seen = [_entity(g, o)], {o}
    while not a.seed[o]:
        step = next(((u, p) for u, p in _owners(g, o, a.seed | a.caught).items()
                     if u not in seen), None)
        if step is None:
            return path
        o = step[0]
        seen.add(o)
        path += [_edge(g, step[1]), _entity(g, o)]
    listing = on_lists(g, code, rule, o)[:1]
    return path + [PathItem(type="listing", id=d.id, label=listing_label(d),
                            source=cite(d.source)) for d in listing]


def affiliate_evidence(g: Graph, arrays: RegimeArrays, rule: AffiliatesRule | None,
                       v: int) -> list[Evidence]:
    """'non_blocking' evidence for an entity the rule catches: one per listed or caught
    owner, each path back to the owner's listing; says 'suspended ...: review' when so."""
    a = arrays.affiliates
    if a is None or rule is None or not a.caught[v]:
        return []
    owners = _owners(g, v, a.seed | a.caught)
    total = sum(float(g.ownership.attrs["low"][p]) for p in owners.values())
    level = f"{rule.threshold:g}% or more" if rule.inclusive else f"more than {rule.threshold:g}%"
    state = ("suspended on this date: not scored; review" if a.suspended
             else "subject to the same licence requirements; not blocked")
    head = (f"{AFFILIATE} {pct(total)} by parties on the {' or '.join(rule.lists)}"
            f" ({rule.name}: {level}, aggregated): {state}")
    return [Evidence(kind="non_blocking",
                     detail=f"{head}; {_edge(g, p).label} {_entity(g, o).label}",
                     path=(_entity(g, v), _edge(g, p), *_back(g, arrays.regime, rule, a, o)))
            for o, p in owners.items()]
