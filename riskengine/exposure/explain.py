"""Words for the explained score: path items and contribution details a compliance officer
can read and check against the cited sources."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from riskengine.derive.base import RegimeArrays
from riskengine.derive.explain_walk import Designated
from riskengine.domain import Designation, Source
from riskengine.exposure.paths import BestPath
from riskengine.exposure.weights import (
    CONTROLLED_BY,
    CONTROLS,
    OWNED_BY,
    OWNS,
    RELATION,
    ExposureEdges,
)
from riskengine.graph import Graph
from riskengine.result import PathItem
from riskengine.ruleset.models import ScoringRules


def number(value: float) -> str:
    """0.60, 0.125, 0.0444, 0.0012: two decimals when that is exact, else three significant
    digits, so the figures in a detail multiply out to its points."""
    return f"{value:.2f}" if abs(round(value, 2) - value) < 1e-9 else f"{value:.3g}"


def name(g: Graph, i: int) -> str:
    """Display name of entity ``i`` (the facts' names: no entity record is read for it)."""
    return g.dataset.names[i]


def entity_item(g: Graph, i: int) -> PathItem:
    """Path item for entity ``i``."""
    return PathItem(type="entity", id=g.ids[i], label=name(g, i))


def cite(source: Source, *notes: str | None) -> str:
    """'ofac-sdn #37756 (2022-06-28); note'."""
    return "; ".join([source.cite(), *(n for n in (source.note, *notes) if n)])


def _ownership(g: Graph, row: int, role: int) -> PathItem:
    fact = g.dataset.ownerships[int(g.ownership.edge[row])]
    share = fact.share.label() if fact.share.known else "(share unknown)"
    label = f"owned {share} by" if role == OWNED_BY else f"owns {share} of"
    return PathItem(type="edge", id=fact.id, label=label, source=cite(fact.source))


def _control(g: Graph, row: int, role: int) -> PathItem:
    fact = g.dataset.controls[int(g.control.edge[row])]
    label = f"controlled ({fact.kind}) by" if role == CONTROLLED_BY else f"controls ({fact.kind})"
    return PathItem(type="edge", id=fact.id, label=label, source=cite(fact.source))


def _relation(g: Graph, row: int) -> PathItem:
    fact = g.dataset.relationships[int(g.relation.edge[row])]
    status: str = fact.status
    years = float(g.relation.attrs["ended_years"][row])
    if fact.status == "ended" and years > 0:
        status = f"ended {years:.1f} years ago"
    label = f"{fact.kind} ({status}) with"
    return PathItem(type="edge", id=fact.id, label=label, source=cite(fact.source, fact.note))


def read_cited(g: Graph, paths: Iterable[tuple[ExposureEdges, BestPath]]) -> None:
    """Read the facts behind every edge of ``paths`` (each with its regime's edges) at once,
    one batch per family, and the seeds' designations in one more, where the graph's facts
    come from a store (they have ``many``); ``edge_item`` and ``why_blocked`` then find them
    read."""
    wanted: dict[int, list[int]] = {OWNED_BY: [], CONTROLLED_BY: [], RELATION: []}
    seeds = []
    for edges, path in paths:
        seeds.append(g.ids[path.seed])
        for e in path.edges:
            role = int(edges.role[e])
            key = OWNED_BY if role in (OWNED_BY, OWNS) else (
                CONTROLLED_BY if role in (CONTROLLED_BY, CONTROLS) else RELATION)
            wanted[key].append(int(edges.row[e]))
    families = ((g.dataset.ownerships, g.ownership), (g.dataset.controls, g.control),
                (g.dataset.relationships, g.relation))
    for rows, (facts, arrays) in zip(wanted.values(), families, strict=True):
        many = getattr(facts, "many", None)
        if rows and callable(many):
            many(arrays.edge[np.asarray(rows, dtype=np.int64)].tolist())
    listings = getattr(g.dataset, "designations_many", None)
    if seeds and callable(listings):
        listings(seeds)  # why each seed is blocked: its listings


def edge_item(g: Graph, edges: ExposureEdges, e: int) -> PathItem:
    """Path item for exposure edge ``e``, read from its target towards its source."""
    role, row = int(edges.role[e]), int(edges.row[e])
    if role in (OWNED_BY, OWNS):
        return _ownership(g, row, role)
    if role in (CONTROLLED_BY, CONTROLS):
        return _control(g, row, role)
    return _relation(g, row)


def designation_label(d: Designation) -> str:
    """'OFAC SDN RUSSIA-EO14024 since 2022-06-28'."""
    text = " ".join(p for p in (d.authority, d.list_name, d.program or "") if p)
    text = text or f"{d.regime} {d.measure.replace('_', ' ')} listing"
    since = d.since()
    return f"{text}{',' if d.listed_from_basis == 'first_edition' else ''} {since}" if since \
        else text


class Listings:
    """Designations in force on ``g.as_of``, indexed by entity id (built once per use)."""

    def __init__(self, g: Graph) -> None:
        self.g = g
        self._edges: dict[tuple[int, int], PathItem] = {}

    def edge(self, edges: ExposureEdges, e: int) -> PathItem:
        """``edge_item``, made once per edge for this use (paths to many seeds share their
        first edges)."""
        key = (id(edges), e)
        if key not in self._edges:
            self._edges[key] = edge_item(self.g, edges, e)
        return self._edges[key]

    def of(self, i: int, regime: str, blocking: bool) -> list[Designation]:
        """Designations of entity ``i`` under ``regime``, oldest first (read from the graph's
        facts for this entity only)."""
        found = [d for d in Designated(self.g).get(self.g.ids[i])
                 if d.active(self.g.as_of) and d.regime == regime and d.blocking == blocking]
        return sorted(found, key=lambda d: (d.listed_from or self.g.as_of, d.id))

    def items(self, i: int, regime: str, blocking: bool) -> tuple[PathItem, ...]:
        """One listing item per designation in force."""
        return tuple(PathItem(type="listing", id=d.id, label=designation_label(d),
                              source=d.source.cite())
                     for d in self.of(i, regime, blocking))


def status_phrase(verdict: RegimeArrays, b: int) -> str:
    """'blocked under us (listed)' or 'possibly blocked under eu'."""
    status = verdict.status(b)
    if status == "clear":
        return f"possibly blocked under {verdict.regime}"
    return f"blocked under {verdict.regime} ({status})"


def why_blocked(listings: Listings, verdict: RegimeArrays, b: int) -> tuple[PathItem, ...]:
    """Listing items saying why seed ``b`` is blocked (or possibly blocked) under a regime."""
    r, g = verdict.regime, listings.g
    if verdict.listed[b]:
        items = listings.items(b, r, blocking=True)
        return items or (PathItem(type="listing", id=g.ids[b], label=f"listed under {r}"),)
    reason = {
        "owned": f"blocked under {r}: owned by listed parties",
        "controlled": f"blocked under {r}: controlled by listed parties",
    }.get(verdict.status(b), f"possibly blocked under {r}: owned by listed parties if shares"
                             " of unknown or ranged size are at their upper bound")
    return (PathItem(type="listing", id=g.ids[b], label=reason),)


def path_items(listings: Listings, edges: ExposureEdges, path: BestPath,
               verdict: RegimeArrays) -> tuple[PathItem, ...]:
    """Entity, edge, entity, ..., seed entity, then why the seed is blocked."""
    g = listings.g
    if not path.nodes:
        return (entity_item(g, path.seed), *why_blocked(listings, verdict, path.seed))
    items = [entity_item(g, path.nodes[0])]
    for e, v in zip(path.edges, path.nodes[1:], strict=True):
        items += [listings.edge(edges, e), entity_item(g, v)]
    return (*items, *why_blocked(listings, verdict, path.seed))


def tie_detail(g: Graph, edges: ExposureEdges, path: BestPath, verdict: RegimeArrays,
               scoring: ScoringRules, listings: Listings | None = None) -> str:
    """'owned 60% by A, which is technology_licence (active) with B, blocked under us
    (listed): path strength 0.30 x us weight 0.50'. With ``listings``, the edge items it
    made already are used."""
    item = listings.edge if listings is not None else (lambda es, e: edge_item(g, es, e))
    hops = [f"{item(edges, e).label} {name(g, v)}"
            for e, v in zip(path.edges, path.nodes[1:], strict=True)]
    chain = ", which is ".join(hops) or f"tied to {name(g, path.seed)}"
    r = verdict.regime
    return (f"{chain}, {status_phrase(verdict, path.seed)}: path strength "
            f"{number(path.strength)} x {r} weight {number(scoring.regime_weight(r))}")
