"""OFAC sdnList XML reader (sdn.xml and CONSOLIDATED.XML share the schema).

Each idList entry is read as the CSV remark "<idType> <idNumber> (<idCountry>)" would be:
some idNumber values carry the country in the text ("1026303117642 (Russia)") with no
idCountry, and some labels continue into the number ("IMO 9220639").

Parsing is namespace-agnostic: OFAC has used both ``http://tempuri.org/sdnList.xsd`` and the
sanctionslistservice namespace. Entity expansion and DTD loading are refused by
``riskengine.lists.common.parse_xml``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from lxml import etree

from riskengine.errors import InputError
from riskengine.lists.common import clean, local, parse_date, parse_xml
from riskengine.lists.ofac_records import RawId, RawRecord, person_name, xml_id

_DATE_FORMATS = ("%m/%d/%Y",)  # Publish_Date, e.g. 01/08/2026
_WEAK = "weak"  # aka category OFAC prints as a remark "a.k.a." in the CSV, not in alt.csv


@dataclass
class XmlList:
    """What one sdnList XML file holds, in OFAC's vocabulary."""

    records: list[RawRecord]
    published: date | None
    warnings: list[str] = field(default_factory=list)


def read_file(path: Path) -> XmlList:
    """Parse the file; InputError names the file and line of anything malformed."""
    root = parse_xml(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if local(root.tag) != "sdnList":
        raise InputError(f"{path}:{root.sourceline}", f"root <{local(root.tag)}> is not <sdnList>")
    info = _child(root, "publshInformation")
    out = XmlList(records=[], published=_published(path, info))
    seen: dict[str, int] = {}
    for entry in _children(root, "sdnEntry"):
        record = _record(entry, path, digest)
        if record.ent_num in seen:
            where = f"{path}:{record.line}"
            raise InputError(where, f"uid {record.ent_num} repeats line {seen[record.ent_num]}")
        seen[record.ent_num] = record.line
        out.records.append(record)
    _check_count(info, len(out.records), path, out.warnings)
    return out


def _children(node: etree._Element, name: str) -> Iterator[etree._Element]:
    return (c for c in node if isinstance(c.tag, str) and local(c.tag) == name)


def _child(node: etree._Element | None, name: str) -> etree._Element | None:
    return None if node is None else next(_children(node, name), None)


def _text(node: etree._Element | None, name: str) -> str | None:
    found = _child(node, name)
    return None if found is None else clean(found.text)


def _published(path: Path, info: etree._Element | None) -> date | None:
    text = _text(info, "Publish_Date")
    try:
        return parse_date(text, _DATE_FORMATS)
    except ValueError as exc:
        line = _line(_child(info, "Publish_Date"))
        raise InputError(f"{path}:{line}", f"Publish_Date {text!r} is not MM/DD/YYYY") from exc


def _check_count(info: etree._Element | None, found: int, path: Path, warnings: list[str]) -> None:
    stated = _text(info, "Record_Count")
    if stated is not None and stated != str(found):
        warnings.append(f"{path.name} states Record_Count {stated} but holds {found} entries")


def _line(node: etree._Element | None) -> int:
    line = None if node is None else node.sourceline
    return line if isinstance(line, int) else 0


def _record(entry: etree._Element, path: Path, digest: str) -> RawRecord:
    line = _line(entry)
    uid = _text(entry, "uid")
    if uid is None or not uid.isdigit():
        raise InputError(f"{path}:{line}", f"sdnEntry uid {uid!r} is not a number")
    name = person_name(_text(entry, "lastName"), _text(entry, "firstName"))
    if not name:
        raise InputError(f"{path}:{line}", f"sdnEntry {uid} has no name")
    sdn_type = _text(entry, "sdnType")
    return RawRecord(
        ent_num=uid,
        name=name,
        sdn_type=sdn_type.lower() if sdn_type else None,
        programs=_texts(_child(entry, "programList"), "program"),
        remarks=_text(entry, "remarks"),
        file=path.name,
        line=line,
        content_hash=digest,
        aliases=_aliases(_child(entry, "akaList")),
        weak_aliases=_aliases(_child(entry, "akaList"), weak=True),
        countries=_countries(_child(entry, "addressList")),
        ids=_ids(_child(entry, "idList")),
        births=_nested(entry, "dateOfBirthList", "dateOfBirthItem", "dateOfBirth"),
        nationalities=(*_nested(entry, "nationalityList", "nationality", "country"),
                       *_nested(entry, "citizenshipList", "citizenship", "country")),
    )


def _nested(entry: etree._Element, outer: str, item: str, field: str) -> tuple[str, ...]:
    """The ``field`` texts of the ``item`` elements of ``entry``'s ``outer`` list."""
    parent = _child(entry, outer)
    if parent is None:
        return ()
    values = (_text(node, field) for node in _children(parent, item))
    return tuple(dict.fromkeys(v for v in values if v))


def _texts(parent: etree._Element | None, name: str) -> tuple[str, ...]:
    if parent is None:
        return ()
    values = (clean(node.text) for node in _children(parent, name))
    return tuple(dict.fromkeys(v for v in values if v))


def _aliases(parent: etree._Element | None, weak: bool = False) -> tuple[str, ...]:
    """Strong a.k.a./f.k.a./n.k.a. names (the CSV's alt.csv holds the same set), or with
    ``weak`` the weak ones (the CSV's remarks "a.k.a. 'NAME'")."""
    if parent is None:
        return ()
    names = (
        person_name(_text(aka, "lastName"), _text(aka, "firstName"))
        for aka in _children(parent, "aka")
        if (_text(aka, "category") == _WEAK) == weak
    )
    return tuple(dict.fromkeys(n for n in names if n))


def _countries(parent: etree._Element | None) -> tuple[str, ...]:
    if parent is None:
        return ()
    values = (_text(address, "country") for address in _children(parent, "address"))
    return tuple(dict.fromkeys(v for v in values if v))


def _ids(parent: etree._Element | None) -> tuple[RawId, ...]:
    """idList entries; the idType label loses OFAC's trailing colon where it has one."""
    if parent is None:
        return ()
    found: list[RawId] = []
    for node in _children(parent, "id"):
        label = (_text(node, "idType") or "").rstrip(":").strip()
        number = _text(node, "idNumber")
        if label and number:
            found.append(xml_id(label, number, _text(node, "idCountry")))
    return tuple(found)
