"""UK sanctions lists -> ListEdition: the FCDO UK Sanctions List XML and OFSI's ConList.

Read -> map -> check, like every list module:

* read: ``UK-Sanctions-List.xml`` (``<Designations><Designation>``, dated by
  ``<DateGenerated>``), or OFSI's ``ConList.xlsx`` / ``ConList.csv`` (row 1 'Last Updated
  dd/mm/yyyy', header in row 2, one row per name, grouped by ``Group ID``). A directory may
  hold several; the XML wins over the xlsx over the csv when the same record appears twice.
* map: the record id is the UK Sanctions List reference (``RUS1422``; ConList carries it in
  'Other Information' as '(UK Sanctions List Ref):RUS1422'), else ``group-<Group ID>``, so both
  formats give ``uk:RUS1422``. ``Parent company`` names and 'owned or controlled by <name>'
  designation grounds become unknown-share Ownership ('owned', parents) or
  dominant-influence Control ('controlled', 'owned or controlled') edges, but only where the
  name resolves, by exact normalised name, to one entity of the same edition.
* check: unresolved parent/ground names, low-quality aliases left out and unrecognised
  countries become warnings.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zipfile import BadZipFile

from lxml import etree
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from riskengine.domain import Control, EntityKind, Identifier, Measure, Ownership, Share, Source
from riskengine.errors import InputError
from riskengine.lists.base import ListEdition
from riskengine.lists.common import clean, parse_date, parse_xml
from riskengine.lists.countries import (
    FileMeta,
    Listing,
    ListRecord,
    Notes,
    Publisher,
    assemble,
    file_meta,
    first_country,
    identifier,
    line_of,
    list_files,
    name_key,
    numbered,
    reg_numbers,
    unique,
)

SOURCE = "uk"
PUBLISHER = Publisher(
    source=SOURCE, regime="uk", authority="FCDO/OFSI", list_name="UK Sanctions List"
)
CONLIST_NAME = "OFSI Consolidated List"

# Source quirks, as lookup tables.
_KINDS: dict[str, EntityKind] = {"individual": "person", "entity": "company", "ship": "vessel"}
_REGIME_NAMES = (  # FCDO RegimeName -> ConList's short Regime, first match wins
    re.compile(r"^The (?P<p>.+?) \((?P<q>\w+) Sanctions\)"),  # Counter-Terrorism (International)
    re.compile(r"^The (?P<p>.+?) \(Sanctions\) \((?P<q>Nuclear)\)"),  # Iran (Nuclear)
    re.compile(r"^The (?:Republic of )?(?P<p>.+?) \((?:United Nations )?Sanctions\)"),  # Russia
    re.compile(r"^The (?P<p>.+?) Sanctions Regulations"),  # Global Human Rights...
)
_REGIME_EXACT = {  # RegimeName whose ConList name the patterns do not give
    "The Counter-Terrorism (Sanctions) (EU Exit) Regulations 2019": "Counter-Terrorism (Domestic)",
}
_OTHER_TAGS = (  # '(Tag):value' fields inside ConList's 'Other Information'
    "UK Sanctions List Ref", "UK Statement of Reasons", "UN Ref", "Gender", "Phone number",
    "Email address", "Type of entity", "Website", "Parent company", "Business Reg No",
    "Subsidiaries", "IMO number", "Flag of ship", "Type of ship", "Tonnage of ship",
    "Length of ship", "Year built", "Current owners", "Fax", "Previous flags",
)
_TAG_SPLIT = re.compile(r"\((" + "|".join(map(re.escape, _OTHER_TAGS)) + r")\):", re.I)
_GROUND = re.compile(
    r"\b(owned|controlled)\b[^.]{0,220}?\bby\s+(?P<rest>[^\n]*?)(?:\.\s|\.$|\n|$)", re.I
)
_NAMELY = re.compile(r"\bnamely\s+(?P<name>[^.;\n]+)", re.I)
_NAME_END = re.compile(r"[.;:,(]|\s(?:who|which|and|that|is|as|to|for|in|through|via|with)\s")
_NAME_FILLER = re.compile(r"^(?:the |a |an )?(?:designated (?:person|entity) )?(?:the )?", re.I)
_PARENT_FILLER = re.compile(r"^(?:owned\s*/\s*controlled by|subsidiary of)\s+", re.I)
_LOW_QUALITY = "low quality"
_UNRESOLVED = {
    "parent": "parent companies or ship owners not resolved in this edition",
    "ground": "ownership/control grounds naming no entity of this edition",
}
_CONLIST_FIELDS = {  # a column of that name if the file has one, else an 'Other Information' tag
    "ref": ("UK Sanctions List Ref", "uk sanctions list ref"),
    "parent": ("Parent Company", "parent company"),
    "owners": ("Current Owners", "current owners"),  # of a ship
    "reg": ("Business Registration Number", "business reg no"),
    "imo": ("IMO Number", "imo number"),
    "reasons": ("UK Statement of Reasons", "uk statement of reasons"),
}
_CONLIST_REQUIRED = ("Name 6", "Group Type", "Alias Type", "Regime", "Listed On", "Group ID")
_DMY = ("%d/%m/%Y",)


@dataclass
class _UkRecord:
    """A designation with the names its ownership links point at, before resolution."""

    record: ListRecord
    parents: list[str] = field(default_factory=list)
    grounds: str = ""


def read(path: Path, published: date | None = None) -> ListEdition:
    """Read FCDO XML and/or OFSI ConList xlsx/csv (a file, or a directory of them)."""
    notes = Notes()
    metas: list[FileMeta] = []
    found: dict[str, _UkRecord] = {}
    files = list_files(path, _READERS_ORDER)  # XML first, then xlsx, then csv
    for file in sorted(files, key=lambda p: (_READERS_ORDER.index(p.suffix.lower()), p.name)):
        meta, records = _READERS[file.suffix.lower()](file, published, notes)
        metas.append(meta)
        for rec in records:
            if found.setdefault(rec.record.record_id, rec) is not rec:
                notes.add("records repeated across the files read (first copy kept)")
    kept = list(found.values())
    return assemble(PUBLISHER, metas, [r.record for r in kept], notes, _links(kept, notes))


def _dmy(where: str, text: str | None) -> date | None:
    """A dd/mm/yyyy date; InputError naming ``where`` when it does not parse."""
    try:
        return parse_date(text, _DMY)
    except ValueError as exc:
        raise InputError(where, str(exc)) from exc


# --- FCDO UK Sanctions List XML --------------------------------------------------------------


_Read = tuple[FileMeta, list["_UkRecord"]]
_Row = tuple[int, dict[str, str]]


def _read_fcdo(path: Path, published: date | None, notes: Notes) -> _Read:
    """Parse UK-Sanctions-List.xml."""
    meta = file_meta(path)
    root = parse_xml(path)
    if root.tag != "Designations":
        raise InputError(f"{path}:{line_of(root) or 1}", f"not the UK Sanctions List: <{root.tag}>")
    day = _dmy(f"{path}:{line_of(root) or 1}", root.findtext("DateGenerated"))
    meta = FileMeta(meta.path, meta.sha256, day or published)
    return meta, [_fcdo_record(meta, node, notes) for node in root.iterchildren("Designation")]


def _fcdo_record(meta: FileMeta, node: etree._Element, notes: Notes) -> _UkRecord:
    """Map one <Designation>."""
    where = f"{meta.path}:{line_of(node) or 0}"
    rid = clean(node.findtext("UniqueID")) or f"group-{clean(node.findtext('OFSIGroupID'))}"
    kind = _KINDS.get((node.findtext("IndividualEntityShip") or "").strip().lower(), "unknown")
    countries = [*_texts(node, "IndividualDetails/Individual/Nationalities/Nationality"),
                 *_texts(node, "Addresses/Address/AddressCountry")]
    listing = Listing(regime_name(node.findtext("RegimeName")),
                      _dmy(where, node.findtext("DateDesignated")), _measure(node))
    record = ListRecord(
        record_id=rid, kind=kind, names=_fcdo_names(node),
        source=meta.source(SOURCE, rid, line_of(node)),
        country=first_country(countries, rid, notes), identifiers=_fcdo_ids(node),
        listings=[listing],
    )
    parents = _texts(node, "EntityDetails/Entity/ParentCompanies/ParentCompany")
    return _UkRecord(record, parents, node.findtext("UKStatementofReasons") or "")


def _texts(node: etree._Element, path: str) -> list[str]:
    """Non-empty cleaned texts at ``path``."""
    return [text for text in (clean(n.text) for n in node.iterfind(path)) if text]


def _fcdo_names(node: etree._Element) -> list[str]:
    """Primary name first, then variations and aliases, then non-Latin names."""
    names: list[tuple[bool, str]] = []
    for name in node.iterfind("Names/Name"):
        parts = [clean(name.findtext(f"Name{i}")) for i in (1, 2, 3, 4, 5, 6)]
        primary = (name.findtext("NameType") or "").strip().lower() == "primary name"
        names.append((not primary, " ".join(filter(None, parts))))
    ordered = [text for _, text in sorted(names, key=lambda item: item[0])]
    return [*ordered, *_texts(node, "NonLatinNames/NonLatinName/NameNonLatinScript")]


def _fcdo_ids(node: etree._Element) -> list[Identifier]:
    """Registration numbers, passports, national ids and IMO numbers."""
    out = [i for text in _texts(node, "EntityDetails/Entity/BusinessRegistrationNumbers/"
                                "BusinessRegistrationNumber") for i in reg_numbers(text)]
    person = "IndividualDetails/Individual/"
    out += [identifier("passport", t) for t in _texts(node, person + "PassportDetails//"
                                                      "PassportNumber")]
    out += [identifier("national_id", t) for t in _texts(node, person + "NationalIdentifier"
                                                         "Details//NationalIdentifierNumber")]
    return out + [identifier("imo", t) for t in _texts(node, "ShipDetails//IMONumber")]


def regime_name(name: str | None) -> str | None:
    """'The Russia (Sanctions) (EU Exit) Regulations 2019' -> 'Russia', as ConList says."""
    text = clean(name) or ""
    for pattern in _REGIME_NAMES:
        match = pattern.match(text)
        if match and text not in _REGIME_EXACT:
            extra = match.groupdict().get("q")
            return f"{match['p']} ({extra})" if extra else match["p"]
    return _REGIME_EXACT.get(text, text) or None


def _measure(node: etree._Element) -> Measure:
    """Asset freeze when imposed; trust-services-only and travel-ban-only designations: other."""
    imposed = (node.findtext("SanctionsImposed") or "").lower()
    flag = (node.findtext("SanctionsImposedIndicators/AssetFreeze") or "").strip().lower()
    return "asset_freeze" if "asset freeze" in imposed or flag == "true" else "other"


# --- OFSI ConList (xlsx, csv) ----------------------------------------------------------------


def _read_xlsx(path: Path, published: date | None, notes: Notes) -> _Read:
    """Parse ConList.xlsx (first sheet, read-only, values only)."""
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputError(str(path), f"not a readable xlsx workbook: {exc}") from exc
    try:
        rows = (tuple(map(_cell, row)) for row in book.worksheets[0].iter_rows(values_only=True))
        return _read_conlist(path, published, notes, rows)
    finally:
        book.close()


def _read_csv(path: Path, published: date | None, notes: Notes) -> _Read:
    """Parse ConList.csv (UTF-8, comma-separated, same rows as the xlsx)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, strict=True)
        try:
            return _read_conlist(path, published, notes, (tuple(row) for row in reader))
        except csv.Error as exc:
            raise InputError(f"{path}:{reader.line_num}", f"malformed CSV: {exc}") from exc
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}:{reader.line_num + 1}", "not UTF-8 text") from exc


def _cell(value: object) -> str:
    """A spreadsheet cell as text (dates as dd/mm/yyyy, whole floats without '.0')."""
    if isinstance(value, str):
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_conlist(
    path: Path, published: date | None, notes: Notes, rows: Iterable[tuple[str, ...]]
) -> _Read:
    """Group ConList rows by Group ID and map each group."""
    meta = file_meta(path)
    day, groups = _conlist_groups(path, iter(rows))
    meta = FileMeta(meta.path, meta.sha256, day or published)
    return meta, [_conlist_record(meta, group, notes) for group in groups.values()]


def _conlist_groups(
    path: Path, rows: Iterator[tuple[str, ...]]
) -> tuple[date | None, dict[str, list[_Row]]]:
    """'Last Updated' date and the rows of each Group ID, in file order."""
    first = next(rows, ())
    day: date | None = None
    header, line = first, 1
    if first and first[0].lower().startswith("last updated"):
        text = first[1] if len(first) > 1 and first[1] else first[0][len("last updated"):]
        day, header, line = _dmy(f"{path}:1", text.strip()), next(rows, ()), 2
    _check_header(path, line, header)
    groups: dict[str, list[_Row]] = {}
    for number, values in enumerate(rows, start=line + 1):
        row = _conlist_row(path, number, header, values)
        if row is not None:
            groups.setdefault(row["Group ID"], []).append((number, row))
    return day, groups


def _check_header(path: Path, line: int, header: tuple[str, ...]) -> None:
    """The header row must name the columns the mapping needs."""
    missing = [column for column in _CONLIST_REQUIRED if column not in header]
    if missing:
        raise InputError(f"{path}:{line}", f"not an OFSI ConList: missing {', '.join(missing)}")


def _conlist_row(path: Path, line: int, header: tuple[str, ...], values: tuple[str, ...]
                 ) -> dict[str, str] | None:
    """One data row as a dict; None for a blank row. Extra cells must be empty."""
    if not any(values):
        return None
    if len(values) < len(header) or any(values[len(header):]):
        raise InputError(f"{path}:{line}", f"{len(values)} cells, header has {len(header)}")
    row = dict(zip(header, values, strict=False))
    if not row["Group ID"]:
        raise InputError(f"{path}:{line}", "row without Group ID")
    return row


def _conlist_record(meta: FileMeta, group: list[_Row], notes: Notes) -> _UkRecord:
    """Map the rows of one Group ID."""
    line, first = next((r for r in group if r[1]["Alias Type"].lower() == "primary name"), group[0])
    other = _other_info(first.get("Other Information", ""))
    ref = _field(first, other, "ref").split()
    rid = ref[0].rstrip(".") if ref else f"group-{first['Group ID']}"
    kind = _KINDS.get(first["Group Type"].lower(), "unknown")
    country = first_country([first.get("Nationality"), first.get("Country")], rid, notes)
    listing = Listing(first["Regime"] or None, _dmy(f"{meta.path}:{line}", first["Listed On"]),
                      list_name=CONLIST_NAME)
    record = ListRecord(
        record_id=rid, kind=kind, names=_conlist_names(rid, first, group, notes),
        source=meta.source(SOURCE, rid, line), country=country,
        identifiers=_conlist_ids(first, other, country), listings=[listing],
    )
    parents = numbered(_field(first, other, "parent")) + numbered(_field(first, other, "owners"))
    return _UkRecord(record, parents, _field(first, other, "reasons"))


def _other_info(text: str) -> dict[str, str]:
    """'(Tag):value (Tag):value' -> {'tag': 'value'} (first value of each tag)."""
    parts = _TAG_SPLIT.split(text or "")
    pairs = zip(parts[1::2], parts[2::2], strict=False)
    out: dict[str, str] = {}
    for tag, value in pairs:
        out.setdefault(tag.lower(), value.strip())
    return out


def _field(row: dict[str, str], other: dict[str, str], key: str) -> str:
    """A ConList field: its own column where the file has one, else its Other Information tag."""
    column, tag = _CONLIST_FIELDS[key]
    return row.get(column) or other.get(tag, "")


def _conlist_names(rid: str, first: dict[str, str], group: list[_Row], notes: Notes) -> list[str]:
    """Primary row's name, the other rows' names (not low-quality ones), non-Latin names."""
    names = [_row_name(first)]
    for _, row in group:
        if row is first:
            continue
        if (row.get("Alias Quality") or "").lower() == _LOW_QUALITY:
            notes.add("low-quality aliases left out", f"{rid} {_row_name(row)!r}")
        else:
            names.append(_row_name(row))
    return names + [row.get("Name Non-Latin Script", "") for _, row in group]


def _row_name(row: dict[str, str]) -> str:
    """'Name 1' .. 'Name 5' then 'Name 6' (the surname, or the whole name of an entity)."""
    parts = [row.get(f"Name {i}", "") for i in (1, 2, 3, 4, 5)] + [row["Name 6"]]
    return " ".join(" ".join(filter(None, parts)).split())


def _conlist_ids(row: dict[str, str], other: dict[str, str], country: str | None
                 ) -> list[Identifier]:
    """Passport and national id columns, and Business Reg No / IMO number tags."""
    out = [identifier("passport", p) for p in numbered(row.get("Passport Number", ""))]
    out += [identifier("national_id", n) for n in
            numbered(row.get("National Identification Number", ""))]
    out += reg_numbers(_field(row, other, "reg"), country)
    return out + [identifier("imo", n) for n in re.findall(r"\d{7}", _field(row, other, "imo"))]


# --- ownership and control links -------------------------------------------------------------


def _links(records: list[_UkRecord], notes: Notes) -> tuple[list[Ownership], list[Control]]:
    """Parent-company and 'owned or controlled by' links that resolve within this edition."""
    index = _name_index(r.record for r in records)
    edges: dict[str, Ownership | Control] = {}
    for rec in records:
        rid = rec.record.record_id
        claims = [("parent", "owned", _PARENT_FILLER.sub("", p)) for p in rec.parents]
        claims += [("ground", how, name) for how, name in grounds(rec.grounds)]
        for via, how, name in claims:
            owner = _resolve(index, name, rid)
            if owner is None:
                notes.add(_UNRESOLVED[via], f"uk:{rid} <- {name!r}")
            elif owner != rid:
                edge = _edge(f"uk:{rid}/{via}/{owner}", how, owner, rid, rec.record.source)
                edges[edge.id] = edge
    owns = [e for e in edges.values() if isinstance(e, Ownership)]
    return owns, [e for e in edges.values() if isinstance(e, Control)]


def _edge(edge_id: str, how: str, owner: str, asset: str, source: Source) -> Ownership | Control:
    """Unknown-share Ownership ('owned') or dominant-influence Control ('controlled')."""
    if how == "owned":
        return Ownership(id=edge_id, owner=f"uk:{owner}", asset=f"uk:{asset}",
                         share=Share.unknown(), source=source)
    return Control(id=edge_id, controller=f"uk:{owner}", controlled=f"uk:{asset}",
                   kind="dominant_influence", source=source)


def grounds(text: str) -> list[tuple[str, str]]:
    """('owned' | 'controlled', name) for each 'owned/controlled ... by <name>' in ``text``.

    'owned or controlled' counts as 'controlled'. 'by a designated person ..., namely X' gives
    X; otherwise the words after 'by' up to the first clause break ('who', ',', '.'...).
    Names of one word ('AHMAD', 'IRGC') are left out: too weak to resolve on.
    """
    out: list[tuple[str, str]] = []
    for match in _GROUND.finditer(text or ""):
        phrase = match.group(0)[: match.start("rest") - match.start()].lower()
        how = "controlled" if "controlled" in phrase else "owned"
        sentence = match["rest"]
        namely = _NAMELY.search(sentence)
        name = namely["name"] if namely else _NAME_END.split(sentence, maxsplit=1)[0]
        name = _NAME_FILLER.sub("", name.strip()).strip(" .")
        if len(name.split()) >= 2:  # a lone surname or acronym is too weak to resolve on
            out.append((how, name))
    return out


def _name_index(records: Iterable[ListRecord]) -> dict[str, set[str]]:
    """name_key of every name and alias -> record ids carrying it."""
    index: dict[str, set[str]] = {}
    for rec in records:
        for name in unique(rec.names):
            index.setdefault(name_key(name), set()).add(rec.record_id)
    return index


def _resolve(index: dict[str, set[str]], name: str, rid: str) -> str | None:
    """The one record id whose name is ``name`` (normalised); None if none or several."""
    found = index.get(name_key(name), set())
    if rid in found:
        return rid
    return next(iter(found)) if len(found) == 1 else None


_READERS = {".xml": _read_fcdo, ".xlsx": _read_xlsx, ".csv": _read_csv}
_READERS_ORDER = (".xml", ".xlsx", ".csv")
