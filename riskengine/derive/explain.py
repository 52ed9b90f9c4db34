"""Explain one entity's verdict under one regime: evidence paths back to listings.

Explanations are per entity, so they walk the graph in Python (``explain_walk``), locally,
backwards along incoming edges from the entity to listed entities (breadth first: shortest
chains first, ties broken by entity id). Every step cites the original fact through the Graph's
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
from typing import cast

import numpy as np

from riskengine.derive import explain_kept, review
from riskengine.derive.aggregate import JOINT_ARRANGEMENT, graph_index
from riskengine.derive.base import RegimeArrays
from riskengine.derive.explain_walk import (
    Ctx,
    Keep,
    Walk,
    chain,
    control_edges,
    control_item,
    designations,
    entity_item,
    evidence,
    held,
    holders,
    listing_item,
    mask,
    non_blocking,
    own_item,
    shortest_first,
)
from riskengine.derive.export import affiliate_evidence
from riskengine.derive.verdicts import cite, listing_label, pct
from riskengine.graph import BoolArray, Graph, read_many
from riskengine.result import Evidence, PathItem, RegimeVerdict, Status
from riskengine.ruleset.models import RegimeParams


def listed_evidence(ctx: Ctx, v: int) -> list[Evidence]:
    """One 'listed' evidence per designation in force in the regime."""
    return [Evidence(kind="listed", detail=f"listed: {listing_label(d)}",
                     path=(entity_item(ctx, v), listing_item(d)))
            for d in designations(ctx, v)]


def non_blocking_evidence(ctx: Ctx, v: int, blocked: bool) -> list[Evidence]:
    """One 'non_blocking' evidence per sectoral, export-control or other listing in force:
    'not blocked; sectoral: OFAC SSI UKRAINE-EO13662 since ...' (scored as other_listing)."""
    head = "also" if blocked else "not blocked"
    return [Evidence(kind="non_blocking",
                     detail=f"{head}; {d.measure.replace('_', ' ')}: {listing_label(d)}",
                     path=(entity_item(ctx, v), listing_item(d)))
            for d in non_blocking(ctx, v)]


def aggregate_owned(ctx: Ctx, v: int) -> list[Evidence]:
    """Blocked owners' shares add up (OFAC FAQ 401, EU): one path per blocked owner."""
    keep, walk = mask(ctx.arrays.blocked), ctx.walk(False)
    summary = f"owned {pct(held(ctx, v, 'low', keep))} by blocked parties ({ctx.rule()})"
    owners = holders(ctx, v, "low", keep)
    read_many(ctx.g.dataset.ownerships, [int(ctx.g.ownership.edge[p]) for p in owners.values()])
    return shortest_first([
        evidence(ctx, "owned", f"{summary}; {own_item(ctx, p).label} {ctx.name(o)}", v,
                 (own_item(ctx, p), o), walk)
        for o, p in owners.items()])


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
    kept, n = explain_kept.holders(ctx.g, ctx.arrays, ctx.params), ctx.g.n
    listed, labels, partners = kept.listed, kept.labels, kept.partners
    near = np.asarray(list(ancestors(ctx, v, bound, keep)), dtype=np.int64)
    hit = np.r_[labels[np.isin(listed, near)], partners[np.isin(partners % n, near)] // n]
    wanted = np.isin(labels, hit)
    mine = partners[np.isin(partners // n, labels[wanted])]
    seed = np.union1d(labels[wanted] * n + listed[wanted], mine)
    members_of = explain_kept.local_closure(ctx.idx.shares(bound), seed,
                                            int(labels.max(initial=0)) + 1, ctx.params, near)
    found = []
    for k in np.unique(labels[wanted]).tolist():
        members = set((members_of[members_of // n == k] % n).tolist())
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
    return [*path, edge, entity_item(ctx, member), *(listing_item(d) for d in listings[:1])]


def per_person_owned(ctx: Ctx, v: int, possible: bool) -> list[Evidence]:
    """Each designated holder alone (UK): paths of every holder meeting the test, on lower
    bounds, or on upper bounds for a possibly blocked entity."""
    arrays, bound = ctx.arrays, "high" if possible else "low"
    keep = mask((arrays.possibly if possible else arrays.listed | arrays.owned)
                | _partner_mask(ctx))  # a partner's holdings count as a designee's
    return [e for group, members in holder_sets(ctx, v, bound, keep)
            for e in _group_evidence(ctx, v, group, members, possible)]


def _partner_mask(ctx: Ctx) -> BoolArray:
    """Joint-arrangement partners of designated holders (``per_person.partner_keys``)."""
    return explain_kept.partner_mask(ctx.g, ctx.arrays, ctx.params)


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
        item = own_item(ctx, p)
        head = [entity_item(ctx, v), item, entity_item(ctx, o), *chain(ctx, o, walk)]
        found.append(Evidence(kind="possibly_owned" if possible else "owned",
                              detail=f"{summary}; {item.label} {ctx.name(o)}",
                              path=tuple(_arrangement_tail(ctx, head, partners, group))))
    return shortest_first(found)


def controlled(ctx: Ctx, v: int) -> list[Evidence]:
    """Counted control edges from blocked controllers; under the per-person test also a
    qualifying holding of a controlled entity."""
    walk, values = ctx.walk(False), ctx.g.ownership.attrs["low"]
    found = [evidence(ctx, "controlled", f"controlled by blocked {ctx.name(c)} ({ctx.kind(p)})",
                      v, (control_item(ctx, p), c), walk)
             for c, p in control_edges(ctx, v, mask(ctx.arrays.blocked), True)]
    found += [evidence(ctx, "controlled", f"owned {pct(float(values[p]))} by controlled"
                       f" {ctx.name(o)} ({ctx.rule()})", v, (own_item(ctx, p), o), walk)
              for o, p in holders(ctx, v, "low", mask(ctx.arrays.controlled)).items()
              if ctx.meets(float(values[p]))]
    return shortest_first(found)


def _standing(ctx: Ctx, v: int) -> str:
    return "blocked" if ctx.arrays.blocked[v] else "possibly blocked"


def possibly(ctx: Ctx, v: int) -> list[Evidence]:
    """Why an entity is possibly but not definitely blocked: ranged shares, possibly blocked
    owners or controllers. Unknown shares are reported by ``unknown_shares``."""
    arrays, walk = ctx.arrays, ctx.walk(True)
    owners = holders(ctx, v, "high", mask(arrays.possibly))
    found = []
    if ctx.params.ownership_test == "aggregate" and len(owners) > 1:
        low = held(ctx, v, "low", mask(arrays.blocked))
        high = held(ctx, v, "high", mask(arrays.possibly))
        found.append(Evidence(kind="possibly_owned", detail=f"possibly blocked: {pct(low, high)}"
                              f" of {ctx.name(v)} held by blocked or possibly blocked parties"
                              f" together ({ctx.rule()})"))
    found += [e for o, p in owners.items() if (e := _uncertain_holding(ctx, v, o, p))]
    return found + [
        _to_listing(ctx, evidence(ctx, "possibly_owned", f"possibly blocked: controlled by"
                                  f" possibly blocked {ctx.name(c)} ({ctx.kind(p)})", v,
                                  (control_item(ctx, p), c), walk), c)
        for c, p in control_edges(ctx, v, mask(arrays.possibly & ~arrays.blocked), True)]


def _uncertain_holding(ctx: Ctx, v: int, o: int, p: int) -> Evidence | None:
    """Evidence of a ranged holding, or of an exact one of a possibly blocked owner."""
    share = ctx.g.dataset.ownerships[int(ctx.g.ownership.edge[p])].share
    if not share.known or (share.is_exact and ctx.arrays.blocked[o]):
        return None
    detail = (f"possibly blocked: ownership share {share.label()} of {ctx.name(v)} by"
              f" {_standing(ctx, o)} {ctx.name(o)}" + ("" if share.is_exact else " (range)"))
    return evidence(ctx, "possibly_owned", detail, v, (own_item(ctx, p), o), ctx.walk(True))


def unknown_shares(ctx: Ctx, v: int) -> list[Evidence]:
    """Holdings of unknown size in ``v`` of blocked or possibly blocked owners."""
    own = ctx.g.ownership
    return [_to_listing(ctx, evidence(ctx, "unknown_share", f"unknown share of {ctx.name(v)}"
                                      f" held by {_standing(ctx, o)} {ctx.name(o)}", v,
                                      (own_item(ctx, p), o), ctx.walk(True)), o)
            for p in ctx.idx.owners.at(v)
            for o in [int(own.src[p])]
            if not own.attrs["known"][p] and o != v and ctx.arrays.possibly[o]]


def _to_listing(ctx: Ctx, found: Evidence, u: int) -> Evidence:
    """``found`` whose walk back from owner ``u`` stopped short of a listing (under the
    per-person test, ``u`` may be owned through a joint-arrangement partner, whom the walk
    does not pass): continued with ``u``'s own per-person evidence, which reaches one."""
    if not found.path or found.path[-1].type == "listing" or \
            ctx.params.ownership_test != "per_person":
        return found
    for possible in (False, True):
        for own in per_person_owned(ctx, u, possible):
            if own.path and own.path[-1].type == "listing":
                return found.model_copy(update={"path": (*found.path[:-1], *own.path)})
    return found


def control_not_blocking(ctx: Ctx, v: int) -> list[Evidence]:
    """Blocked controllers whose kind of control the regime does not count (OFAC FAQ 398)."""
    params = ctx.params
    note = f" ({params.note})" if params.note else ""
    found = []
    for c, p in control_edges(ctx, v, mask(ctx.arrays.blocked), False):
        rule = ("does not block on control alone" if not params.control_kinds
                else f"does not count {ctx.kind(p)} as control")
        detail = (f"controlled by blocked {ctx.name(c)} ({ctx.kind(p)}) without"
                  f" {params.threshold:g}% ownership; {ctx.arrays.regime.upper()} {rule}{note}:"
                  " treat as exposure")
        found.append(_to_listing(ctx, evidence(ctx, "control_not_blocking", detail, v,
                                               (control_item(ctx, p), c), ctx.walk(False)), c))
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
        found += review.unknown_owners(ctx.g, i)
        found += review.date_unknown(ctx.g, ctx.designations, ctx.arrays.regime, i)
    if status != "listed":
        found += review.transferred_after(g, ctx.designations, arrays.regime, i)
        found += review.disagreeing_records(g, ctx.designations, arrays.regime, i,
                                            arrays.listed)
    found += non_blocking_evidence(ctx, i, status != "clear")
    found += affiliate_evidence(g, arrays, params.export_affiliates, i)
    return RegimeVerdict(status=status, blocked=status != "clear",
                         possibly_blocked=bool(arrays.possibly[i]), evidence=tuple(found))
