"""OFAC lists: the SDN list and the Consolidated (non-SDN) list, legacy CSV or sdnList XML.

Public API::

    SDN_SOURCE = "ofac-sdn";  CONS_SOURCE = "ofac-cons";  SOURCE / read: the SDN pair
    read_sdn(path, published=None) -> ListEdition    # sdn.csv (+ add/alt/sdn_comments) | sdn.xml
    read_cons(path, published=None) -> ListEdition   # cons_prim.csv (+ cons_*) | consolidated.xml

``path`` is a directory holding the publisher's files or one file (a primary CSV picks up its
companion files from the same directory). Entity ids are ``ofac:{ent_num}`` for both lists:
OFAC uids are one number space, so an entity on both lists is one node. The CSV carries no
date: ``published`` is the caller's. The XML's Publish_Date wins over the caller's date.
Designations carry no start date (OFAC files state none); the history logic dates them from
editions. "Linked To: NAME" remarks become unknown-share ownership (or an officer tie for an
individual) when NAME resolves within the same edition.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from riskengine.domain import (
    Dataset,
    Designation,
    Entity,
    Identifier,
    Measure,
    Ownership,
    Relationship,
    Share,
    Source,
)
from riskengine.errors import InputError
from riskengine.lists import ofac_csv, ofac_xml
from riskengine.lists.base import ListEdition, sha256_files
from riskengine.lists.births import all_birth_dates
from riskengine.lists.ofac_records import (
    RawId,
    RawRecord,
    linked_names,
    name_key,
    remark_items,
)
from riskengine.lists.ofac_tables import (
    CONS_DEFAULT,
    CONS_PROGRAMS,
    COUNTRIES,
    CSV_FILES,
    ID_LABELS,
    KINDS,
    NATIONAL_SCHEMES,
    NON_SDN_PROGRAMS,
    SDN_DEFAULT,
    XML_FILES,
)

SDN_SOURCE = "ofac-sdn"
CONS_SOURCE = "ofac-cons"
SOURCE = SDN_SOURCE  # the module shape of riskengine.lists.base: ``read`` is ``read_sdn``
_SOURCES = {"sdn": SDN_SOURCE, "cons": CONS_SOURCE}
_EXAMPLES = 3  # names quoted in a warning


def read_sdn(path: Path, published: date | None = None) -> ListEdition:
    """The SDN list from ``path`` (directory, sdn.csv or sdn.xml)."""
    return _read("sdn", Path(path), published)


def read_cons(path: Path, published: date | None = None) -> ListEdition:
    """The Consolidated (non-SDN) list from ``path`` (directory, cons_prim.csv or XML)."""
    return _read("cons", Path(path), published)


def read(path: Path, published: date | None = None) -> ListEdition:
    """The module-shape entry point (see ``riskengine.lists.base``): the SDN list."""
    return read_sdn(path, published)


@dataclass
class _Loaded:
    records: list[RawRecord]
    files: list[Path]
    published: date | None
    warnings: list[str]


def _read(list_key: str, path: Path, published: date | None) -> ListEdition:
    loaded = _load(list_key, path, published)
    source = _SOURCES[list_key]
    dataset, warnings = _map(loaded, list_key, source)
    return ListEdition(
        source=source,
        published=loaded.published,
        content_hash=sha256_files(loaded.files),
        files=tuple(p.name for p in loaded.files),
        dataset=dataset,
        warnings=tuple(loaded.warnings + warnings),
    )


def _load(list_key: str, path: Path, published: date | None) -> _Loaded:
    """Pick the format from the path and read it."""
    if path.is_dir():
        return _load_dir(list_key, path, published)
    if not path.is_file():
        raise InputError(str(path), "no such file or directory")
    if path.suffix.lower() == ".xml":
        return _load_xml(path, published)
    files = {**ofac_csv.find_files(path.parent, list_key), "prim": path}
    return _load_csv(files, published)


def _load_dir(list_key: str, directory: Path, published: date | None) -> _Loaded:
    names = {p.name.lower(): p for p in directory.iterdir() if p.is_file()}
    xml = next((names[n] for n in XML_FILES[list_key] if n in names), None)
    csv_files = ofac_csv.find_files(directory, list_key)
    if xml is not None:
        loaded = _load_xml(xml, published)
        if "prim" in csv_files:
            loaded.warnings.append(f"{csv_files['prim'].name} ignored: {xml.name} read instead")
        return loaded
    if "prim" not in csv_files:
        wanted = [CSV_FILES[list_key]["prim"], *XML_FILES[list_key]]
        raise InputError(str(directory), f"none of {', '.join(wanted)} found")
    return _load_csv(csv_files, published)


def _load_csv(files: dict[str, Path], published: date | None) -> _Loaded:
    got = ofac_csv.read_set(files)
    return _Loaded(got.records, got.files, published, got.warnings)


def _load_xml(path: Path, published: date | None) -> _Loaded:
    got = ofac_xml.read_file(path)
    warnings = got.warnings
    if published is not None and got.published is not None and published != got.published:
        warnings.append(
            f"{path.name} says published {got.published.isoformat()}, "
            f"not {published.isoformat()} as given; the file's date is used"
        )
    return _Loaded(got.records, [path], got.published or published, warnings)


# --- mapping to the domain model -------------------------------------------------------------


def entity_id(ent_num: str) -> str:
    """Entity id for an OFAC uid, shared by the SDN and consolidated lists."""
    return f"ofac:{ent_num}"


def _map(loaded: _Loaded, list_key: str, source: str) -> tuple[Dataset, list[str]]:
    cites = {r.ent_num: _cite(r, source, loaded.published) for r in loaded.records}
    entities = [_entity(r, cites[r.ent_num]) for r in loaded.records]
    designations = [d for r in loaded.records for d in _designations(r, list_key, cites[r.ent_num])]
    owners, ties, warnings = _links(loaded.records, cites)
    unknown = sorted({r.sdn_type for r in loaded.records if r.sdn_type not in KINDS}, key=str)
    if unknown:
        warnings.append(f"unknown SDN_Type values {unknown} mapped to kind 'unknown'")
    dataset = Dataset(
        entities=tuple(entities),
        designations=tuple(designations),
        ownerships=tuple(owners),
        relationships=tuple(ties),
    )
    return dataset, warnings


def _cite(record: RawRecord, source: str, published: date | None) -> Source:
    return Source(
        source=source,
        record_id=record.ent_num,
        file=record.file,
        line=record.line,
        published=published,
        content_hash=record.content_hash,
    )


def _entity(record: RawRecord, cite: Source) -> Entity:
    return Entity(
        id=entity_id(record.ent_num),
        kind=KINDS.get(record.sdn_type, "unknown"),
        name=record.name,
        aliases=tuple(a for a in record.aliases if a != record.name),
        weak_aliases=tuple(a for a in record.weak_aliases
                           if a != record.name and a not in record.aliases),
        country=next((COUNTRIES[c] for c in record.countries if c in COUNTRIES), None),
        identifiers=identifiers(record.ids),
        sources=(cite,),
        birth_dates=all_birth_dates(
            [*record.births, *_remark_values(record.remarks, ("DOB",))]),
        nationalities=tuple(dict.fromkeys(
            COUNTRIES[c] for c in (*record.nationalities,
                                   *_remark_values(record.remarks, ("nationality", "citizen")))
            if c in COUNTRIES)),
    )


def _remark_values(remarks: str | None, labels: tuple[str, ...]) -> list[str]:
    """The texts after ``label`` in remark items such as 'DOB 01 Jan 1960', 'alt. citizen
    Iran' (the CSV format writes dates of birth and nationalities into the remarks)."""
    out: list[str] = []
    for item in remark_items(remarks):
        text = item.removeprefix("alt. ")
        out += [text[len(lb) + 1:].strip() for lb in labels if text.startswith(lb + " ")]
    return out


def identifiers(raw: tuple[RawId, ...]) -> tuple[Identifier, ...]:
    """Known identifier labels mapped to schemes (Russian tax id -> inn, etc.), de-duplicated."""
    found: dict[tuple[str, str, str | None], Identifier] = {}
    for item in raw:
        base = ID_LABELS.get(item.label)
        if base is None:
            continue
        country = COUNTRIES.get(item.country or "")
        scheme = NATIONAL_SCHEMES.get((base, country or ""), base)
        found.setdefault(
            (scheme, item.value, country),
            Identifier(scheme=scheme, value=item.value, country=country),
        )
    return tuple(found.values())


def list_for(list_key: str, program: str | None) -> tuple[str, Measure]:
    """(list name, measure) for a program tag in the given list's file."""
    if program in NON_SDN_PROGRAMS:
        return NON_SDN_PROGRAMS[program]
    if list_key == "cons":
        return CONS_PROGRAMS.get(program or "", CONS_DEFAULT)
    return SDN_DEFAULT


def _designations(record: RawRecord, list_key: str, cite: Source) -> list[Designation]:
    """One designation per program; a record without a program still is on the list."""
    programs: tuple[str | None, ...] = record.programs or (None,)
    out = []
    for program in programs:
        list_name, measure = list_for(list_key, program)
        out.append(
            Designation(
                id=f"{cite.source}:{record.ent_num}:{program or '-'}",
                entity_id=entity_id(record.ent_num),
                regime="us",
                authority="OFAC",
                program=program,
                list_name=list_name,
                measure=measure,
                source=cite,
            )
        )
    return out


# --- "Linked To" remarks ---------------------------------------------------------------------


@dataclass
class _Index:
    """Normalised names -> ent_nums, primary names apart from aliases."""

    names: dict[str, set[str]]
    aliases: dict[str, set[str]]

    def resolve(self, name: str) -> set[str]:
        key = name_key(name)
        return self.names.get(key) or self.aliases.get(key) or set()


def _index(records: list[RawRecord]) -> _Index:
    index = _Index(names={}, aliases={})
    for record in records:
        index.names.setdefault(name_key(record.name), set()).add(record.ent_num)
        for alias in record.aliases:
            index.aliases.setdefault(name_key(alias), set()).add(record.ent_num)
    return index


def _links(
    records: list[RawRecord], cites: dict[str, Source]
) -> tuple[list[Ownership], list[Relationship], list[str]]:
    index = _index(records)
    owners: dict[str, Ownership] = {}
    ties: dict[str, Relationship] = {}
    unresolved: list[str] = []
    ambiguous: list[str] = []
    for record in records:
        for name in linked_names(record.remarks):
            hits = index.resolve(name) - {record.ent_num}
            if len(hits) != 1:
                (ambiguous if hits else unresolved).append(name)
                continue
            _add_link(record, hits.pop(), name, cites[record.ent_num], owners, ties)
    return list(owners.values()), list(ties.values()), _link_warnings(unresolved, ambiguous)


def _add_link(
    record: RawRecord,
    target: str,
    name: str,
    cite: Source,
    owners: dict[str, Ownership],
    ties: dict[str, Relationship],
) -> None:
    """Individual -> officer tie; anything else -> owned or controlled by the target."""
    edge_id = f"{cite.source}:{record.ent_num}:linked:{target}"
    src = cite.model_copy(update={"note": f"Linked To: {name}"})
    me, other = entity_id(record.ent_num), entity_id(target)
    if KINDS.get(record.sdn_type) == "person":
        ties[edge_id] = Relationship(id=edge_id, a=me, b=other, kind="officer", source=src)
    else:
        owners[edge_id] = Ownership(
            id=edge_id, owner=other, asset=me, share=Share.unknown(), source=src
        )


def _link_warnings(unresolved: list[str], ambiguous: list[str]) -> list[str]:
    out = []
    for label, names in (("not found", unresolved), ("ambiguous", ambiguous)):
        if names:
            examples = "; ".join(sorted(set(names))[:_EXAMPLES])
            noun = "name" if len(names) == 1 else "names"
            out.append(f"{len(names)} 'Linked To' {noun} {label} in this edition (e.g. {examples})")
    return out
