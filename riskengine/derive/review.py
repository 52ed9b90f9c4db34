"""Review evidence: what the data leaves open, flagged, never resolved silently (issue 13).

* ``date_unknown``: an asset-freeze listing first seen after the date asked about, on a list
  that states no listing dates (OFAC): "listed on or before D (first edition seen)", so on
  the date the entry may already have been listed.
* ``ambiguous_ownership``: (a) a stake whose start is after its owner's designation
  (transferred after designation); (b) two records of one owner's holding in one entity, in
  force together, that disagree (the largest was used: the explanation says which).
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from riskengine.derive.aggregate import graph_index
from riskengine.derive.base import cite, listing_label
from riskengine.domain import Designation
from riskengine.graph import NO_START, BoolArray, Graph, read_many
from riskengine.result import Evidence, PathItem


class ByEntity(Protocol):
    def get(self, entity_id: str, default: tuple[Designation, ...] = ()
            ) -> tuple[Designation, ...]: ...


def _entity(g: Graph, v: int) -> PathItem:
    found = g.dataset.entities[v] if v < len(g.dataset.entities) else None
    name = found.name if found is not None and found.id == g.ids[v] else g.ids[v]
    return PathItem(type="entity", id=g.ids[v], label=name)


def _listing(d: Designation) -> PathItem:
    return PathItem(type="listing", id=d.id, label=listing_label(d), source=cite(d.source))


def date_unknown(g: Graph, designations: ByEntity, regime: str, v: int) -> list[Evidence]:
    """One 'listing_date_unknown' per asset-freeze listing of ``v`` in ``regime`` whose
    start the list does not state and which is first seen after ``g.as_of``."""
    day = g.as_of
    found = [d for d in designations.get(g.ids[v], ())
             if d.regime == regime and d.blocking and d.start_unknown(day)]
    return [Evidence(kind="listing_date_unknown",
                     detail=f"{listing_label(d)}: the list states no listing date, so whether "
                            f"it was already listed on {day.isoformat()} is not known",
                     path=(_entity(g, v), _listing(d)))
            for d in sorted(found, key=lambda d: d.id)]


def _stake(g: Graph, pos: int) -> PathItem:
    fact = g.dataset.ownerships[int(g.ownership.edge[pos])]
    return PathItem(type="edge", id=fact.id, label=f"owned {fact.share.label()} by",
                    source=cite(fact.source))


def _incoming(g: Graph, v: int) -> list[int]:
    """Positions of the ownership edges into ``v`` from others (the graph's index of
    incoming edges: a neighbourhood read, not a scan of every edge)."""
    own = g.ownership
    return [p for p in graph_index(g).owners.at(v) if int(own.src[p]) != v]


def transferred_after(g: Graph, designations: ByEntity, regime: str, v: int
                      ) -> list[Evidence]:
    """One 'ambiguous_ownership' per stake in ``v`` in force whose start is after its
    owner's asset-freeze designation in ``regime``: a transfer to (or by) a designated
    person after designation needs a licence and may not be recognised (OFAC and OFSI
    guidance on transfers of interests after designation), so the holding as
    recorded is flagged for review, never taken at face value silently."""
    own, found = g.ownership, []
    for pos in _incoming(g, v):
        if own.start[pos] == NO_START:
            continue
        o, start = int(own.src[pos]), date.fromordinal(int(own.start[pos]))
        earlier = sorted((d for d in designations.get(g.ids[o], ()) if d.regime == regime
                          and d.blocking and d.active(g.as_of) and d.listed_from
                          and d.listed_from < start), key=lambda d: d.id)
        if earlier:
            stake = _stake(g, pos)
            found.append(Evidence(
                kind="ambiguous_ownership",
                detail=f"{stake.label} {_entity(g, o).label} from {start.isoformat()}, after"
                       f" {_entity(g, o).label} was designated ({listing_label(earlier[0])}):"
                       " a stake transferred after designation needs a licence and may not be"
                       " recognised",
                path=(_entity(g, v), stake, _entity(g, o), _listing(earlier[0]))))
    return found


def disagreeing_records(g: Graph, designations: ByEntity, regime: str, v: int,
                        keep: BoolArray) -> list[Evidence]:
    """One 'ambiguous_ownership' per owner of ``v`` (kept: listed in the regime) with two or
    more records of its holding in force that state different
    shares; says which was used: the derivation takes the largest (MAX of parallel
    reports), and the explanation names it and its source."""
    own, by_owner = g.ownership, dict[int, list[int]]()
    for pos in _incoming(g, v):
        if keep[int(own.src[pos])]:
            by_owner.setdefault(int(own.src[pos]), []).append(pos)
    found = []
    for o, rows in sorted(by_owner.items(), key=lambda item: g.ids[item[0]]):
        shares = {(float(own.attrs["low"][p]), float(own.attrs["high"][p])) for p in rows}
        if len(shares) < 2:
            continue
        used = max(rows, key=lambda p: (float(own.attrs["low"][p]), float(own.attrs["high"][p])))
        items = [_stake(g, p) for p in rows]
        told = "; ".join(f"{i.label.removeprefix('owned ').removesuffix(' by')} ({i.source})"
                         for i in items)
        found.append(Evidence(
            kind="ambiguous_ownership",
            detail=f"records of {_entity(g, o).label}'s holding in {_entity(g, v).label}"
                   f" disagree: {told}; used the largest, {_stake(g, used).label}"
                   f" ({_stake(g, used).source})",
            path=(_entity(g, v), _stake(g, used), _entity(g, o),
                  *(_listing(d) for d in _blocking(designations, g, regime, o)[:1]))))
    return found


def _blocking(designations: ByEntity, g: Graph, regime: str, o: int) -> list[Designation]:
    return sorted((d for d in designations.get(g.ids[o], ()) if d.regime == regime
                   and d.blocking and d.active(g.as_of)), key=lambda d: d.id)


def unknown_owners(g: Graph, v: int) -> list[Evidence]:
    """One 'unknown_share' per holding in ``v`` (of any size: an anonymous 60% holder is as
    unknown) of an owner the source does not identify (an entity of kind ``unknown``),
    naming the register and the reason it gives."""
    own, found, incoming = g.ownership, [], _incoming(g, v)
    owners = [int(own.src[p]) for p in incoming if int(own.src[p]) < len(g.dataset.entities)]
    read_many(g.dataset.entities, owners)  # one store read for all of them, not one each
    for pos in incoming:
        o = int(own.src[pos])
        if not _unidentified(g, o):
            continue
        fact = g.dataset.ownerships[int(own.edge[pos])]
        why = f": {fact.source.note}" if fact.source.note else ""
        found.append(Evidence(
            kind="unknown_share",
            detail=f"{_entity(g, o).label}: an owner of {_entity(g, v).label} that the"
                   f" {fact.source.source} register does not identify{why}; it may be a"
                   " blocked party, so the verdict rests on an unknown owner",
            path=(_entity(g, v), _stake(g, pos), _entity(g, o))))
    return found


def _unidentified(g: Graph, v: int) -> bool:
    entities = g.dataset.entities
    found = entities[v] if v < len(entities) else None
    return found is not None and found.id == g.ids[v] and found.kind == "unknown"
