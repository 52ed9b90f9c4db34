"""Brute-force oracle of the blocking derivation, for tests: plain Python sets and networkx.

Slow (every round re-examines every entity) and written to read like the rules, so the
vectorised implementation can be checked against it. Same conventions: parallel holdings of
one (owner, asset) combine by MAX, own-share holdings are ignored, sums are rounded to
``SHARE_DECIMALS`` decimals and a zero holding never meets a threshold.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import networkx as nx
import numpy as np

from riskengine.derive.aggregate import SHARE_DECIMALS
from riskengine.derive.base import RegimeArrays
from riskengine.domain import CONTROL_KINDS
from riskengine.graph import BoolArray, Graph
from riskengine.ruleset.models import RegimeParams

Shares = dict[tuple[int, int], float]


@dataclass(frozen=True)
class Facts:
    """The graph as Python sets and dicts, for one regime."""

    n: int
    listed: frozenset[int]
    control: frozenset[tuple[int, int]]  # (controller, controlled), counted kinds only
    joint: frozenset[tuple[int, int]]  # joint arrangements between listed entities
    arrangements: frozenset[tuple[int, int]] = frozenset()  # every joint arrangement

    def meets(self, params: RegimeParams, pct: float) -> bool:
        """The threshold test on a rounded sum; a zero holding never meets."""
        pct = round(pct, SHARE_DECIMALS)
        return pct > 0 and params.meets(pct)


def facts(g: Graph, code: str, params: RegimeParams) -> Facts:
    """Listed entities, counted control edges and joint arrangements of ``g``."""
    flags = g.listed.get(code)
    listed = frozenset(i for i in range(g.n) if flags is not None and flags[i])
    edges = list(zip(g.control.src.tolist(), g.control.dst.tolist(),
                     g.control.attrs["kind"].tolist(), strict=True))
    counted = {CONTROL_KINDS.index(k) for k in params.control_kinds if k != "joint_arrangement"}
    joint = CONTROL_KINDS.index("joint_arrangement")
    return Facts(g.n, listed, frozenset((c, x) for c, x, k in edges if k in counted),
                 frozenset((a, b) for a, b, k in edges
                           if k == joint and a in listed and b in listed),
                 frozenset((a, b) for a, b, k in edges if k == joint and a != b))


def shares(g: Graph, bound: str) -> Shares:
    """(owner, asset) -> share bound, the largest of parallel reports; own shares dropped."""
    out: Shares = {}
    rows = zip(g.ownership.src.tolist(), g.ownership.dst.tolist(),
               g.ownership.attrs[bound].tolist(), strict=True)
    for owner, asset, value in rows:
        if owner != asset:
            out[(owner, asset)] = max(out.get((owner, asset), 0.0), float(value))
    return out


def held(share: Shares, holders: set[int], x: int) -> float:
    """Total share of ``x`` held by ``holders``."""
    return sum(v for (o, a), v in share.items() if a == x and o in holders)


def aggregate(f: Facts, share: Shares, params: RegimeParams) -> tuple[set[int], set[int]]:
    """(blocked, owned): grow the blocked set until no entity joins (OFAC 50% rule, EU)."""
    blocked = set(f.listed)
    while True:
        joining = {x for x in range(f.n) if x not in blocked and (
            f.meets(params, held(share, blocked, x))
            or any(c in blocked for c, y in f.control if y == x))}
        if not joining:
            owned = {x for x in blocked if f.meets(params, held(share, blocked, x))}
            return blocked, owned - f.listed
        blocked |= joining


def groups(f: Facts, params: RegimeParams) -> list[set[int]]:
    """Designated holders: joint-arrangement components, or each listed entity alone."""
    linked = nx.Graph()
    linked.add_nodes_from(f.listed)
    if params.joint_arrangements_aggregate:
        linked.add_edges_from(f.joint)
    return [set(c) for c in nx.connected_components(linked)]


def arrangement_partners(f: Facts, params: RegimeParams, group: set[int]) -> set[int]:
    """UK Sch. 1 para 3: every other party to a joint arrangement with a member of the
    group, designated or not, whose shares the member is treated as holding."""
    if not params.joint_arrangement_partners:
        return set()
    pairs = f.arrangements | {(b, a) for a, b in f.arrangements}
    return {b for a, b in pairs if a in group} - group


def grow(n: int, start: set[int], joins: Callable[[int, set[int]], bool]) -> set[int]:
    """Least superset of ``start`` closed under ``joins(x, current members)``."""
    members = set(start)
    while True:
        joining = {x for x in range(n) if x not in members and joins(x, members)}
        if not joining:
            return members
        members |= joining


def per_person(f: Facts, share: Shares, params: RegimeParams) -> tuple[set[int], set[int]]:
    """(owned, controlled): each designated holder alone (UK, OFSI)."""
    owned: set[int] = set()
    controlled: set[int] = set()
    for group in groups(f, params):
        partners = arrangement_partners(f, params, group)
        held_by = grow(f.n, group | partners, lambda x, s: f.meets(params, held(share, s, x)))
        mine = {x for x in held_by - group
                if x not in partners or f.meets(params, held(share, held_by, x))}
        owned |= mine
        controllers = (held_by - partners) | mine  # a partner's control edges do not count
        controlled |= grow(f.n, set(), control_rule(f, share, params, controllers))
    owned -= f.listed
    return owned, controlled - f.listed - owned


def control_rule(
    f: Facts, share: Shares, params: RegimeParams, held_by: set[int]
) -> Callable[[int, set[int]], bool]:
    """K_G's rule: a counted control edge from S_G or K_G, or one K_G member's holding."""

    def joins(x: int, k: set[int]) -> bool:
        by_control = any((c, x) in f.control for c in held_by | k)
        return by_control or any(f.meets(params, share.get((c, x), 0.0)) for c in k)

    return joins


def blocked_sets(
    f: Facts, share: Shares, params: RegimeParams
) -> tuple[set[int], set[int]]:
    """(owned, controlled) under the regime's ownership test for one share bound."""
    if params.ownership_test == "aggregate":
        blocked, owned = aggregate(f, share, params)
        return owned, blocked - f.listed - owned
    if params.ownership_test == "per_person":
        return per_person(f, share, params)
    return set(), set()


def flags(n: int, members: set[int] | frozenset[int]) -> BoolArray:
    """Boolean mask of length ``n`` set at ``members``."""
    return np.asarray([i in members for i in range(n)], dtype=np.bool_)


def reference_regime(g: Graph, code: str, params: RegimeParams) -> RegimeArrays:
    """Oracle of ``derive_regime``: same result, computed naively."""
    f = facts(g, code, params)
    owned, controlled = blocked_sets(f, shares(g, "low"), params)
    high_owned, high_controlled = blocked_sets(f, shares(g, "high"), params)
    possibly = f.listed | owned | controlled | high_owned | high_controlled
    return RegimeArrays(code, flags(f.n, f.listed), flags(f.n, owned),
                        flags(f.n, controlled), flags(f.n, possibly))
