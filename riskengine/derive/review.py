"""Review evidence: what the data leaves open, flagged, never resolved silently (issue 13).

* ``date_unknown``: an asset-freeze listing first seen after the date asked about, on a list
  that states no listing dates (OFAC): "listed on or before D (first edition seen)", so on
  the date the entry may already have been listed.
"""

from __future__ import annotations

from typing import Protocol

from riskengine.derive.verdicts import cite, listing_label
from riskengine.domain import Designation
from riskengine.graph import Graph
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
