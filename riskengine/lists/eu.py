"""EU Financial Sanctions Files (FSF) consolidated list, XML or CSV -> ListEdition.

Read -> map -> check, like every list module:

* read: ``xmlFullSanctionsList_1_1`` (root ``<export generationDate=...>``, one
  ``<sanctionEntity>`` per listing) or the FSF CSV (';'-separated, one row per
  alias/address/identification/..., grouped by ``Entity_LogicalId``; ``fileGenerationDate``
  dates the edition). Both become the same ``_Entry`` shape.
* map: entity id ``eu:<logicalId>``; first name alias is the name, the others aliases (weak
  aliases, ``strong="false"``, are kept apart as ``Entity.weak_aliases``); identification
  type codes map to schemes (a Russian regnumber of 13 digits is an OGRN, a tax number of
  10/12 digits an INN); one
  asset-freeze designation per regulation programme, in force from the earliest
  ``entryIntoForceDate`` (else ``publicationDate``) of that programme's regulations.
* check: entries without a regulation become warnings.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TypeVar

from lxml import etree

from riskengine.domain import EntityKind, Identifier
from riskengine.errors import InputError
from riskengine.lists.base import ListEdition
from riskengine.lists.common import clean, csv_text, local, parse_date, parse_xml
from riskengine.lists.records import (
    FileMeta,
    Listing,
    ListRecord,
    Notes,
    Publisher,
    assemble,
    file_meta,
    identifier,
    iso2,
    line_of,
    list_files,
)

SOURCE = "eu"
PUBLISHER = Publisher(source=SOURCE, regime="eu", authority="Council of the EU", list_name="EU FSF")

# Source quirks, as lookup tables.
_KINDS: dict[str, EntityKind] = {
    "person": "person", "p": "person", "enterprise": "company", "e": "company",
}
_ID_SCHEMES = {
    "regnumber": "registration", "tax": "tax", "fiscalcode": "tax", "passport": "passport",
    "id": "national_id", "ssn": "national_id", "swiftbic": "swift", "imo": "imo",
}
_DATES = ("%Y-%m-%d", "%d/%m/%Y")
T = TypeVar("T")
_CSV_REQUIRED = ("Entity_LogicalId", "NameAlias_WholeName", "Entity_Regulation_Programme")


@dataclass
class _Entry:
    """One sanctionEntity, from either format, before mapping."""

    logical_id: str
    line: int | None
    subject: str = ""
    names: list[tuple[str, bool]] = field(default_factory=list)  # (name, strong)
    countries: list[str] = field(default_factory=list)  # citizenship, then address ISO codes
    ids: list[tuple[str, str, str | None]] = field(default_factory=list)  # type, number, ISO
    regulations: list[tuple[str | None, str | None]] = field(default_factory=list)  # prog, day


def read(path: Path, published: date | None = None) -> ListEdition:
    """Read FSF XML and/or CSV files (a file, or a directory of them; XML first)."""
    notes = Notes()
    metas: list[FileMeta] = []
    records: list[ListRecord] = []
    files = list_files(path, (".xml", ".csv"))
    for file in sorted(files, key=lambda p: (p.suffix.lower() != ".xml", p.name)):
        parse = _read_xml if file.suffix.lower() == ".xml" else _read_csv
        meta, entries = parse(file, published)
        metas.append(meta)
        records.extend(_record(meta, entry, notes) for entry in entries)
    return assemble(PUBLISHER, metas, records, notes)


def _day(where: str, text: str | None) -> date | None:
    """A date in an FSF field; a timestamp keeps its day ('2026-08-05T16:47:04+02:00')."""
    value = (text or "").strip()
    try:
        return parse_date(value[:10] if "T" in value else value, _DATES)
    except ValueError as exc:
        raise InputError(where, str(exc)) from exc


# --- XML -------------------------------------------------------------------------------------


def _read_xml(path: Path, published: date | None) -> tuple[FileMeta, list[_Entry]]:
    """Parse an FSF XML export."""
    meta = file_meta(path)
    root = parse_xml(path)
    if local(root.tag) != "export":
        raise InputError(f"{path}:{line_of(root) or 1}", f"not an FSF export: <{root.tag}>")
    generated = _day(f"{path}:{line_of(root) or 1}", root.get("generationDate"))
    entries = [_xml_entry(node) for node in _kids(root, "sanctionEntity")]
    return FileMeta(meta.path, meta.sha256, generated or published), entries


def _kids(node: etree._Element, name: str) -> list[etree._Element]:
    """Child elements with local name ``name``."""
    return [child for child in node if local(child.tag) == name]


def _xml_entry(node: etree._Element) -> _Entry:
    """One sanctionEntity element as an _Entry."""
    entry = _Entry(logical_id=node.get("logicalId") or "", line=line_of(node))
    entry.subject = next((s.get("code") or "" for s in _kids(node, "subjectType")), "")
    entry.names = [(_whole_name(a), a.get("strong") != "false") for a in _kids(node, "nameAlias")]
    entry.countries = [c.get("countryIso2Code") or "" for c in _kids(node, "citizenship")]
    entry.countries += [a.get("countryIso2Code") or "" for a in _kids(node, "address")]
    entry.ids = [
        (i.get("identificationTypeCode") or "", i.get("number") or "", i.get("countryIso2Code"))
        for i in _kids(node, "identification")
    ]
    entry.regulations = [
        (r.get("programme"), r.get("entryIntoForceDate") or r.get("publicationDate"))
        for r in _kids(node, "regulation")
    ]
    return entry


def _whole_name(alias: etree._Element) -> str:
    """wholeName, else first, middle and last name joined."""
    parts = (alias.get("firstName"), alias.get("middleName"), alias.get("lastName"))
    return clean(alias.get("wholeName")) or " ".join(filter(None, map(clean, parts)))


# --- CSV -------------------------------------------------------------------------------------


def _read_csv(path: Path, published: date | None) -> tuple[FileMeta, list[_Entry]]:
    """Parse an FSF CSV file, grouping its rows by Entity_LogicalId."""
    meta = file_meta(path)
    entries: dict[str, _Entry] = {}
    generated: date | None = None
    for line, row in _csv_rows(path):
        generated = generated or _day(f"{path}:{line}", row.get("fileGenerationDate"))
        logical_id = row["Entity_LogicalId"]
        if not logical_id:
            raise InputError(f"{path}:{line}", "row without Entity_LogicalId")
        _add_row(entries.setdefault(logical_id, _Entry(logical_id, line)), row)
    return FileMeta(meta.path, meta.sha256, generated or published), list(entries.values())


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) for each data row; malformed CSV or missing columns raise InputError."""
    reader = csv.reader(csv_text(path), delimiter=";", strict=True)
    try:
        header = _csv_header(path, next(reader, []))
        for row in reader:
            if len(row) != len(header):
                where = f"{path}:{reader.line_num}"
                raise InputError(where, f"{len(row)} fields, header has {len(header)}")
            yield reader.line_num, {k: v.strip() for k, v in zip(header, row, strict=True)}
    except csv.Error as exc:
        raise InputError(f"{path}:{reader.line_num}", f"malformed CSV: {exc}") from exc


def _csv_header(path: Path, header: list[str]) -> list[str]:
    """The header row, checked for the columns the mapping needs."""
    missing = [column for column in _CSV_REQUIRED if column not in header]
    if missing:
        raise InputError(f"{path}:1", f"not an FSF CSV: missing {', '.join(missing)}")
    return header


def _add_row(entry: _Entry, row: dict[str, str]) -> None:
    """Add what one CSV row says about an entity (rows repeat the entity's own fields)."""
    kind = row.get("Entity_SubjectType_ClassificationCode") or row.get("Entity_SubjectType")
    entry.subject = entry.subject or kind or ""
    name = row.get("NameAlias_WholeName") or _csv_name(row)
    if name:
        _add(entry.names, (name, True))
    for column in ("Citizenship_CountryIso2Code", "Address_CountryIso2Code"):
        if row.get(column):
            _add(entry.countries, row[column])
    if row.get("Identification_Number"):
        code, number = row.get("Identification_TypeCode", ""), row["Identification_Number"]
        _add(entry.ids, (code, number, row.get("Identification_CountryIso2Code")))
    _add_regulation(entry, row)


def _add_regulation(entry: _Entry, row: dict[str, str]) -> None:
    """The entity's regulation columns of one CSV row."""
    programme = row.get("Entity_Regulation_Programme") or None
    day = row.get("Entity_Regulation_EntryIntoForceDate") or row.get(
        "Entity_Regulation_PublicationDate") or None
    if programme or day:
        _add(entry.regulations, (programme, day))


def _csv_name(row: dict[str, str]) -> str:
    """First, middle and last name joined, for rows without a whole name."""
    parts = ("NameAlias_FirstName", "NameAlias_MiddleName", "NameAlias_LastName")
    return " ".join(filter(None, (row.get(p, "") for p in parts)))


def _add(items: list[T], item: T) -> None:
    """Append ``item`` unless it is already there."""
    if item not in items:
        items.append(item)


# --- map -------------------------------------------------------------------------------------


def _record(meta: FileMeta, entry: _Entry, notes: Notes) -> ListRecord:
    """Map one _Entry to a ListRecord."""
    where = f"{meta.path}: record {entry.logical_id}"
    if not entry.logical_id:
        raise InputError(f"{meta.path}:{entry.line or 0}", "sanctionEntity without logicalId")
    names = [name for name, _ in entry.names[:1]]
    names += [name for name, strong in entry.names[1:] if strong]
    weak = [name for name, strong in entry.names[1:] if not strong]
    countries = [c for c in map(iso2, entry.countries) if c]
    return ListRecord(
        record_id=entry.logical_id, kind=_KINDS.get(entry.subject.lower(), "unknown"),
        names=names, source=meta.source(SOURCE, entry.logical_id, entry.line),
        country=countries[0] if countries else None,
        identifiers=_identifiers(entry), listings=_listings(where, entry, notes),
        weak_names=weak,
    )


def _identifiers(entry: _Entry) -> list[Identifier]:
    """Identification numbers with their schemes."""
    return [
        identifier(_ID_SCHEMES.get(code.lower(), "other"), number, iso2(country))
        for code, number, country in entry.ids
        if number.strip()
    ]


def _listings(where: str, entry: _Entry, notes: Notes) -> list[Listing]:
    """One listing per programme, from the earliest date among its regulations."""
    first: dict[str | None, date | None] = {}
    for programme, text in entry.regulations:
        day = _day(where, text)
        known = first.get(programme)
        first[programme] = min(known, day) if known and day else (known or day)
    if not first:
        notes.add("entries without a regulation (listed with no programme or date)",
                  entry.logical_id)
        first[None] = None
    return [Listing(clean(programme), day) for programme, day in first.items()]
