"""UN Security Council Consolidated List (``CONSOLIDATED_LIST`` XML) -> ListEdition.

Read -> map -> check, like every list module:

* read: the XML (safe parser), ``dateGenerated`` on the root gives the edition date.
* map: each ``INDIVIDUAL`` (person) or ``ENTITY`` (company) is one entity with id
  ``un:<REFERENCE_NUMBER>`` (e.g. ``un:CDi.001``) and one asset-freeze designation whose
  program is ``UN_LIST_TYPE`` and whose start is ``LISTED_ON``.
* check: unrecognised country names become warnings. Aliases of 'Low' quality are kept
  apart as the entity's weak aliases (screened as weaker evidence).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from lxml import etree

from riskengine.domain import EntityKind, Identifier
from riskengine.errors import InputError
from riskengine.lists.base import ListEdition
from riskengine.lists.births import all_birth_dates
from riskengine.lists.common import clean, parse_date, parse_xml
from riskengine.lists.records import (
    FileMeta,
    Listing,
    ListRecord,
    Notes,
    Publisher,
    assemble,
    country_code,
    country_codes,
    file_meta,
    first_country,
    identifier,
    line_of,
    list_files,
)

SOURCE = "un"
PUBLISHER = Publisher(
    source=SOURCE, regime="un", authority="UN Security Council",
    list_name="UN Security Council Consolidated List",
)

# Source quirks, as lookup tables.
_KINDS: dict[str, EntityKind] = {"INDIVIDUAL": "person", "ENTITY": "company"}
_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
_WEAK_QUALITIES = {"low"}  # weak aliases; 'Good', 'a.k.a.', 'f.k.a.' and blank are strong
_DOCUMENT_SCHEMES = {  # TYPE_OF_DOCUMENT, white space collapsed and lower-cased
    "passport": "passport",
    "numéro de passeport": "passport",
    "número de pasaporte": "passport",
    "national identification number": "national_id",
}
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")  # LISTED_ON may carry a zone: '2015-04-07-04:00'


def read(path: Path, published: date | None = None) -> ListEdition:
    """Read the UN consolidated list XML (a file, or a directory of .xml files)."""
    notes = Notes()
    metas: list[FileMeta] = []
    records: list[ListRecord] = []
    for file in list_files(path, (".xml",)):
        meta, root = _read_file(file, published)
        metas.append(meta)
        records.extend(_map(meta, root, notes))
    return assemble(PUBLISHER, metas, records, notes)


def _read_file(path: Path, published: date | None) -> tuple[FileMeta, etree._Element]:
    """Parse one file, check its root, and date it from ``dateGenerated``."""
    meta = file_meta(path)
    root = parse_xml(path)
    if root.tag != "CONSOLIDATED_LIST":
        raise InputError(f"{path}:{line_of(root) or 1}", f"not a UN list: root <{root.tag}>")
    generated = _day(path, root, root.get("dateGenerated"))
    return FileMeta(meta.path, meta.sha256, generated or published), root


def _day(path: Path, node: etree._Element, text: str | None) -> date | None:
    """The ISO day at the start of ``text`` ('2026-02-27T00:00:09.554Z' -> 2026-02-27)."""
    match = _ISO_DAY.match((text or "").strip())
    if text and text.strip() and not match:
        raise InputError(f"{path}:{line_of(node) or 0}", f"unrecognised date {text!r}")
    try:
        return parse_date(match.group(0), ("%Y-%m-%d",)) if match else None
    except ValueError:  # '2022-13-45': the shape of a day, but no such day
        raise InputError(f"{path}:{line_of(node) or 0}", f"no such date {text!r}") from None


def _map(meta: FileMeta, root: etree._Element, notes: Notes) -> list[ListRecord]:
    """One ListRecord per INDIVIDUAL and ENTITY element."""
    return [_record(meta, node, notes) for node in root.iter("INDIVIDUAL", "ENTITY")]


def _record(meta: FileMeta, node: etree._Element, notes: Notes) -> ListRecord:
    """Map one INDIVIDUAL/ENTITY element."""
    ref = clean(node.findtext("REFERENCE_NUMBER"))
    if not ref:
        raise InputError(f"{meta.path}:{line_of(node) or 0}", "entry without REFERENCE_NUMBER")
    name = " ".join(filter(None, (clean(node.findtext(tag)) for tag in _NAME_PARTS)))
    listed = _day(meta.path, node, node.findtext("LISTED_ON"))
    return ListRecord(
        record_id=ref, kind=_KINDS[str(node.tag)],
        names=[name, *_aliases(node)],
        weak_names=_weak_aliases(node),
        source=meta.source(SOURCE, ref, line_of(node)),
        country=_country(node, ref, notes),
        identifiers=_documents(node),
        listings=[Listing(clean(node.findtext("UN_LIST_TYPE")), listed)],
        birth_dates=_births(node),
        nationalities=country_codes(v.text for v in node.iterfind("NATIONALITY/VALUE")),
    )


def _births(node: etree._Element) -> tuple[str, ...]:
    """INDIVIDUAL_DATE_OF_BIRTH: DATE, YEAR, FROM_YEAR..TO_YEAR or a NOTE like 'Nov. 1973'."""
    texts: list[str | None] = []
    for birth in node.iterchildren("INDIVIDUAL_DATE_OF_BIRTH"):
        start, end = birth.findtext("FROM_YEAR"), birth.findtext("TO_YEAR")
        span = f"{start} to {end}" if start and end else None
        texts.append(birth.findtext("DATE") or birth.findtext("YEAR") or span
                     or birth.findtext("NOTE"))
    return all_birth_dates(texts)


def _aliases(node: etree._Element) -> list[str]:
    """Aliases of good or unstated quality, then the name in original script."""
    out = _quality_aliases(node, weak=False)
    original = clean(node.findtext("NAME_ORIGINAL_SCRIPT"))
    return [*out, original] if original else out


def _weak_aliases(node: etree._Element) -> list[str]:
    """Aliases of 'Low' quality: the list's weak aliases."""
    return _quality_aliases(node, weak=True)


def _quality_aliases(node: etree._Element, weak: bool) -> list[str]:
    out: list[str] = []
    for alias in node.iterchildren("INDIVIDUAL_ALIAS", "ENTITY_ALIAS"):
        text = clean(alias.findtext("ALIAS_NAME"))
        quality = (clean(alias.findtext("QUALITY")) or "").lower()
        if text and (quality in _WEAK_QUALITIES) == weak:
            out.append(text)
    return out


def _country(node: etree._Element, ref: str, notes: Notes) -> str | None:
    """First nationality for a person, else the first address country."""
    texts = [v.text for v in node.iterfind("NATIONALITY/VALUE")]
    addresses = node.iterchildren("INDIVIDUAL_ADDRESS", "ENTITY_ADDRESS")
    texts += [a.findtext("COUNTRY") for a in addresses]
    return first_country(texts, ref, notes)


def _documents(node: etree._Element) -> list[Identifier]:
    """Passports and national identity numbers."""
    out: list[Identifier] = []
    for doc in node.iterchildren("INDIVIDUAL_DOCUMENT"):
        number = clean(doc.findtext("NUMBER"))
        kind = " ".join((doc.findtext("TYPE_OF_DOCUMENT") or "").split()).lower()
        if number:
            issuer = doc.findtext("ISSUING_COUNTRY") or doc.findtext("COUNTRY_OF_ISSUE")
            scheme = _DOCUMENT_SCHEMES.get(kind, "other")
            out.append(identifier(scheme, number, country_code(issuer)))
    return out
