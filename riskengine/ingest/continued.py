"""Records a list continues under another number (issue 13): neither a delisting nor a new
listing. Pure.

OFAC sometimes folds one entry into another: BM Bank, SDN entry 20002 in the 2022-06-17
sdn.csv, is entry 17017 from the 2022-06-28 file on, with the same SWIFT/BIC (MOSWRUMM),
registration number (1027700159497), BIK and OKPO, under the same programs. Read naively,
the edition delists 20002 and newly lists 17017 (dated from that edition), which loses the
listing's history and counts a delisting that never happened.

A designation that disappears *continues* as a new designation of the same edition when the
two are of the same regime and program and their entities share a strong identifier
(``ingest.merge_evidence.identifier_key``: registration, tax, LEI, IMO, SWIFT, passport,
national id), and no other new designation does: the new row keeps the old start (and how it
was dated), the old row ends on the edition's date, and both sources say so. Two candidates
are not guessed between: neither is linked and a warning names them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from riskengine.domain import Designation, Entity, Source
from riskengine.ingest.merge_evidence import identifier_key


@dataclass(frozen=True)
class Continuation:
    """``old`` (gone from the list) continues as ``new``; ``shared``: the identifiers."""

    old: Designation
    new: Designation
    shared: tuple[str, ...]


def strong_keys(entity: Entity | None) -> set[tuple[str, str]]:
    """(scheme group, value) of every strong identifier of ``entity``."""
    if entity is None:
        return set()
    return {k for k in (identifier_key(i) for i in entity.identifiers) if k is not None}


def find(gone: Iterable[Designation], fresh: Iterable[Designation],
         entities: Mapping[str, Entity]) -> tuple[list[Continuation], list[str]]:
    """Continuations of ``gone`` rows by ``fresh`` (newly listed) rows, and warnings for
    ambiguous ones. ``entities``: the entities of both, stored or in the edition."""
    fresh = list(fresh)
    found: list[Continuation] = []
    warnings: list[str] = []
    for old in gone:
        keys = strong_keys(entities.get(old.entity_id))
        hits = [(new, keys & strong_keys(entities.get(new.entity_id))) for new in fresh
                if _same_listing(old, new)]
        hits = [(new, shared) for new, shared in hits if shared]
        if len(hits) == 1 and hits[0][0].id not in {c.new.id for c in found}:
            found.append(Continuation(old, hits[0][0], _labels(hits[0][1])))
        elif hits:
            names = ", ".join(sorted(new.entity_id for new, _ in hits))
            warnings.append(f"{old.id} is gone and shares identifiers with several new "
                            f"entries ({names}): not treated as continued; review")
    return found, warnings


def _same_listing(old: Designation, new: Designation) -> bool:
    return (old.entity_id != new.entity_id and old.regime == new.regime
            and old.program == new.program and old.measure == new.measure)


def _labels(shared: set[tuple[str, str]]) -> tuple[str, ...]:
    return tuple(f"{scheme} {value}" for scheme, value in sorted(shared))


def _noted(source: Source, text: str) -> Source:
    note = f"{source.note}; {text}" if source.note else text
    return source.model_copy(update={"note": note})


def continued_row(link: Continuation, new: Designation) -> Designation:
    """``new`` (the edition's row of ``link.new``) dated from the listing it continues."""
    text = (f"continues {link.old.source.source} #{link.old.source.record_id or link.old.id}"
            f" (same {', '.join(link.shared)}): not a new listing")
    return new.model_copy(update={"listed_from": link.old.listed_from,
                                  "listed_from_basis": link.old.listed_from_basis,
                                  "source": _noted(new.source, text)})


def ended_row(link: Continuation, ended: Designation) -> Designation:
    """``ended`` (the old row, ended on the edition's date) noting its continuation."""
    text = (f"continued as {link.new.source.source} #{link.new.source.record_id or link.new.id}"
            f" (same {', '.join(link.shared)}): not a delisting")
    return ended.model_copy(update={"source": _noted(ended.source, text)})
