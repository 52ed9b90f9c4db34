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
``riskengine.ingest.ftm_parse``; the flat facts a file is mapped to (``scan_ftm``, for bulk
ingest) and reference resolution in ``riskengine.ingest.ftm_flat``; the public names of both
are importable from here too.

Pure apart from reading the one file: no database, no clock.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from riskengine.domain import Dataset, EntityKind, Source
from riskengine.errors import InputError
from riskengine.ingest.ftm_flat import (
    FlatControl,
    FlatDesignation,
    FlatEntity,
    FlatFacts,
    FlatOwnership,
    FlatRelationship,
    FlatSource,
    resolve_flat,
    resolve_references,
)
from riskengine.ingest.ftm_parse import (
    CONTROL_PATTERNS,
    MEASURE_PATTERNS,
    FtmRecord,
    classify_measure,
    control_kind,
    parse_ftm_date,
    parse_records,
    parse_share,
    record_id,
)

__all__ = [
    "CONTROL_PATTERNS",
    "MEASURE_PATTERNS",
    "SOURCE",
    "FtmRecord",
    "FtmResult",
    "FtmScan",
    "classify_measure",
    "control_kind",
    "parse_ftm_date",
    "parse_share",
    "read_ftm",
    "resolve_flat",
    "resolve_references",
    "scan_ftm",
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
# names, then these properties, repeats (ignoring case) dropped. FtM's weakAlias (names the
# source calls weak: short forms, low-quality a.k.a.) are kept apart as the entity's weak
# aliases (screened as weaker evidence), less any that is also a strong name.
NAME_PROPS = ("alias", "previousName")
WEAK_NAME_PROPS = ("weakAlias",)
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
PERSON_SCHEMES = IDENTIFIER_SCHEMES | PERSON_IDENTIFIER_SCHEMES
REGIMES = {"us": "us", "eu": "eu", "gb": "uk", "uk": "uk"}  # other country codes stay as is
_READ_BUFFER = 1 << 20  # bytes read at a time

Fact = FlatEntity | FlatDesignation | FlatOwnership | FlatControl | FlatRelationship


@dataclass(frozen=True)
class FtmScan:
    """What ``scan_ftm`` found, as flat facts; edges may still point outside the file."""

    facts: FlatFacts
    counts: dict[str, int]  # records mapped, per FtM schema
    skipped: dict[str, int]  # records not mapped, per FtM schema
    warnings: list[str]
    content_hash: str  # sha256 of the file's bytes


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
    notes: dict[tuple[str, str, str], list[int]] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)  # entity ids seen (one string each)
    cache: dict[tuple[str, str], Any] = field(default_factory=dict)  # parsed values, by text

    def source(self, rec: FtmRecord) -> FlatSource:
        note = self.cached("note", ", ".join(rec.datasets), _note) if rec.datasets else None
        return FlatSource(rec.id, rec.line, note, rec.first("sourceUrl"))

    def cached(self, kind: str, text: str, parse: Callable[[str], Any]) -> Any:
        """``parse(text)``, once per distinct text (dates, shares and notes repeat a lot)."""
        key = (kind, text)
        found = self.cache.get(key)
        if found is None:
            found = self.cache[key] = parse(text)
        return found

    def ref(self, entity_id: str) -> str:
        """The id string of an entity already read (one copy in memory), else ``entity_id``."""
        return self.ids.get(entity_id, entity_id)

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


def _note(datasets: str) -> str:
    return f"datasets: {datasets}"


def read_ftm(path: Path) -> FtmResult:
    """Read an FtM JSON-lines file. Raises InputError('path:line', ...) on any bad line, and
    InputError('path', ...) when it holds no record at all."""
    scan = scan_ftm(path)
    return FtmResult(scan.facts.to_dataset(), scan.counts, scan.skipped, scan.warnings,
                     scan.content_hash)


def scan_ftm(path: Path) -> FtmScan:
    """``read_ftm`` without domain objects: the file streamed into flat facts (see
    ``riskengine.ingest.ftm_flat``), for bulk ingest. Same errors as ``read_ftm``."""
    stream = FtmStream(path, size=0)
    facts = next(stream.chunks())
    return FtmScan(facts, dict(stream.counts), dict(stream.skipped), stream.warnings(),
                   stream.content_hash)


CHUNK_RECORDS = 200_000  # facts mapped before a chunk is handed on (bounded memory)


class FtmStream:
    """An FtM file read as chunks of flat facts of about ``size`` facts each (0: the whole
    file as one chunk), so a file of any size is ingested in bounded memory. The file is
    hashed first (every fact's provenance names its content hash) and again while it is
    read: a file that changed in between is an error. Counts and warnings are complete once
    ``chunks`` is exhausted; ``ctx.ids`` then holds every entity id of the file."""

    def __init__(self, path: Path, size: int | None = None) -> None:
        self.path = path
        self.size = CHUNK_RECORDS if size is None else size
        self.ctx = _Context(path)
        self.counts: Counter[str] = Counter()
        self.skipped: Counter[str] = Counter()
        self.content_hash = _file_hash(path)
        self.origin = Source(source=SOURCE, file=path.name, content_hash=self.content_hash)

    def chunks(self) -> Iterator[FlatFacts]:
        """The file's facts, chunk by chunk (the last one possibly empty)."""
        digest = hashlib.sha256()
        lists: dict[type, list[Any]] = {}
        held = 0
        with _open(self.path) as fh:
            lines = _lines(self.path, fh, digest)
            for rec in parse_records(self.path, lines, _id_reader(self.path)):
                held += self._add(rec, lists)
                if self.size and held >= self.size:
                    yield self._facts(lists)
                    lists, held = {}, 0
        self._check_whole(digest.hexdigest())
        yield self._facts(lists)

    def _add(self, rec: FtmRecord, lists: dict[type, list[Any]]) -> int:
        fact = _map(rec, self.ctx)
        (self.counts if fact is not None else self.skipped)[rec.schema] += 1
        if fact is None:
            return 0
        lists.setdefault(type(fact), []).append(fact)
        return 1

    def _facts(self, lists: dict[type, list[Any]]) -> FlatFacts:
        return FlatFacts(self.origin, *(lists.get(kind, []) for kind in FLAT_KINDS))

    def _check_whole(self, content_hash: str) -> None:
        if not self.counts and not self.skipped:
            raise InputError(str(self.path),
                             "no FtM records: the file is empty (nothing ingested)")
        if content_hash != self.content_hash:
            raise InputError(str(self.path), "the file changed while it was read (nothing "
                                             "ingested): ingest it again once it is complete")

    def warnings(self) -> list[str]:
        return self.ctx.warnings()


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with _open(path) as fh:
        try:
            while block := fh.read(_READ_BUFFER):
                digest.update(block)
        except OSError as exc:
            raise InputError(str(path), f"cannot read file: {exc.strerror or exc}") from exc
    return digest.hexdigest()


def _id_reader(path: Path) -> Callable[[int], str | None]:
    """Reads the id of one line of ``path`` again (to confirm a repeated id, rarely)."""
    def id_at(number: int) -> str | None:
        with _open(path) as fh:
            for line, raw in enumerate(_lines(path, fh, hashlib.sha256()), start=1):
                if line == number:
                    return record_id(path, number, raw)
        return None

    return id_at


def _open(path: Path) -> IO[bytes]:
    try:
        return path.open("rb", buffering=_READ_BUFFER)
    except OSError as exc:
        raise InputError(str(path), f"cannot read file: {exc.strerror or exc}") from exc


def _lines(path: Path, fh: IO[bytes], digest: Any) -> Iterator[bytes]:
    """The file's lines as ``bytes.splitlines`` would cut them (\\n, \\r\\n or a lone \\r),
    hashing the bytes on the way."""
    try:
        for raw in fh:  # cut after each newline byte only
            digest.update(raw)
            if b"\r" in raw:
                yield from raw.splitlines()
            else:
                yield raw[:-1] if raw.endswith(b"\n") else raw
    except OSError as exc:
        raise InputError(str(path), f"cannot read file: {exc.strerror or exc}") from exc


# --- mapping -------------------------------------------------------------------------------
# The mappers build flat tuples without a validation pass of their own: every value comes
# from a parser that checked it (kinds from fixed tables, dates from parse_ftm_date, shares
# from parse_share within 0-100 and ordered, measure and control kind from their closed
# pattern lists). read_ftm validates them all again as domain objects (FlatFacts.to_dataset).


def _map(rec: FtmRecord, ctx: _Context) -> Fact | None:
    mapper = MAPPERS.get(rec.schema)
    if mapper is None:
        return None
    try:
        return mapper(rec, ctx)
    except ValueError as exc:  # a value was refused
        raise ctx.fail(rec, " ".join(str(exc).split())) from exc


def _dates(rec: FtmRecord, ctx: _Context, prop: str) -> list[date]:
    out = []
    for value in rec.values(prop):
        try:
            out.append(ctx.cached("date", value, parse_ftm_date))
        except ValueError as exc:
            raise ctx.fail(rec, f"invalid date {value!r} in '{prop}'") from exc
    return out


def _period(rec: FtmRecord, ctx: _Context, *starts: str) -> tuple[date | None, date | None]:
    """Start: the earliest date of the first of ``starts`` that has any; end: latest endDate."""
    if rec.properties.keys().isdisjoint((*starts, "endDate")):
        return None, None  # the common case, quickly
    found = next((d for d in (_dates(rec, ctx, p) for p in starts) if d), [])
    return min(found, default=None), max(_dates(rec, ctx, "endDate"), default=None)


def _unique(values: list[str]) -> list[str]:
    """Drop repeats, comparing case-insensitively; the first spelling is kept."""
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(value.casefold(), value)
    return list(seen.values())


def _entity(rec: FtmRecord, ctx: _Context) -> FlatEntity:
    props = rec.properties
    caption = [rec.caption] if rec.caption else []
    names = _unique(caption + rec.values("name")
                    + [v for p in NAME_PROPS if p in props for v in rec.values(p)])
    if not names:
        ctx.note(rec, "without a name or caption", "id used as name")
        names = [rec.id]
    country = next((c.lower() for p in COUNTRY_PROPS if p in props for c in rec.values(p)),
                   None)
    ctx.ids[rec.id] = rec.id
    return FlatEntity(rec.id, _kind(rec), tuple(names), country,
                      _identifiers(rec), rec.first("sector"), ctx.source(rec),
                      _weak_names(rec, names))


def _weak_names(rec: FtmRecord, strong: list[str]) -> tuple[str, ...]:
    """The record's weak aliases that are none of its ``strong`` names (ignoring case)."""
    props = rec.properties
    weak = _unique([v for p in WEAK_NAME_PROPS if p in props for v in rec.values(p)])
    known = {n.casefold() for n in strong}
    return tuple(w for w in weak if w.casefold() not in known)


# FtM marks banks by topic (fin.bank) and carries SWIFT/BIC codes (swiftBic): both make an
# organisation a financial institution (EO 14114 secondary-sanctions risk, scoring).
BANK_TOPICS = ("fin.bank",)


def _kind(rec: FtmRecord) -> EntityKind:
    """The schema's kind; a financial institution for a legal person with a bank topic or a
    SWIFT/BIC code."""
    kind = ENTITY_KINDS[rec.schema]
    is_bank = any(t in BANK_TOPICS for t in rec.values("topics")) or bool(rec.values("swiftBic"))
    return "financial_institution" if is_bank and kind != "person" else kind


def _identifiers(rec: FtmRecord) -> tuple[tuple[str, str], ...]:
    schemes = PERSON_SCHEMES if rec.schema == "Person" else IDENTIFIER_SCHEMES
    if rec.properties.keys().isdisjoint(schemes):
        return ()
    pairs = {(scheme, value): None for prop, scheme in schemes.items()
             for value in rec.values(prop)}
    return tuple(pairs)


def _ends(rec: FtmRecord, ctx: _Context, first: str, second: str) -> tuple[str, str] | None:
    a, b = rec.first(first), rec.first(second)
    if a is None or b is None:
        ctx.note(rec, f"without '{first}' or '{second}'", "skipped")
        return None
    return ctx.ref(a), ctx.ref(b)


def _share_bounds(text: str) -> tuple[float, float, bool]:
    share = parse_share(text)
    return share.low, share.high, share.known


def _share(rec: FtmRecord, ctx: _Context) -> tuple[float, float, bool]:
    values = rec.values("percentage")
    if not values:
        return 0.0, 100.0, False  # Share.unknown()
    if len(set(values)) > 1:
        ctx.note(rec, "with several percentages", "the first one used")
    try:
        found: tuple[float, float, bool] = ctx.cached("share", values[0], _share_bounds)
    except ValueError:
        ctx.note(rec, "with an unreadable percentage", "share unknown")
        return 0.0, 100.0, False
    return found


def _ownership(rec: FtmRecord, ctx: _Context) -> FlatOwnership | None:
    ends = _ends(rec, ctx, "owner", "asset")
    if ends is None:
        return None
    low, high, known = _share(rec, ctx)
    start, end = _period(rec, ctx, "startDate")
    return FlatOwnership(rec.id, *ends, low, high, known, start, end, ctx.source(rec))


def _directorship(rec: FtmRecord, ctx: _Context) -> FlatRelationship | None:
    ends = _ends(rec, ctx, "director", "organization")
    if ends is None:
        return None
    start, end = _period(rec, ctx, "startDate")
    return FlatRelationship(rec.id, *ends, "officer", rec.first("role"), start, end,
                            ctx.source(rec))


def _control(rec: FtmRecord, ctx: _Context) -> FlatControl | None:
    ends = _ends(rec, ctx, "controller", "controlled")
    if ends is None:
        return None
    kind = control_kind(rec.first("controlType"))
    if kind is None:
        ctx.note(rec, "with an unrecognised or missing controlType", "dominant_influence")
    start, end = _period(rec, ctx, "startDate")
    return FlatControl(rec.id, *ends, kind or "dominant_influence", start, end,
                       ctx.source(rec))


def _regime(rec: FtmRecord, ctx: _Context) -> str:
    country = rec.first("country")
    if country is None:
        ctx.note(rec, "without a country", "regime 'unknown'")
        return "unknown"
    return REGIMES.get(country.lower(), country.lower())


def _sanction(rec: FtmRecord, ctx: _Context) -> FlatDesignation | None:
    entity = rec.first("entity")
    if entity is None:
        ctx.note(rec, "without an entity", "skipped")
        return None
    texts = [*rec.values("provisions"), *rec.values("program"), *rec.values("programId"),
             *rec.datasets]
    programs = [*rec.values("program"), *rec.values("programId")]
    start, end = _period(rec, ctx, "startDate", "listingDate")
    return FlatDesignation(
        rec.id, ctx.ref(entity), _regime(rec, ctx), "; ".join(rec.values("authority")),
        rec.first("program") or rec.first("programId"),
        rec.datasets[0] if rec.datasets else (rec.first("programId") or ""),
        classify_measure(texts, rec.datasets, programs), start, end, ctx.source(rec),
    )


Mapper = Callable[[FtmRecord, _Context], Fact | None]
MAPPERS: dict[str, Mapper] = {
    **dict.fromkeys(ENTITY_KINDS, _entity),
    "Ownership": _ownership,
    "Directorship": _directorship,
    "Sanction": _sanction,
    **dict.fromkeys(CONTROL_SCHEMATA, _control),
}
# FlatFacts' lists, in order
FLAT_KINDS = (FlatEntity, FlatDesignation, FlatOwnership, FlatControl, FlatRelationship)
