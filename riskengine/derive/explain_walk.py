"""What an explanation of one verdict reads and how it walks: the context (graph, regime
arrays and parameters, the graph's index), the items a path is made of, the holdings and
control edges into an entity, and the shortest walk back from an entity to a listing
(breadth first: shortest chains first, ties broken by entity id). Every step cites the
original fact through the Graph's ``*_edge`` index arrays (``derive.explain`` builds the
evidence of each status from these)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from riskengine.derive.aggregate import JOINT_ARRANGEMENT, GraphIndex, meets
from riskengine.derive.base import RegimeArrays
from riskengine.derive.verdicts import cite, listing_label
from riskengine.domain import CONTROL_KINDS, Designation
from riskengine.graph import BoolArray, Graph, read_many
from riskengine.result import Evidence, PathItem
from riskengine.ruleset.models import RegimeParams

Keep = Callable[[int], bool]
EvidenceKind = Literal["listed", "owned", "controlled", "possibly_owned", "control_not_blocking",
                       "unknown_share", "non_blocking", "listing_date_unknown",
                       "ambiguous_ownership"]


@dataclass(frozen=True)
class Designated:
    """Designations (all periods) by entity id, read from the graph's facts; nothing is read
    for an entity the facts know to have none (``StoredFacts.designated``: most entities of
    a large graph, whose explanation would otherwise cost a store query each)."""

    g: Graph

    def get(self, entity_id: str, default: tuple[Designation, ...] = ()
            ) -> tuple[Designation, ...]:
        known = getattr(self.g.dataset, "designated", None)
        if known is not None and not known[self.g.index[entity_id]]:
            return default
        return self.g.dataset.designations_of(entity_id) or default


@dataclass(frozen=True)
class Ctx:
    """Everything one explanation reads."""

    g: Graph
    arrays: RegimeArrays
    params: RegimeParams
    idx: GraphIndex

    @property
    def designations(self) -> Designated:
        """The designations of entity ids (``Designated``)."""
        return Designated(self.g)

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
        if self.params.ownership_test == "per_person" and self.params.joint_arrangement_partners:
            from riskengine.derive import explain_kept  # noqa: PLC0415 - it imports this module's peers

            # a partner's holdings count as its designated partner's (``partner_steps``)
            keep = keep | explain_kept.partner_mask(self.g, self.arrays, self.params)
        return Walk(mask(keep), "high" if possible else "low", True, mask(self.arrays.listed))


def designations(ctx: Ctx, v: int) -> list[Designation]:
    """Asset-freeze designations of entity ``v`` in force in the regime, oldest first."""
    found = [d for d in ctx.designations.get(ctx.g.ids[v], ())
             if d.regime == ctx.arrays.regime and d.blocking and d.active(ctx.g.as_of)]
    return sorted(found, key=lambda d: (d.listed_from.toordinal() if d.listed_from else 0, d.id))


def non_blocking(ctx: Ctx, v: int) -> list[Designation]:
    """Non-blocking designations (sectoral, export control, other) of ``v`` in force in the
    regime, oldest first."""
    found = [d for d in ctx.designations.get(ctx.g.ids[v], ())
             if d.regime == ctx.arrays.regime and not d.blocking and d.active(ctx.g.as_of)]
    return sorted(found, key=lambda d: (d.listed_from.toordinal() if d.listed_from else 0, d.id))


def entity_item(ctx: Ctx, v: int) -> PathItem:
    return PathItem(type="entity", id=ctx.g.ids[v], label=ctx.name(v))


def listing_item(d: Designation) -> PathItem:
    return PathItem(type="listing", id=d.id, label=listing_label(d), source=cite(d.source))


def own_item(ctx: Ctx, pos: int) -> PathItem:
    fact = ctx.g.dataset.ownerships[int(ctx.g.ownership.edge[pos])]
    return PathItem(type="edge", id=fact.id, label=f"owned {fact.share.label()} by",
                    source=cite(fact.source))


def control_item(ctx: Ctx, pos: int) -> PathItem:
    fact = ctx.g.dataset.controls[int(ctx.g.control.edge[pos])]
    return PathItem(type="edge", id=fact.id, label=f"controlled by ({fact.kind})",
                    source=cite(fact.source))


def arrangement_item(ctx: Ctx, pos: int) -> PathItem:
    fact = ctx.g.dataset.controls[int(ctx.g.control.edge[pos])]
    return PathItem(type="edge", id=fact.id, label="in a joint arrangement with",
                    source=cite(fact.source))


def _is_arrangement(ctx: Ctx, pos: int) -> bool:
    return int(ctx.g.control.attrs["kind"][pos]) == JOINT_ARRANGEMENT


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


def mask(flags: BoolArray) -> Keep:
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
        steps += [(m, p, True) for m, p in partner_steps(ctx, v)]
        for u, p, is_control in steps:
            if u not in seen:
                seen.add(u)
                parent[u] = (v, p, is_control)
                queue.append(u)
    return []


def partner_steps(ctx: Ctx, v: int) -> list[tuple[int, int]]:
    """(designated member, arrangement edge position) of the groups whose joint-arrangement
    partner ``v`` is, under the per-person test with ``joint_arrangement_partners``: ``v``'s
    holdings count as theirs, so a walk back to a listing may go on to them (a walk that
    could only pass through ``v``'s own owners would stop short in a cycle)."""
    params = ctx.params
    if params.ownership_test != "per_person" or not params.joint_arrangement_partners:
        return []
    from riskengine.derive import explain_kept  # noqa: PLC0415 - it imports this module's peers

    kept, n = explain_kept.holders(ctx.g, ctx.arrays, params), ctx.g.n
    groups = kept.partners[kept.partners % n == v] // n
    members = kept.listed[np.isin(kept.labels, groups)].tolist() if groups.size else []
    return [(m, p) for m in members if (p := _arrangement(ctx, v, m)) is not None]


def _arrangement(ctx: Ctx, a: int, b: int) -> int | None:
    """Position of a joint_arrangement control edge between ``a`` and ``b`` (either way)."""
    ctl = ctx.g.control
    for end, other in ((a, b), (b, a)):
        for p in ctx.idx.controllers.at(end):
            if int(ctl.src[p]) == other and int(ctl.attrs["kind"][p]) == JOINT_ARRANGEMENT:
                return int(p)
    return None


def _read_hops(ctx: Ctx, parent: dict[int, tuple[int, int, bool]], end: int) -> None:
    """The facts of the hops back from ``end``, read in one batch per family."""
    hops, v = [], end
    while v in parent:
        hops.append(parent[v])
        v = parent[v][0]
    g = ctx.g
    read_many(g.dataset.ownerships, [int(g.ownership.edge[p]) for _, p, c in hops if not c])
    read_many(g.dataset.controls, [int(g.control.edge[p]) for _, p, c in hops if c])


def _unwind(ctx: Ctx, parent: dict[int, tuple[int, int, bool]], end: int) -> list[PathItem]:
    steps: list[PathItem] = []
    _read_hops(ctx, parent, end)
    v = end
    while v in parent:
        child, p, is_control = parent[v]
        edge = (arrangement_item(ctx, p) if is_control and _is_arrangement(ctx, p)
                else control_item(ctx, p) if is_control else own_item(ctx, p))
        steps[:0] = [edge, entity_item(ctx, v)]
        v = child
    listings = designations(ctx, end)
    return [*steps, listing_item(listings[0])] if listings else steps


def evidence(ctx: Ctx, kind: EvidenceKind, detail: str, v: int, step: tuple[PathItem, int],
             walk: Walk) -> Evidence:
    """Evidence with path [v, edge, u, ...chain from u back to a listing]."""
    item, u = step
    path = (entity_item(ctx, v), item, entity_item(ctx, u), *chain(ctx, u, walk))
    return Evidence(kind=kind, detail=detail, path=path)


def shortest_first(found: list[Evidence]) -> list[Evidence]:
    return sorted(found, key=lambda e: len(e.path))
