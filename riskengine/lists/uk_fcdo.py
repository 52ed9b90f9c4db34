"""FCDO UK Sanctions List XML (``UK-Sanctions-List.xml``) -> UK records, for ``lists.uk``.

``<Designations><Designation>``, dated by ``<DateGenerated>``. Also holds what the FCDO and
ConList readers share: the record type, the entity kinds and the dd/mm/yyyy date parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from lxml import etree

from riskengine.domain import EntityKind, Identifier, Measure
from riskengine.errors import InputError
from riskengine.lists.common import clean, parse_date, parse_xml
from riskengine.lists.records import (
    FileMeta,
    Listing,
    ListRecord,
    Notes,
    country_codes,
    file_meta,
    first_country,
    identifier,
    line_of,
    reg_numbers,
)

SOURCE = "uk"

# Source quirks, as lookup tables.
KINDS: dict[str, EntityKind] = {"individual": "person", "entity": "company", "ship": "vessel"}
_REGIME_NAMES = (  # FCDO RegimeName -> ConList's short Regime, first match wins
    re.compile(r"^The (?P<p>.+?) \((?P<q>\w+) Sanctions\)"),  # Counter-Terrorism (International)
    re.compile(r"^The (?P<p>.+?) \(Sanctions\) \((?P<q>Nuclear)\)"),  # Iran (Nuclear)
    re.compile(r"^The (?:Republic of )?(?P<p>.+?) \((?:United Nations )?Sanctions\)"),  # Russia
    re.compile(r"^The (?P<p>.+?) Sanctions Regulations"),  # Global Human Rights...
)
_REGIME_EXACT = {  # RegimeName whose ConList name the patterns do not give
    "The Counter-Terrorism (Sanctions) (EU Exit) Regulations 2019": "Counter-Terrorism (Domestic)",
}
_DMY = ("%d/%m/%Y",)


@dataclass
class UkRecord:
    """A designation with the names its ownership links point at, before resolution."""

    record: ListRecord
    parents: list[str] = field(default_factory=list)
    grounds: str = ""


def dmy(where: str, text: str | None) -> date | None:
    """A dd/mm/yyyy date; InputError naming ``where`` when it does not parse."""
    try:
        return parse_date(text, _DMY)
    except ValueError as exc:
        raise InputError(where, str(exc)) from exc


FileRead = tuple[FileMeta, list["UkRecord"]]


def read_fcdo(path: Path, published: date | None, notes: Notes) -> FileRead:
    """Parse UK-Sanctions-List.xml."""
    meta = file_meta(path)
    root = parse_xml(path)
    if root.tag != "Designations":
        raise InputError(f"{path}:{line_of(root) or 1}", f"not the UK Sanctions List: <{root.tag}>")
    day = dmy(f"{path}:{line_of(root) or 1}", root.findtext("DateGenerated"))
    meta = FileMeta(meta.path, meta.sha256, day or published)
    return meta, [_fcdo_record(meta, node, notes) for node in root.iterchildren("Designation")]


def _fcdo_record(meta: FileMeta, node: etree._Element, notes: Notes) -> UkRecord:
    """Map one <Designation>."""
    where = f"{meta.path}:{line_of(node) or 0}"
    rid = clean(node.findtext("UniqueID")) or f"group-{clean(node.findtext('OFSIGroupID'))}"
    kind = KINDS.get((node.findtext("IndividualEntityShip") or "").strip().lower(), "unknown")
    countries = [*_texts(node, "IndividualDetails/Individual/Nationalities/Nationality"),
                 *_texts(node, "Addresses/Address/AddressCountry")]
    listing = Listing(regime_name(node.findtext("RegimeName")),
                      dmy(where, node.findtext("DateDesignated")), _measure(node))
    record = ListRecord(
        record_id=rid, kind=kind, names=_fcdo_names(node),
        source=meta.source(SOURCE, rid, line_of(node)),
        country=first_country(countries, rid, notes), identifiers=_fcdo_ids(node),
        listings=[listing], nationalities=country_codes(
            _texts(node, "IndividualDetails/Individual/Nationalities/Nationality")),
    )
    parents = _texts(node, "EntityDetails/Entity/ParentCompanies/ParentCompany")
    return UkRecord(record, parents, node.findtext("UKStatementofReasons") or "")


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

