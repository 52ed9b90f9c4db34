"""Flat facts: what ``riskengine.ingest.ftm`` maps an FtM file to, before any domain object.

A fact here is a plain named tuple (a few hundred bytes, where the pydantic domain object is
a few kilobytes): a million-entity file fits in memory and is written in bulk by
``riskengine.store.bulk``. ``FlatFacts.to_dataset`` builds the validated domain ``Dataset``
from the same tuples (``read_ftm``), so both paths store the same rows (tests compare them).

Every fact of one file shares its provenance ``origin`` (source 'ftm', file name, content
hash); each fact adds its own record id, line, citation note and url (``FlatSource``).

``resolve_references`` / ``resolve_flat`` drop the facts that point at entities neither in
the file nor known (stored, or in the rule files), domain or flat.

Pure: no I/O, no database, no clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple, TypeVar

from riskengine.domain import (
    Control,
    ControlKind,
    Dataset,
    Designation,
    Entity,
    EntityKind,
    Identifier,
    Measure,
    Ownership,
    RelationKind,
    Relationship,
    RelationStatus,
    Share,
    Source,
)


class FlatSource(NamedTuple):
    record_id: str
    line: int
    note: str | None
    url: str | None


class FlatEntity(NamedTuple):
    id: str
    kind: EntityKind
    names: tuple[str, ...]  # the name, then the aliases
    country: str | None
    identifiers: tuple[tuple[str, str], ...]  # (scheme, value)
    sector: str | None
    source: FlatSource
    weak_names: tuple[str, ...] = ()  # the source's weak aliases (FtM weakAlias)


class FlatDesignation(NamedTuple):
    id: str
    entity_id: str
    regime: str
    authority: str
    program: str | None
    list_name: str
    measure: Measure
    listed_from: date | None
    listed_to: date | None
    source: FlatSource


class FlatOwnership(NamedTuple):
    id: str
    owner: str
    asset: str
    low: float
    high: float
    known: bool
    valid_from: date | None
    valid_to: date | None
    source: FlatSource


class FlatControl(NamedTuple):
    id: str
    controller: str
    controlled: str
    kind: ControlKind
    valid_from: date | None
    valid_to: date | None
    source: FlatSource


class FlatRelationship(NamedTuple):
    id: str
    a: str
    b: str
    kind: RelationKind
    note: str | None
    valid_from: date | None
    valid_to: date | None
    source: FlatSource
    status: RelationStatus = "active"
    hs_codes: tuple[str, ...] = ()


@dataclass
class FlatFacts:
    """The facts of one file, in file order, sharing the provenance ``origin``."""

    origin: Source
    entities: list[FlatEntity] = field(default_factory=list)
    designations: list[FlatDesignation] = field(default_factory=list)
    ownerships: list[FlatOwnership] = field(default_factory=list)
    controls: list[FlatControl] = field(default_factory=list)
    relationships: list[FlatRelationship] = field(default_factory=list)

    def source(self, flat: FlatSource) -> Source:
        return Source(**self.origin.model_dump(exclude_unset=True), **flat._asdict())

    def to_dataset(self) -> Dataset:
        """The validated domain facts (the slow path: a few kilobytes per fact)."""
        return Dataset(
            entities=tuple(self._entity(e) for e in self.entities),
            designations=tuple(self._designation(d) for d in self.designations),
            ownerships=tuple(self._ownership(o) for o in self.ownerships),
            controls=tuple(self._control(c) for c in self.controls),
            relationships=tuple(self._relationship(r) for r in self.relationships),
        )

    def _entity(self, e: FlatEntity) -> Entity:
        return Entity(id=e.id, kind=e.kind, name=e.names[0], aliases=e.names[1:],
                      weak_aliases=e.weak_names, country=e.country, sector=e.sector,
                      sources=(self.source(e.source),),
                      identifiers=tuple(Identifier(scheme=s, value=v) for s, v in e.identifiers))

    def _designation(self, d: FlatDesignation) -> Designation:
        return Designation(id=d.id, entity_id=d.entity_id, regime=d.regime,
                           authority=d.authority, program=d.program, list_name=d.list_name,
                           measure=d.measure, listed_from=d.listed_from, listed_to=d.listed_to,
                           source=self.source(d.source))

    def _ownership(self, o: FlatOwnership) -> Ownership:
        return Ownership(id=o.id, owner=o.owner, asset=o.asset,
                         share=Share(low=o.low, high=o.high, known=o.known),
                         valid_from=o.valid_from, valid_to=o.valid_to,
                         source=self.source(o.source))

    def _control(self, c: FlatControl) -> Control:
        return Control(id=c.id, controller=c.controller, controlled=c.controlled, kind=c.kind,
                       valid_from=c.valid_from, valid_to=c.valid_to,
                       source=self.source(c.source))

    def _relationship(self, r: FlatRelationship) -> Relationship:
        return Relationship(id=r.id, a=r.a, b=r.b, kind=r.kind, note=r.note, status=r.status,
                            hs_codes=r.hs_codes, valid_from=r.valid_from,
                            valid_to=r.valid_to, source=self.source(r.source))


# --- references ----------------------------------------------------------------------------

E = TypeVar("E")
LABELS = ("Designation", "Ownership", "Control", "Relationship")


def _known_only(facts: list[E] | tuple[E, ...], refs: Callable[[E], tuple[str, ...]],
                known: Callable[[str], bool], label: str, warnings: list[str]) -> list[E]:
    kept = [f for f in facts if all(known(ref) for ref in refs(f))]
    dropped = len(facts) - len(kept)
    if dropped:
        noun, verb = ("record", "points") if dropped == 1 else ("records", "point")
        warnings.append(f"{dropped} {label} {noun} {verb} at entities not in the file "
                        "or the store: skipped")
    return kept


def _resolved(groups: tuple[Any, Any, Any, Any], refs: tuple[Callable[[Any], tuple[str, ...]],
              ...], known: Callable[[str], bool]) -> tuple[list[list[Any]], list[str]]:
    warnings: list[str] = []
    kept = [_known_only(group, ref, known, label, warnings)
            for group, ref, label in zip(groups, refs, LABELS, strict=True)]
    return kept, warnings


def resolve_references(dataset: Dataset, known_ids: set[str]) -> tuple[Dataset, list[str]]:
    """Drop facts pointing at entities neither in ``dataset`` nor in ``known_ids``.

    Returns the reduced dataset and one warning per fact kind with drops, e.g.
    '2 Ownership records point at entities not in the file or the store: skipped'.
    """
    in_file = {e.id for e in dataset.entities}
    groups = (dataset.designations, dataset.ownerships, dataset.controls, dataset.relationships)
    refs: tuple[Callable[[Any], tuple[str, ...]], ...] = (
        lambda d: (d.entity_id,), lambda o: (o.owner, o.asset),
        lambda c: (c.controller, c.controlled), lambda r: (r.a, r.b))
    kept, warnings = _resolved(groups, refs, lambda ref: ref in in_file or ref in known_ids)
    return Dataset(entities=dataset.entities, designations=tuple(kept[0]),
                   ownerships=tuple(kept[1]), controls=tuple(kept[2]),
                   relationships=tuple(kept[3])), warnings


# The entities a flat fact names: FlatDesignation.entity_id, the two ends of an edge.
FLAT_REFS: tuple[Callable[[Any], tuple[str, ...]], ...] = (
    lambda d: (d[1],), lambda o: (o[1], o[2]), lambda c: (c[1], c[2]), lambda r: (r[1], r[2]))


def resolve_flat(facts: FlatFacts, known_ids: set[str]) -> tuple[FlatFacts, list[str]]:
    """``resolve_references`` for flat facts (``scan_ftm``): the same drops and warnings."""
    in_file = {e.id for e in facts.entities}
    groups = (facts.designations, facts.ownerships, facts.controls, facts.relationships)
    kept, warnings = _resolved(groups, FLAT_REFS, lambda ref: ref in in_file or ref in known_ids)
    return FlatFacts(facts.origin, facts.entities, *kept), warnings


class StreamResolver:
    """``resolve_flat`` for a file read in chunks (``ingest.ftm.FtmStream``): a fact whose
    entities are known (stored, in the rule files) or already read from the file goes on
    with its chunk; the others wait until the whole file is read (``rest``), where those
    still pointing at no entity are dropped, with the same warnings as ``resolve_flat``.
    Files list their entities before the facts about them, so few facts wait."""

    REFS = FLAT_REFS

    def __init__(self, known_ids: set[str], in_file: Mapping[str, str]) -> None:
        self.known_ids, self.in_file = known_ids, in_file  # in_file grows as chunks are read
        self.waiting: tuple[list[Any], list[Any], list[Any], list[Any]] = ([], [], [], [])

    def known(self, ref: str) -> bool:
        return ref in self.in_file or ref in self.known_ids

    def chunk(self, facts: FlatFacts) -> FlatFacts:
        groups: tuple[list[Any], ...] = (facts.designations, facts.ownerships, facts.controls,
                                         facts.relationships)
        kept: list[list[Any]] = []
        for group, refs, waiting in zip(groups, self.REFS, self.waiting, strict=True):
            now = [f for f in group if all(self.known(r) for r in refs(f))]
            if len(now) < len(group):
                waiting += [f for f in group if not all(self.known(r) for r in refs(f))]
            kept.append(now)
        return FlatFacts(facts.origin, facts.entities, *kept)

    def rest(self, origin: Source) -> tuple[FlatFacts, list[str]]:
        """The waiting facts whose entities the file had after all, and the warnings for
        the others (call once the whole file is read)."""
        kept, warnings = _resolved(self.waiting, self.REFS, self.known)
        self.waiting = ([], [], [], [])
        return FlatFacts(origin, [], *kept), warnings
