"""The drawn ties with what their labels say: kind, share and dates, and the source cited.

Facts are read only for the ties a selection draws (a compiled graph reads them from the
store one by one), never for a hub's thousands of left-out ties.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from riskengine.domain import Control, Ownership, Relationship, Share, Source
from riskengine.graph import Graph
from riskengine.report.graph_select import Link, family_arrays


@dataclass(frozen=True)
class DrawnTie:
    """One tie as drawn: ``src`` -> ``dst`` (entity ids, the fact's direction)."""

    id: str
    family: str
    src: str
    dst: str
    label: str
    dates: str
    source: str
    origin: Source


def share_text(share: Share) -> str:
    if not share.known:
        return "share unknown"
    if share.low == share.high:
        return f"{share.low:g}%"
    return f"{share.low:g}-{share.high:g}%"


def dates_text(start: date | None, end: date | None) -> str:
    if start and end:
        return f"{start.isoformat()} to {end.isoformat()}"
    if start:
        return f"since {start.isoformat()}"
    return f"until {end.isoformat()}" if end else "dates not stated"


def source_text(source: Source) -> str:
    parts = [source.source]
    if source.record_id:
        parts.append(f"#{source.record_id}")
    if source.published:
        parts.append(f"({source.published.isoformat()})")
    return " ".join(parts)


def label_of(fact: Ownership | Control | Relationship) -> str:
    if isinstance(fact, Ownership):
        return f"owns {share_text(fact.share)}"
    if isinstance(fact, Control):
        return f"controls: {fact.kind.replace('_', ' ')}"
    return f"{fact.kind.replace('_', ' ')} ({fact.status})"


def _fact(g: Graph, link: Link) -> Ownership | Control | Relationship:
    k = int(family_arrays(g)[link.family].edge[link.row])
    facts = g.dataset
    if link.family == "ownership":
        return facts.ownerships[k]
    return facts.controls[k] if link.family == "control" else facts.relationships[k]


def drawn_ties(g: Graph, links: tuple[Link, ...]) -> tuple[DrawnTie, ...]:
    """The facts of ``links``, labelled (in the links' order)."""
    out = []
    for link in links:
        fact = _fact(g, link)
        out.append(DrawnTie(fact.id, link.family, g.ids[link.src], g.ids[link.dst],
                            label_of(fact), dates_text(fact.valid_from, fact.valid_to),
                            source_text(fact.source), fact.source))
    return tuple(out)
