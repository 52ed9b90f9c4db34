"""Format-neutral OFAC records, and the remark parsing the CSV and XML readers share.

Both readers turn their file into ``RawRecord`` values holding OFAC's own vocabulary (country
names, remark labels, program tags); ``riskengine.lists.ofac`` maps them to the domain model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from riskengine.lists.common import clean
from riskengine.lists.ofac_tables import ID_LABELS

# Labels longest first, so "Company Number IMO" wins over "Company Number".
_LABELS = tuple(sorted(ID_LABELS, key=len, reverse=True))
# What follows a label: the value, an optional "(Country)", optional issue/expiry notes.
_ID_TAIL = re.compile(
    r"(?P<value>.+?)(?:\s*\((?P<country>[^()]*)\))?(?:\s+(?:issued|expires)\b.*)?\s*\.?\s*$"
)
_ALT = "alt. "
_LINKED = "Linked To:"
# A weak a.k.a. as the CSV writes it in the remarks: "a.k.a. 'ABU AHMAD'" (strong ones are in
# alt.csv); the XML gives them as <aka> of category "weak" instead.
_WEAK_AKA = re.compile(r"a\.k\.a\.,?\s*'([^']{2,})'", re.IGNORECASE)


@dataclass(frozen=True)
class RawId:
    """An identifier as OFAC writes it: remark label (or idType), value, country name."""

    label: str
    value: str
    country: str | None = None


@dataclass(frozen=True)
class RawRecord:
    """One list entry in OFAC's vocabulary, with where it was read from."""

    ent_num: str
    name: str
    sdn_type: str | None  # lower case; None for entities in the CSV format
    programs: tuple[str, ...]
    remarks: str | None
    file: str
    line: int
    content_hash: str
    aliases: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()  # OFAC country names, address order
    ids: tuple[RawId, ...] = ()
    births: tuple[str, ...] = ()  # dates of birth as written (the XML's dateOfBirthList)
    nationalities: tuple[str, ...] = ()  # OFAC country names (nationality, citizenship)
    weak_aliases: tuple[str, ...] = ()  # OFAC's "weak" a.k.a. (low-quality names)


def split_programs(text: str | None) -> tuple[str, ...]:
    """Program tags from the CSV Program field.

    One tag is written bare ("RUSSIA-EO14024"); several are joined as
    "UKRAINE-EO13661] [UKRAINE-EO13662] [RUSSIA-EO14024" (outer brackets dropped), and some
    editions keep the outer brackets. Order is kept, duplicates dropped.
    """
    if not text:
        return ()
    tags = (clean(part.strip("[] ")) for part in text.split("] ["))
    return tuple(dict.fromkeys(tag for tag in tags if tag))


def remark_items(remarks: str | None) -> list[str]:
    """The "; "-separated items of a remarks text."""
    if not remarks:
        return []
    return [item for item in (clean(part) for part in remarks.split(";")) if item]


def remark_ids(remarks: str | None) -> tuple[RawId, ...]:
    """Identifiers written into remarks, e.g. "Tax ID No. 1650032058 (Russia)"."""
    found = (_remark_id(item) for item in remark_items(remarks))
    return tuple(raw for raw in found if raw is not None)


def _remark_id(item: str) -> RawId | None:
    """Parse one remark item when it starts with a known identifier label."""
    text = item.removeprefix(_ALT)
    label = next((lb for lb in _LABELS if text.startswith(lb + " ")), None)
    if label is None:
        return None
    value, country = split_id_value(text[len(label) :])
    return RawId(label, value, country) if value else None


def xml_id(label: str, number: str, country: str | None) -> RawId:
    """An idList entry read like the remark "<idType> <idNumber> (<idCountry>)".

    sdn.xml splits some labels across the two fields ("Vessel Registration Identification" /
    "IMO 9220639"); re-joining them lets the longest known label win.
    """
    joined = _remark_id(f"{label} {number}")
    if joined is None:
        return RawId(label, number, country)
    return RawId(joined.label, joined.value, country or joined.country)


def split_id_value(text: str) -> tuple[str | None, str | None]:
    """ "1650032058 (Russia)." -> ("1650032058", "Russia"); issue/expiry notes are dropped."""
    match = _ID_TAIL.match(text.strip())
    if match is None:
        return None, None
    return clean(match.group("value").rstrip(".")), clean(match.group("country"))


def remark_weak_aliases(remarks: str | None) -> tuple[str, ...]:
    """The weak a.k.a. names the CSV prints in the remarks, in order, without repeats."""
    names = (clean(m.group(1)) for m in _WEAK_AKA.finditer(remarks or ""))
    return tuple(dict.fromkeys(n for n in names if n))


def linked_names(remarks: str | None) -> tuple[str, ...]:
    """Names from "Linked To: NAME" items (the XML wraps them in parentheses)."""
    names: list[str] = []
    for item in remark_items(remarks):
        text = item[1:-1].strip() if item.startswith("(") and item.endswith(")") else item
        if text.startswith(_LINKED):
            name = clean(text[len(_LINKED) :])
            if name:
                names.append(name)
    return tuple(dict.fromkeys(names))


def name_key(name: str) -> str:
    """Matching key for a name: case-, space- and trailing-period-insensitive."""
    return " ".join(name.split()).casefold().rstrip(". ")


def person_name(last: str | None, first: str | None) -> str | None:
    """ "LAST, First" as the CSV format writes individuals; just LAST for everything else."""
    if last and first:
        return f"{last}, {first}"
    return last or first
