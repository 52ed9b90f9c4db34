"""FollowTheMoney (FtM) entity JSON lines, as OpenSanctions publishes them, to a Dataset.

One JSON object per line: ``{"id", "schema", "caption", "properties": {prop: [values]},
"datasets": [...]}``. Mapped schemata:

- Company, Organization, LegalEntity, Person, PublicBody, Vessel -> ``Entity`` (FtM id kept);
- Ownership -> ``Ownership``; Directorship -> ``Relationship`` (officer, a = director);
- Sanction -> ``Designation``; Control (not in most datasets) -> ``Control``.

Other schemata (Address, Family, Passport, ...) are counted and skipped. Any malformed line
fails the whole file with ``InputError('path:line', ...)``. Edges may point at entities absent
from the file; ``resolve_references`` drops those the store does not know either.

Line parsing and the value parsers (dates, shares, measures, control kinds) live in
``riskengine.ingest.ftm_parse``; the public ones are importable from here too.

Pure apart from reading the one file: no database, no clock.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from riskengine.domain import (
    Control,
    Dataset,
    Designation,
    Entity,
    EntityKind,
    Identifier,
    Ownership,
    Relationship,
    Share,
    Source,
)
from riskengine.errors import InputError
from riskengine.ingest.ftm_parse import (
    CONTROL_PATTERNS,
    MEASURE_PATTERNS,
    FtmRecord,
    classify_measure,
    control_kind,
    parse_ftm_date,
    parse_records,
    parse_share,
)

__all__ = [
    "CONTROL_PATTERNS",
    "MEASURE_PATTERNS",
    "SOURCE",
    "FtmRecord",
    "FtmResult",
    "classify_measure",
    "control_kind",
    "parse_ftm_date",
    "parse_share",
    "read_ftm",
    "resolve_references",
]

SOURCE = "ftm"

ENTITY_KINDS: dict[str, EntityKind] = {
    "Company": "company",
    "Organization": "organisation",
    "LegalEntity": "unknown",
    "Person": "person",
    "PublicBody": "public_body",
    "Vessel": "vessel",
}
CONTROL_SCHEMATA = ("Control",)
# Entity name: the caption (FtM's display name), else the first `name`. Aliases: the other
# names, then these properties, repeats (ignoring case) dropped.
NAME_PROPS = ("alias", "previousName", "weakAlias")
COUNTRY_PROPS = ("jurisdiction", "mainCountry", "country")  # first found wins
IDENTIFIER_SCHEMES = {
    "innCode": "inn",
    "ogrnCode": "ogrn",
    "leiCode": "lei",
    "registrationNumber": "registration",
    "taxNumber": "tax",
    "imoNumber": "imo",
    "swiftBic": "swift",
}
PERSON_IDENTIFIER_SCHEMES = {"idNumber": "id", "passportNumber": "passport"}
REGIMES = {"us": "us", "eu": "eu", "gb": "uk", "uk": "uk"}  # other country codes stay as is

Fact = Entity | Designation | Ownership | Control | Relationship


@dataclass(frozen=True)
class FtmResult:
    """What ``read_ftm`` found; edges may still point at entities outside the file."""

    dataset: Dataset
    counts: dict[str, int]  # records mapped, per FtM schema
    skipped: dict[str, int]  # records not mapped, per FtM schema
    warnings: list[str]
    content_hash: str  # sha256 of the file's bytes


@dataclass
class _Context:
    path: Path
    content_hash: str
    notes: dict[tuple[str, str, str], list[int]] = field(default_factory=dict)

    def source(self, rec: FtmRecord) -> Source:
        note = f"datasets: {', '.join(rec.datasets)}" if rec.datasets else None
        return Source(source=SOURCE, record_id=rec.id, file=self.path.name, line=rec.line,
                      note=note, url=rec.first("sourceUrl"), content_hash=self.content_hash)

    def note(self, rec: FtmRecord, problem: str, consequence: str) -> None:
        """Remember a tolerated problem; warnings are grouped by kind with a count."""
        seen = self.notes.setdefault((rec.schema, problem, consequence), [0, rec.line])
        seen[0] += 1

    def warnings(self) -> list[str]:
        out = []
        for (schema, problem, consequence), (count, line) in self.notes.items():
            plural = "s" if count != 1 else ""
            out.append(f"{count} {schema} record{plural} {problem}: {consequence} "
                       f"(first at {self.path.name}:{line})")
        return out

    def fail(self, rec: FtmRecord, message: str) -> InputError:
        return InputError(f"{self.path}:{rec.line}", f"{rec.schema} {rec.id}: {message}")


def read_ftm(path: Path) -> FtmResult:
    """Read an FtM JSON-lines file. Raises InputError('path:line', ...) on any bad line."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"cannot read file: {exc.strerror or exc}") from exc
    ctx = _Context(path, hashlib.sha256(data).hexdigest())
    facts: list[Fact] = []
    counts: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    for rec in parse_records(path, data):
        fact = _map(rec, ctx)
        (counts if fact is not None else skipped)[rec.schema] += 1
        facts += [fact] if fact is not None else []
    return FtmResult(_dataset(facts), dict(counts), dict(skipped), ctx.warnings(),
                     ctx.content_hash)


# --- mapping -------------------------------------------------------------------------------


def _map(rec: FtmRecord, ctx: _Context) -> Fact | None:
    mapper = MAPPERS.get(rec.schema)
    if mapper is None:
        return None
    try:
        return mapper(rec, ctx)
    except ValueError as exc:  # a domain model refused the values
        raise ctx.fail(rec, " ".join(str(exc).split())) from exc


def _dates(rec: FtmRecord, ctx: _Context, prop: str) -> list[date]:
    out = []
    for value in rec.values(prop):
        try:
            out.append(parse_ftm_date(value))
        except ValueError as exc:
            raise ctx.fail(rec, f"invalid date {value!r} in '{prop}'") from exc
    return out


def _period(rec: FtmRecord, ctx: _Context, *starts: str) -> tuple[date | None, date | None]:
    """Start: the earliest date of the first of ``starts`` that has any; end: latest endDate."""
    found = next((d for d in (_dates(rec, ctx, p) for p in starts) if d), [])
    return min(found, default=None), max(_dates(rec, ctx, "endDate"), default=None)


def _edge(rec: FtmRecord, ctx: _Context) -> dict[str, Any]:
    """The fields every edge has: id, validity and source."""
    start, end = _period(rec, ctx, "startDate")
    return {"id": rec.id, "valid_from": start, "valid_to": end, "source": ctx.source(rec)}


def _unique(values: list[str]) -> list[str]:
    """Drop repeats, comparing case-insensitively; the first spelling is kept."""
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(value.casefold(), value)
    return list(seen.values())


def _entity(rec: FtmRecord, ctx: _Context) -> Entity:
    caption = [rec.caption] if rec.caption else []
    names = _unique(caption + rec.values("name") + [v for p in NAME_PROPS for v in rec.values(p)])
    if not names:
        ctx.note(rec, "without a name or caption", "id used as name")
        names = [rec.id]
    country = next((c.lower() for p in COUNTRY_PROPS for c in rec.values(p)), None)
    return Entity(id=rec.id, kind=ENTITY_KINDS[rec.schema], name=names[0],
                  aliases=tuple(names[1:]), country=country, identifiers=_identifiers(rec),
                  sector=rec.first("sector"), sources=(ctx.source(rec),))


def _identifiers(rec: FtmRecord) -> tuple[Identifier, ...]:
    schemes = dict(IDENTIFIER_SCHEMES)
    if rec.schema == "Person":
        schemes.update(PERSON_IDENTIFIER_SCHEMES)
    pairs = {(scheme, value): None for prop, scheme in schemes.items()
             for value in rec.values(prop)}
    return tuple(Identifier(scheme=scheme, value=value) for scheme, value in pairs)


def _ends(rec: FtmRecord, ctx: _Context, first: str, second: str) -> tuple[str, str] | None:
    a, b = rec.first(first), rec.first(second)
    if a is None or b is None:
        ctx.note(rec, f"without '{first}' or '{second}'", "skipped")
        return None
    return a, b


def _share(rec: FtmRecord, ctx: _Context) -> Share:
    values = rec.values("percentage")
    if not values:
        return Share.unknown()
    if len(set(values)) > 1:
        ctx.note(rec, "with several percentages", "the first one used")
    try:
        return parse_share(values[0])
    except ValueError:
        ctx.note(rec, "with an unreadable percentage", "share unknown")
        return Share.unknown()


def _ownership(rec: FtmRecord, ctx: _Context) -> Ownership | None:
    ends = _ends(rec, ctx, "owner", "asset")
    if ends is None:
        return None
    return Ownership(owner=ends[0], asset=ends[1], share=_share(rec, ctx), **_edge(rec, ctx))


def _directorship(rec: FtmRecord, ctx: _Context) -> Relationship | None:
    ends = _ends(rec, ctx, "director", "organization")
    if ends is None:
        return None
    return Relationship(a=ends[0], b=ends[1], kind="officer", note=rec.first("role"),
                        **_edge(rec, ctx))


def _control(rec: FtmRecord, ctx: _Context) -> Control | None:
    ends = _ends(rec, ctx, "controller", "controlled")
    if ends is None:
        return None
    kind = control_kind(rec.first("controlType"))
    if kind is None:
        ctx.note(rec, "with an unrecognised or missing controlType", "dominant_influence")
    return Control(controller=ends[0], controlled=ends[1], kind=kind or "dominant_influence",
                   **_edge(rec, ctx))


def _regime(rec: FtmRecord, ctx: _Context) -> str:
    country = rec.first("country")
    if country is None:
        ctx.note(rec, "without a country", "regime 'unknown'")
        return "unknown"
    return REGIMES.get(country.lower(), country.lower())


def _sanction(rec: FtmRecord, ctx: _Context) -> Designation | None:
    entity = rec.first("entity")
    if entity is None:
        ctx.note(rec, "without an entity", "skipped")
        return None
    texts = [*rec.values("provisions"), *rec.values("program"), *rec.values("programId"),
             *rec.datasets]
    start, end = _period(rec, ctx, "startDate", "listingDate")
    return Designation(
        id=rec.id, entity_id=entity, regime=_regime(rec, ctx),
        authority="; ".join(rec.values("authority")),
        program=rec.first("program") or rec.first("programId"),
        list_name=rec.datasets[0] if rec.datasets else (rec.first("programId") or ""),
        measure=classify_measure(texts),
        listed_from=start, listed_to=end, source=ctx.source(rec),
    )


Mapper = Callable[[FtmRecord, _Context], Fact | None]
MAPPERS: dict[str, Mapper] = {
    **dict.fromkeys(ENTITY_KINDS, _entity),
    "Ownership": _ownership,
    "Directorship": _directorship,
    "Sanction": _sanction,
    **dict.fromkeys(CONTROL_SCHEMATA, _control),
}


def _dataset(facts: list[Fact]) -> Dataset:
    return Dataset(
        entities=tuple(f for f in facts if isinstance(f, Entity)),
        designations=tuple(f for f in facts if isinstance(f, Designation)),
        ownerships=tuple(f for f in facts if isinstance(f, Ownership)),
        controls=tuple(f for f in facts if isinstance(f, Control)),
        relationships=tuple(f for f in facts if isinstance(f, Relationship)),
    )


# --- references ----------------------------------------------------------------------------

E = TypeVar("E", Designation, Ownership, Control, Relationship)


def _known_only(facts: tuple[E, ...], refs: Callable[[E], tuple[str, ...]], known: set[str],
                warnings: list[str]) -> tuple[E, ...]:
    kept = tuple(f for f in facts if all(ref in known for ref in refs(f)))
    dropped = len(facts) - len(kept)
    if dropped:
        label = type(facts[0]).__name__
        noun, verb = ("record", "points") if dropped == 1 else ("records", "point")
        warnings.append(f"{dropped} {label} {noun} {verb} at entities not in the file "
                        "or the store: skipped")
    return kept


def resolve_references(dataset: Dataset, known_ids: set[str]) -> tuple[Dataset, list[str]]:
    """Drop facts pointing at entities neither in ``dataset`` nor in ``known_ids``.

    Returns the reduced dataset and one warning per fact kind with drops, e.g.
    '2 Ownership records point at entities not in the file or the store: skipped'.
    """
    known = known_ids | {e.id for e in dataset.entities}
    warnings: list[str] = []
    return Dataset(
        entities=dataset.entities,
        designations=_known_only(dataset.designations, lambda d: (d.entity_id,), known, warnings),
        ownerships=_known_only(dataset.ownerships, lambda o: (o.owner, o.asset), known, warnings),
        controls=_known_only(dataset.controls, lambda c: (c.controller, c.controlled), known,
                             warnings),
        relationships=_known_only(dataset.relationships, lambda r: (r.a, r.b), known, warnings),
    ), warnings
