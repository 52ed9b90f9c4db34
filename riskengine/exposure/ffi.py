"""EO 14114 (22 December 2023, amending EO 14024 s. 11): foreign financial institutions that
conduct or facilitate significant transactions, or provide any service, involving Russia's
military-industrial base risk US secondary sanctions (OFAC FFI advisory of 22 December 2023,
updated 12 June 2024).

An entity scores ``ffi_military_base`` once when it is a financial institution
(``financial_institution``) and has a tie (ownership, control or business relationship,
either direction) to a party designated under EO 14024 in force: from 12 June 2024 any such
designee (OFAC FAQ 1181), before it only one whose sector is a military-industrial one
(technology, defense and related materiel, construction, aerospace, manufacturing). Weights,
dates and words are in ``rules/scoring.yaml`` (``ffi_secondary``).

Designations and entity facts are read only for the entities next to a party listed in the
regime (few on any real list), so the whole-graph pass stays array-bound.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from riskengine.derive.explain_walk import Designated
from riskengine.domain import Designation, Entity
from riskengine.exposure.explain import cite, designation_label, entity_item, name
from riskengine.graph import BoolArray, EdgeArrays, Graph, read_many
from riskengine.result import PathItem
from riskengine.ruleset.models import FfiSecondary


def financial_institution(e: Entity, rules: FfiSecondary) -> bool:
    """A bank or other financial institution: its kind, a SWIFT/BIC code, or a bank word in
    a name (never a person)."""
    if e.kind == "financial_institution":
        return True
    if e.kind == "person":
        return False
    if any(i.scheme in rules.bank_schemes for i in e.identifiers):
        return True
    words = {w for name in e.all_names() for w in name.casefold().replace('"', " ").split()}
    return any(w in words for w in rules.bank_words)


def military_designations(g: Graph, rules: FfiSecondary, i: int) -> list[Designation]:
    """Designations of entity ``i`` under EO 14024 in force that place it in Russia's
    military-industrial base on ``g.as_of``, by id."""
    found = [d for d in Designated(g).get(g.ids[i])
             if d.regime == rules.regime and d.blocking and d.active(g.as_of)
             and rules.program in (d.program or "")]
    if found and g.as_of < rules.all_designees_from:
        sector = (g.dataset.entities[i].sector or "").casefold()
        found = found if any(w in sector for w in rules.sectors) else []
    return sorted(found, key=lambda d: d.id)


@dataclass(frozen=True)
class Tie:
    """A tie of an FFI to a designee: the edge family, its row, the designee."""

    family: str
    row: int
    other: int


def _families(g: Graph) -> tuple[tuple[str, EdgeArrays], ...]:
    return (("ownership", g.ownership), ("control", g.control), ("relation", g.relation))


def _next_to(g: Graph, mask: BoolArray) -> BoolArray:
    near = np.zeros(g.n, dtype=np.bool_)
    for _, f in _families(g):
        near[f.dst[mask[f.src]]] = True
        near[f.src[mask[f.dst]]] = True
    return near


def ties(g: Graph, rules: FfiSecondary, i: int, designee: BoolArray) -> list[Tie]:
    """Ties of entity ``i`` to designees, by family then row."""
    found = []
    for family, f in _families(g):
        for row in np.flatnonzero((f.src == i) | (f.dst == i)).tolist():
            other = int(f.dst[row]) if int(f.src[row]) == i else int(f.src[row])
            if other != i and designee[other]:
                found.append(Tie(family, row, other))
    return found


def exposed_ffis(g: Graph, rules: FfiSecondary) -> tuple[BoolArray, BoolArray]:
    """(financial institutions tied to a designee, the designees they are tied to) for every
    entity; nothing before EO 14114. Entity facts are read for the neighbours of the
    regime's listed parties only, designations for the listed neighbours of those that are
    financial institutions."""
    listed = g.listed.get(rules.regime)
    none = np.zeros(g.n, dtype=np.bool_)
    if listed is None or g.as_of < rules.valid_from:
        return none, none.copy()
    banks = np.zeros(g.n, dtype=np.bool_)
    near = np.flatnonzero(_next_to(g, listed)).tolist()
    for i, entity in zip(near, read_many(g.dataset.entities, near), strict=True):
        banks[i] = financial_institution(entity, rules)
    base = np.zeros(g.n, dtype=np.bool_)
    for i in np.flatnonzero(listed & _next_to(g, banks)).tolist():
        base[i] = bool(military_designations(g, rules, i))
    return banks & _next_to(g, base), base


def exposed_ffi_at(g: Graph, rules: FfiSecondary, i: int) -> tuple[bool, BoolArray]:
    """``exposed_ffis`` for entity ``i`` alone, at the cost of its neighbourhood (a single
    explained score): (is it an exposed FFI; the designees it is tied to, as a mask). The
    same answer as the whole-graph pass: an FFI next to a listed party is a bank of that
    pass, and each listed neighbour with a military designation is then of its base."""
    none = np.zeros(g.n, dtype=np.bool_)
    listed = g.listed.get(rules.regime)
    if listed is None or g.as_of < rules.valid_from:
        return False, none
    near = _neighbours(g, i)
    candidates = [j for j in near if listed[j]]
    if not candidates or not financial_institution(read_many(g.dataset.entities, [i])[0],
                                                   rules):
        return False, none
    for j in candidates:
        none[j] = bool(military_designations(g, rules, j))
    return bool(none.any()), none


def _neighbours(g: Graph, i: int) -> list[int]:
    """Entities other than ``i`` at the other end of an edge of ``i``, any family."""
    found: set[int] = set()
    for _, f in _families(g):
        found.update(f.dst[f.src == i].tolist())
        found.update(f.src[f.dst == i].tolist())
    found.discard(i)
    return sorted(found)


def _tie_item(g: Graph, i: int, t: Tie) -> PathItem:
    """The edge of tie ``t`` read from FFI ``i`` towards the designee, with its source."""
    if t.family == "ownership":
        own = g.dataset.ownerships[int(g.ownership.edge[t.row])]
        label = f"owns {own.share.label()} of" if own.owner == g.ids[i] else \
            f"owned {own.share.label()} by"
        return PathItem(type="edge", id=own.id, label=label, source=cite(own.source))
    if t.family == "control":
        ctl = g.dataset.controls[int(g.control.edge[t.row])]
        label = f"controls ({ctl.kind})" if ctl.controller == g.ids[i] else \
            f"controlled ({ctl.kind}) by"
        return PathItem(type="edge", id=ctl.id, label=label, source=cite(ctl.source))
    rel = g.dataset.relationships[int(g.relation.edge[t.row])]
    return PathItem(type="edge", id=rel.id, label=f"{rel.kind} ({rel.status}) with",
                    source=cite(rel.source, rel.note))


def explain_ffi(g: Graph, rules: FfiSecondary, i: int, base: BoolArray
                ) -> tuple[str, tuple[PathItem, ...]]:
    """Why FFI ``i`` scores ffi_military_base: its first tie to a designee, as a path
    [FFI, edge, designee, listing] citing every fact, and a detail naming the law."""
    found = ties(g, rules, i, base)
    t = found[0]
    listing = military_designations(g, rules, t.other)[0]
    basis = ("any party designated under EO 14024 (OFAC FAQ 1181, from 12 June 2024)"
             if g.as_of >= rules.all_designees_from else
             "a party designated under EO 14024 in a military-industrial sector")
    path = (entity_item(g, i), _tie_item(g, i, t), entity_item(g, t.other),
            PathItem(type="listing", id=listing.id, label=designation_label(listing),
                     source=cite(listing.source)))
    more = f" (and {len(found) - 1} more ties)" if len(found) > 1 else ""
    detail = (f"financial institution {_tie_item(g, i, t).label} {name(g, t.other)}{more},"
              f" {basis}: secondary-sanctions risk for foreign financial institutions"
              f" ({'; '.join(rules.sources)})")
    return detail, path
