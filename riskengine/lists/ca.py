"""Consolidated Canadian Autonomous Sanctions List (``sema-lmes.xml``) -> ListEdition.

Read -> map -> check, like every list module:

* read: the XML (safe parser): a ``<data-set>`` of ``<record>`` elements. The format carries
  no edition date, so ``published`` is the caller's.
* map: one entity per record. ``Country`` is the sanctions regime, not the entity's country
  ('Russia / Russie'), so entities get no country. The record id is
  ``<regime>-<schedule>-<item>``: the regime slug (``russia``, ``jvcfor``...), the schedule with
  'Part' shortened to 'p' and spaces and commas dropped ('1, Part 2' -> ``1p2``), and the item
  number, e.g. ``ca:russia-1p2-173`` for KAMAZ PTC. Records without a schedule leave it out.
  Program: '<regime>, Schedule <schedule>' ('Russia, Schedule 1, Part 2'). ``Aliases`` is
  one free-text field; it is split (see ``split_aliases``). Ships (``ShipIMONumber``) are
  vessels with an IMO identifier.
* check: repeated record ids become warnings (the first copy is kept).
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
    file_meta,
    identifier,
    line_of,
    list_files,
    slug,
)

SOURCE = "ca"
PUBLISHER = Publisher(
    source=SOURCE, regime="ca", authority="Global Affairs Canada",
    list_name="Consolidated Canadian Autonomous Sanctions List",
)

# Source quirks, as lookup tables.
_REGIME_KEYS = {  # English part of Country -> short key for record ids
    "Justice for Victims of Corrupt Foreign Officials Regulations (JVCFOR)": "jvcfor",
    "Hamas Terrorist Attacks": "hamas",
    "Extremist Settler Violence": "settler-violence",
    "Myanmar (Burma)": "myanmar",
}
_ALIAS_LABEL = re.compile(r"^[A-Z][a-z]+\s*:\s*")  # 'Russian: ', 'Belarusian\xa0: '
_SPLIT_IF_NAMES = (re.compile(r"\s*,\s*"), re.compile(r"\s*/\s*"), re.compile(r"\s+or\s+"))
_DATE_FORMATS = ("%Y-%m-%d",)


def read(path: Path, published: date | None = None) -> ListEdition:
    """Read sema-lmes.xml (a file, or a directory of .xml files)."""
    metas: list[FileMeta] = []
    records: list[ListRecord] = []
    for file in list_files(path, (".xml",)):
        meta, root = _read_file(file, published)
        metas.append(meta)
        records.extend(_record(meta, node) for node in root.iterchildren("record"))
    return assemble(PUBLISHER, metas, records, Notes())


def _read_file(path: Path, published: date | None) -> tuple[FileMeta, etree._Element]:
    """Parse one file and check its root; the edition date is the caller's."""
    meta = file_meta(path)
    root = parse_xml(path)
    if root.tag != "data-set":
        raise InputError(f"{path}:{line_of(root) or 1}", f"not sema-lmes: root <{root.tag}>")
    return FileMeta(meta.path, meta.sha256, published), root


def _record(meta: FileMeta, node: etree._Element) -> ListRecord:
    """Map one <record>."""
    field = {str(child.tag): clean(child.text) for child in node}
    regime = (field.get("Country") or "").split(" / ")[0].strip()
    item = field.get("Item")
    if not regime or not item:
        raise InputError(f"{meta.path}:{line_of(node) or 0}", "record without Country or Item")
    schedule = field.get("Schedule")
    record_id = "-".join(filter(None, (_regime_key(regime), _schedule_key(schedule), item)))
    program = ", ".join(filter(None, (regime, _schedule_label(schedule))))
    return ListRecord(
        record_id=record_id, kind=_kind(field),
        names=[_name(field), *split_aliases(field.get("Aliases"))],
        source=meta.source(SOURCE, record_id, line_of(node)),
        identifiers=_identifiers(field),
        listings=[Listing(program, _listed(meta, node, field.get("DateOfListing")))],
        birth_dates=_births(field),
    )


def _births(field: dict[str, str | None]) -> tuple[str, ...]:
    """A person's DateOfBirthOrShipBuildDate (a ship's build date is no birth date)."""
    if _kind(field) != "person":
        return ()
    return all_birth_dates([field.get("DateOfBirthOrShipBuildDate")])


def _regime_key(regime: str) -> str:
    """Short key of the regime for record ids."""
    return _REGIME_KEYS.get(regime) or slug(regime)


def _schedule_key(schedule: str | None) -> str:
    """'1, Part 2' -> '1p2', 'Part 1' -> 'p1', '1.1' -> '1.1'."""
    text = re.sub(r"part", "p", (schedule or "").lower())
    return re.sub(r"[\s,]+", "", text)


def _schedule_label(schedule: str | None) -> str | None:
    """'1,Part 3' -> 'Schedule 1, Part 3'; 'Part 1' stays 'Part 1'."""
    text = re.sub(r"\s*,\s*", ", ", schedule or "")
    return f"Schedule {text}" if text[:1].isdigit() else text or None


def _kind(field: dict[str, str | None]) -> EntityKind:
    """Person (LastName/GivenName), vessel (IMO number) or company."""
    if field.get("ShipIMONumber"):
        return "vessel"
    return "company" if field.get("EntityOrShip") else "person"


def _name(field: dict[str, str | None]) -> str:
    """EntityOrShip, else 'GivenName LastName'."""
    parts = (field.get("GivenName"), field.get("LastName"))
    return field.get("EntityOrShip") or " ".join(filter(None, parts))


def _identifiers(field: dict[str, str | None]) -> list[Identifier]:
    """The ship's IMO number, where there is one."""
    imo = field.get("ShipIMONumber")
    return [identifier("imo", imo)] if imo else []


def _listed(meta: FileMeta, node: etree._Element, text: str | None) -> date | None:
    """DateOfListing (YYYY-MM-DD)."""
    try:
        return parse_date(text, _DATE_FORMATS)
    except ValueError as exc:
        raise InputError(f"{meta.path}:{line_of(node) or 0}", str(exc)) from exc


def split_aliases(text: str | None) -> list[str]:
    """Split the free-text Aliases field into names.

    ';' always separates. ',', '/' and ' or ' separate only where every piece is a name of
    two words or more ('Елена Тимченко or Елена Ермакова' splits, 'Nikolay or Nikolai ...'
    and 'М Инвест, ООО' do not). Line breaks are wraps inside a name. Language labels
    ('Russian: ') and unbalanced brackets at the ends are dropped.
    """
    pieces = [p for p in (text or "").replace("\n", " ").split(";") if p.strip()]
    for pattern in _SPLIT_IF_NAMES:
        pieces = [part for piece in pieces for part in _split_if_names(pattern, piece)]
    return [name for name in map(_tidy, pieces) if name]


def _split_if_names(pattern: re.Pattern[str], piece: str) -> list[str]:
    """``piece`` split on ``pattern`` if every part is a name of two words or more."""
    parts = pattern.split(piece)
    if len(parts) > 1 and all(len(_tidy(part).split()) >= 2 for part in parts):
        return parts
    return [piece]


def _tidy(piece: str) -> str:
    """Drop a language label, outer white space and an unbalanced bracket at either end."""
    text = " ".join(_ALIAS_LABEL.sub("", piece.strip()).split())
    if text.startswith("(") and ")" not in text:
        text = text[1:].strip()
    if text.endswith(")") and "(" not in text:
        text = text[:-1].strip()
    return text
