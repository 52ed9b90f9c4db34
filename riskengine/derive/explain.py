"""Explain one entity's verdict under one regime: evidence paths back to listings.

Explanations are per entity, so this module walks the graph in Python, locally, backwards
along incoming edges from the entity to listed entities (breadth first: shortest chains
first, ties broken by entity id). Every step cites the original fact through the Graph's
``*_edge`` index arrays. Shares are combined as in the derivation: parallel reports of one
holding by MAX, sums rounded before the threshold test, own-share holdings ignored.

Evidence by status:

* listed: one "listed" per asset-freeze designation in force in the regime;
* owned: one "owned" per contributing blocked owner (aggregate test), or per contributing
  member of each designated holder meeting the test (per-person test), shortest path first;
* controlled: "controlled" per counted control edge from a blocked controller (per-person:
  also a qualifying holding of a controlled entity);
* clear: "possibly_owned" (ranges, possibly blocked owners or controllers, per-person holders
  on upper bounds), "unknown_share" (a holding of unknown size of a possibly blocked owner)
  and "control_not_blocking" (a blocked controller whose kind of control does not count);
* any status: "non_blocking" per sectoral, export-control or other non-freezing listing in
  force (last), the listings the score's other_listing contribution counts.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, cast

import numpy as np

from riskengine.derive import review
from riskengine.derive.aggregate import (
    JOINT_ARRANGEMENT,
    GraphIndex,
    graph_index,
    least_fixpoint,
    meets,
)
from riskengine.derive.base import RegimeArrays
from riskengine.derive.export import affiliate_evidence
from riskengine.derive.per_person import group_labels, partner_keys
from riskengine.derive.verdicts import cite, listing_label, pct
from riskengine.domain import CONTROL_KINDS, Designation
from riskengine.graph import BoolArray, Graph
from riskengine.result import Evidence, PathItem, RegimeVerdict, Status
from riskengine.ruleset.models import RegimeParams

Keep = Callable[[int], bool]
EvidenceKind = Literal["listed", "owned", "controlled", "possibly_owned", "control_not_blocking",
                       "unknown_share", "non_blocking", "listing_date_unknown",
                       "ambiguous_ownership"]


@dataclass(frozen=True)
class Ctx:
    """Everything one explanation reads."""

    g: Graph
    arrays: RegimeArrays
    params: RegimeParams
    idx: GraphIndex

    def name(self, v: int) -> str:
        """The entity's name (its id if the Graph's dataset does not list it at ``v``), from
        the facts' names: no entity record is read for it."""
        names = self.g.dataset.names
        return names[v] if v < len(names) else self.g.ids[v]

    def counts(self, kind: int) -> bool:
        """Whether a control edge of this kind code blocks under the regime."""
        return kind != JOINT_ARRANGEMENT and CONTROL_KINDS[kind] in self.params.control_kinds

    def meets(self, share: float) -> bool:
        """``aggregate.meets`` on one share."""
        return bool(meets(np.asarray([share], dtype=np.float64), self.params)[0])

    def rule(self) -> str:
        """'US: 50% or more, aggregated'."""
        p = self.params
        level = f"{p.threshold:g}% or more" if p.inclusive else f"more than {p.threshold:g}%"
        how = {"aggregate": "aggregated", "per_person": "per person"}.get(p.ownership_test, "")
        return f"{self.arrays.regime.upper()}: {level}, {how}"

    def kind(self, pos: int) -> str:
        """Control kind of control edge ``pos``."""
        return CONTROL_KINDS[int(self.g.control.attrs["kind"][pos])]

    def walk(self, possible: bool) -> Walk:
        """Back through blocked entities on lower bounds, or possibly blocked on upper ones."""
        keep = self.arrays.possibly if possible else self.arrays.blocked
        return Walk(_mask(keep), "high" if possible else "low", True, _mask(self.arrays.listed))


def designations(ctx: Ctx, v: int) -> list[Designation]:
    """Asset-freeze designations of entity ``v`` in force in the regime, oldest first."""
    found = [d for d in ctx.idx.designations.get(ctx.g.ids[v], ())
             if d.regime == ctx.arrays.regime and d.blocking and d.active(ctx.g.as_of)]
    return sorted(found, key=lambda d: (d.listed_from.toordinal() if d.listed_from else 0, d.id))


def non_blocking(ctx: Ctx, v: int) -> list[Designation]:
    """Non-blocking designations (sectoral, export control, other) of ``v`` in force in the
    regime, oldest first."""
    found = [d for d in ctx.idx.designations.get(ctx.g.ids[v], ())
             if d.regime == ctx.arrays.regime and not d.blocking and d.active(ctx.g.as_of)]
    return sorted(found, key=lambda d: (d.listed_from.toordinal() if d.listed_from else 0, d.id))


def _entity_item(ctx: Ctx, v: int) -> PathItem:
    return PathItem(type="entity", id=ctx.g.ids[v], label=ctx.name(v))


def _listing_item(d: Designation) -> PathItem:
    return PathItem(type="listing", id=d.id, label=listing_label(d), source=cite(d.source))


def _own_item(ctx: Ctx, pos: int) -> PathItem:
    fact = ctx.g.dataset.ownerships[int(ctx.g.ownership.edge[pos])]
    return PathItem(type="edge", id=fact.id, label=f"owned {fact.share.label()} by",
                    source=cite(fact.source))


def _control_item(ctx: Ctx, pos: int) -> PathItem:
    fact = ctx.g.dataset.controls[int(ctx.g.control.edge[pos])]
    return PathItem(type="edge", id=fact.id, label=f"controlled by ({fact.kind})",
                    source=cite(fact.source))


def holders(ctx: Ctx, v: int, bound: str, keep: Keep) -> dict[int, int]:
    """Owner -> position of its largest-``bound`` edge into ``v`` (kept owners, share > 0),
    by owner id. Own-share holdings are ignored."""
    own = ctx.g.ownership
    values = own.attrs[bound]
    best: dict[int, int] = {}
    for pos in ctx.idx.owners.at(v):
        o = int(own.src[pos])
        if o != v and keep(o) and values[pos] > 0 and (o not in best
                                                       or values[pos] > values[best[o]]):
            best[o] = pos
    return dict(sorted(best.items(), key=lambda item: ctx.g.ids[item[0]]))


def held(ctx: Ctx, v: int, bound: str, keep: Keep) -> float:
    """Sum of the MAX-combined ``bound`` shares held in ``v`` by kept owners."""
    values = ctx.g.ownership.attrs[bound]
    return float(sum(float(values[p]) for p in holders(ctx, v, bound, keep).values()))


def control_edges(ctx: Ctx, v: int, keep: Keep, counted: bool) -> list[tuple[int, int]]:
    """(controller, position) of the control edges into ``v`` from kept controllers whose
    kind the regime counts (``counted``) or does not count, by controller id."""
    ctl = ctx.g.control
    found = [(int(ctl.src[p]), p) for p in ctx.idx.controllers.at(v)
             if ctx.counts(int(ctl.attrs["kind"][p])) == counted and int(ctl.src[p]) != v]
    return sorted(((c, p) for c, p in found if keep(c)), key=lambda t: (ctx.g.ids[t[0]], t[1]))


def _mask(flags: BoolArray) -> Keep:
    return lambda v: bool(flags[v])


@dataclass(frozen=True)
class Walk:
    """A walk back to a listing: entities it may pass, share bound, control edges or not,
    where it stops."""

    keep: Keep
    bound: str
    control: bool
    target: Keep


def chain(ctx: Ctx, start: int, walk: Walk) -> list[PathItem]:
    """Shortest walk back from ``start`` to a target: [edge, entity, ..., listing]."""
    parent: dict[int, tuple[int, int, bool]] = {}  # entity -> (child, edge position, control)
    queue, seen = deque([start]), {start}
    while queue:
        v = queue.popleft()
        if walk.target(v):
            return _unwind(ctx, parent, v)
        steps = [(o, p, False) for o, p in holders(ctx, v, walk.bound, walk.keep).items()]
        if walk.control:
            steps += [(c, p, True) for c, p in control_edges(ctx, v, walk.keep, True)]
        for u, p, is_control in steps:
            if u not in seen:
                seen.add(u)
                parent[u] = (v, p, is_control)
                queue.append(u)
    return []


def _unwind(ctx: Ctx, parent: dict[int, tuple[int, int, bool]], end: int) -> list[PathItem]:
    steps: list[PathItem] = []
    v = end
    while v in parent:
        child, p, is_control = parent[v]
        edge = _control_item(ctx, p) if is_control else _own_item(ctx, p)
        steps[:0] = [edge, _entity_item(ctx, v)]
        v = child
    listings = designations(ctx, end)
    return [*steps, _listing_item(listings[0])] if listings else steps


def evidence(ctx: Ctx, kind: EvidenceKind, detail: str, v: int, step: tuple[PathItem, int],
             walk: Walk) -> Evidence:
    """Evidence with path [v, edge, u, ...chain from u back to a listing]."""
    item, u = step
    path = (_entity_item(ctx, v), item, _entity_item(ctx, u), *chain(ctx, u, walk))
    return Evidence(kind=kind, detail=detail, path=path)


def _shortest_first(found: list[Evidence]) -> list[Evidence]:
    return sorted(found, key=lambda e: len(e.path))


def listed_evidence(ctx: Ctx, v: int) -> list[Evidence]:
    """One 'listed' evidence per designation in force in the regime."""
    return [Evidence(kind="listed", detail=f"listed: {listing_label(d)}",
                     path=(_entity_item(ctx, v), _listing_item(d)))
            for d in designations(ctx, v)]


def non_blocking_evidence(ctx: Ctx, v: int, blocked: bool) -> list[Evidence]:
    """One 'non_blocking' evidence per sectoral, export-control or other listing in force:
    'not blocked; sectoral: OFAC SSI UKRAINE-EO13662 since ...' (scored as other_listing)."""
    head = "also" if blocked else "not blocked"
    return [Evidence(kind="non_blocking",
                     detail=f"{head}; {d.measure.replace('_', ' ')}: {listing_label(d)}",
                     path=(_entity_item(ctx, v), _listing_item(d)))
            for d in non_blocking(ctx, v)]


def aggregate_owned(ctx: Ctx, v: int) -> list[Evidence]:
    """Blocked owners' shares add up (OFAC FAQ 401, EU): one path per blocked owner."""
    keep, walk = _mask(ctx.arrays.blocked), ctx.walk(False)
    summary = f"owned {pct(held(ctx, v, 'low', keep))} by blocked parties ({ctx.rule()})"
    return _shortest_first([
        evidence(ctx, "owned", f"{summary}; {_own_item(ctx, p).label} {ctx.name(o)}", v,
                 (_own_item(ctx, p), o), walk)
        for o, p in holders(ctx, v, "low", keep).items()])


def ancestors(ctx: Ctx, v: int, bound: str, keep: Keep) -> set[int]:
    """Entities reaching ``v`` through positive ``bound`` holdings of kept owners."""
    seen, queue = {v}, deque([v])
    while queue:
        for o in holders(ctx, queue.popleft(), bound, keep):
            if o not in seen:
                seen.add(o)
                queue.append(o)
    return seen


def holder_sets(ctx: Ctx, v: int, bound: str, keep: Keep) -> list[tuple[frozenset[int], set[int]]]:
    """(G, S_G) of the designated holders whose S_G (on ``bound``) holds enough of ``v``.

    Only holders with a member among ``v``'s ancestors can; their S_G are computed with the
    derivation's own sparse fixed point (``aggregate.least_fixpoint``), seeded with them only.
    """
    listed, n = np.flatnonzero(ctx.arrays.listed), ctx.g.n
    labels = group_labels(ctx.g, ctx.arrays.listed, ctx.params)
    partners = partner_keys(ctx.g, ctx.arrays.listed, ctx.params, labels)
    near = np.asarray(list(ancestors(ctx, v, bound, keep)), dtype=np.int64)
    hit = np.r_[labels[np.isin(listed, near)], partners[np.isin(partners % n, near)] // n]
    wanted = np.isin(labels, hit)
    mine = partners[np.isin(partners // n, labels[wanted])]
    seed = np.union1d(labels[wanted] * n + listed[wanted], mine)
    shares = ctx.idx.low if bound == "low" else ctx.idx.high
    closure = least_fixpoint(seed, int(labels.max(initial=0)) + 1, ctx.params, shares, None)
    found = []
    for k in np.unique(labels[wanted]).tolist():
        members = set((closure.members[closure.members // n == k] % n).tolist())
        if ctx.meets(held(ctx, v, bound, members.__contains__)):
            found.append((frozenset(listed[labels == k].tolist()), members))
    return sorted(found, key=lambda item: sorted(ctx.g.ids[p] for p in item[0]))


def partners_of(ctx: Ctx, group: frozenset[int]) -> dict[int, int]:
    """Joint-arrangement partner -> position of its arrangement edge with a group member,
    for partners outside the group (``RegimeParams.joint_arrangement_partners``)."""
    if not ctx.params.joint_arrangement_partners:
        return {}
    ctl, found = ctx.g.control, dict[int, int]()
    for pos in np.flatnonzero(ctl.attrs["kind"] == JOINT_ARRANGEMENT).tolist():
        a, b = int(ctl.src[pos]), int(ctl.dst[pos])
        for mine, other in ((a, b), (b, a)):
            if mine in group and other not in group and other != mine:
                found.setdefault(other, pos)
    return found


def _arrangement_tail(ctx: Ctx, path: list[PathItem], partners: dict[int, int],
                      group: frozenset[int]) -> list[PathItem]:
    """A chain that ends at a joint-arrangement partner, continued to the designated member:
    [..., partner, joint arrangement edge, member, listing]."""
    at = max((k for k, item in enumerate(path) if item.type == "entity"), default=-1)
    last = ctx.g.index.get(path[at].id) if at >= 0 else None
    if last is None or last not in partners:
        return path
    path, pos = path[:at + 1], partners[last]
    member = next(e for e in (int(ctx.g.control.src[pos]), int(ctx.g.control.dst[pos]))
                  if e in group)
    fact = ctx.g.dataset.controls[int(ctx.g.control.edge[pos])]
    edge = PathItem(type="edge", id=fact.id, label="in a joint arrangement with",
                    source=cite(fact.source))
    listings = designations(ctx, member)
    return [*path, edge, _entity_item(ctx, member), *(_listing_item(d) for d in listings[:1])]


def per_person_owned(ctx: Ctx, v: int, possible: bool) -> list[Evidence]:
    """Each designated holder alone (UK): paths of every holder meeting the test, on lower
    bounds, or on upper bounds for a possibly blocked entity."""
    arrays, bound = ctx.arrays, "high" if possible else "low"
    keep = _mask(arrays.possibly if possible else arrays.listed | arrays.owned)
    return [e for group, members in holder_sets(ctx, v, bound, keep)
            for e in _group_evidence(ctx, v, group, members, possible)]


def _group_evidence(ctx: Ctx, v: int, group: frozenset[int], members: set[int],
                    possible: bool) -> list[Evidence]:
    bound = "high" if possible else "low"
    share = pct(held(ctx, v, bound, members.__contains__))
    names = " and ".join(sorted(ctx.name(p) for p in group))
    names += " (joint arrangement)" if len(group) > 1 else ""
    partners = {p: e for p, e in partners_of(ctx, group).items() if p in members}
    names += "".join(f" with {ctx.name(p)}, a partner in a joint arrangement"
                     f" ({'designated' if ctx.arrays.listed[p] else 'not designated'}) whose"
                     " shares count as theirs" for p in sorted(partners, key=ctx.name))
    summary = (f"possibly blocked: up to {share} held by designated {names} on the upper"
               f" bounds of shares ({ctx.rule()})" if possible
               else f"owned {share} by designated {names} ({ctx.rule()})")
    walk = Walk(members.__contains__, bound, False, (group | set(partners)).__contains__)
    found = []
    for o, p in holders(ctx, v, bound, members.__contains__).items():
        item = _own_item(ctx, p)
        head = [_entity_item(ctx, v), item, _entity_item(ctx, o), *chain(ctx, o, walk)]
        found.append(Evidence(kind="possibly_owned" if possible else "owned",
                              detail=f"{summary}; {item.label} {ctx.name(o)}",
                              path=tuple(_arrangement_tail(ctx, head, partners, group))))
    return _shortest_first(found)


def controlled(ctx: Ctx, v: int) -> list[Evidence]:
    """Counted control edges from blocked controllers; under the per-person test also a
    qualifying holding of a controlled entity."""
    walk, values = ctx.walk(False), ctx.g.ownership.attrs["low"]
    found = [evidence(ctx, "controlled", f"controlled by blocked {ctx.name(c)} ({ctx.kind(p)})",
                      v, (_control_item(ctx, p), c), walk)
             for c, p in control_edges(ctx, v, _mask(ctx.arrays.blocked), True)]
    found += [evidence(ctx, "controlled", f"owned {pct(float(values[p]))} by controlled"
                       f" {ctx.name(o)} ({ctx.rule()})", v, (_own_item(ctx, p), o), walk)
              for o, p in holders(ctx, v, "low", _mask(ctx.arrays.controlled)).items()
              if ctx.meets(float(values[p]))]
    return _shortest_first(found)


def _standing(ctx: Ctx, v: int) -> str:
    return "blocked" if ctx.arrays.blocked[v] else "possibly blocked"


def possibly(ctx: Ctx, v: int) -> list[Evidence]:
    """Why an entity is possibly but not definitely blocked: ranged shares, possibly blocked
    owners or controllers. Unknown shares are reported by ``unknown_shares``."""
    arrays, walk = ctx.arrays, ctx.walk(True)
    owners = holders(ctx, v, "high", _mask(arrays.possibly))
    found = []
    if ctx.params.ownership_test == "aggregate" and len(owners) > 1:
        low = held(ctx, v, "low", _mask(arrays.blocked))
        high = held(ctx, v, "high", _mask(arrays.possibly))
        found.append(Evidence(kind="possibly_owned", detail=f"possibly blocked: {pct(low, high)}"
                              f" of {ctx.name(v)} held by blocked or possibly blocked parties"
                              f" together ({ctx.rule()})"))
    found += [e for o, p in owners.items() if (e := _uncertain_holding(ctx, v, o, p))]
    return found + [
        evidence(ctx, "possibly_owned", f"possibly blocked: controlled by possibly blocked"
                 f" {ctx.name(c)} ({ctx.kind(p)})", v, (_control_item(ctx, p), c), walk)
        for c, p in control_edges(ctx, v, _mask(arrays.possibly & ~arrays.blocked), True)]


def _uncertain_holding(ctx: Ctx, v: int, o: int, p: int) -> Evidence | None:
    """Evidence of a ranged holding, or of an exact one of a possibly blocked owner."""
    share = ctx.g.dataset.ownerships[int(ctx.g.ownership.edge[p])].share
    if not share.known or (share.is_exact and ctx.arrays.blocked[o]):
        return None
    detail = (f"possibly blocked: ownership share {share.label()} of {ctx.name(v)} by"
              f" {_standing(ctx, o)} {ctx.name(o)}" + ("" if share.is_exact else " (range)"))
    return evidence(ctx, "possibly_owned", detail, v, (_own_item(ctx, p), o), ctx.walk(True))


def unknown_shares(ctx: Ctx, v: int) -> list[Evidence]:
    """Holdings of unknown size in ``v`` of blocked or possibly blocked owners."""
    own = ctx.g.ownership
    return [evidence(ctx, "unknown_share", f"unknown share of {ctx.name(v)} held by"
                     f" {_standing(ctx, o)} {ctx.name(o)}", v, (_own_item(ctx, p), o),
                     ctx.walk(True))
            for p in ctx.idx.owners.at(v)
            for o in [int(own.src[p])]
            if not own.attrs["known"][p] and o != v and ctx.arrays.possibly[o]]


def control_not_blocking(ctx: Ctx, v: int) -> list[Evidence]:
    """Blocked controllers whose kind of control the regime does not count (OFAC FAQ 398)."""
    params = ctx.params
    note = f" ({params.note})" if params.note else ""
    found = []
    for c, p in control_edges(ctx, v, _mask(ctx.arrays.blocked), False):
        rule = ("does not block on control alone" if not params.control_kinds
                else f"does not count {ctx.kind(p)} as control")
        detail = (f"controlled by blocked {ctx.name(c)} ({ctx.kind(p)}) without"
                  f" {params.threshold:g}% ownership; {ctx.arrays.regime.upper()} {rule}{note}:"
                  " treat as exposure")
        found.append(evidence(ctx, "control_not_blocking", detail, v, (_control_item(ctx, p), c),
                              ctx.walk(False)))
    return found


def explain_verdict(g: Graph, arrays: RegimeArrays, params: RegimeParams, i: int) -> RegimeVerdict:
    """Status, blocked/possibly flags and evidence of entity ``i`` under one regime.

    ``arrays`` and ``params`` must be those ``derive_regime`` used for this regime and ``g``.
    """
    ctx = Ctx(g, arrays, params, graph_index(g))
    status = cast(Status, arrays.status(i))
    found = listed_evidence(ctx, i)
    per_person = params.ownership_test == "per_person"
    if status == "owned":
        found += per_person_owned(ctx, i, False) if per_person else aggregate_owned(ctx, i)
    elif status == "controlled":
        found += controlled(ctx, i)
    elif status == "clear":
        found += per_person_owned(ctx, i, True) if per_person and arrays.possibly[i] else []
        found += possibly(ctx, i) if arrays.possibly[i] else []
        found += unknown_shares(ctx, i) + control_not_blocking(ctx, i)
        found += review.date_unknown(ctx.g, ctx.idx.designations, ctx.arrays.regime, i)
    if status != "listed":
        found += review.transferred_after(g, ctx.idx.designations, arrays.regime, i)
        found += review.disagreeing_records(g, ctx.idx.designations, arrays.regime, i,
                                            arrays.listed)
    found += non_blocking_evidence(ctx, i, status != "clear")
    found += affiliate_evidence(g, arrays, params.export_affiliates, i)
    return RegimeVerdict(status=status, blocked=status != "clear",
                         possibly_blocked=bool(arrays.possibly[i]), evidence=tuple(found))
