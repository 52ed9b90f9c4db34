"""What the register readers produce, and the lookup tables they share.

A reader yields ``Party`` (an entity record; ``stub``: a party only referred to, stored only
when the store does not have it yet) and ties: ``FlatOwnership`` / ``FlatControl`` of
``riskengine.ingest.ftm_flat`` (light tuples: millions fit the 50,000 statements/s budget),
each with its ``FlatSource`` (record id, line, citation note). ``Ended`` ends a tie the file
itself retracts or replaces (BODS). Every fact of one ingest shares the provenance origin
(source, file, content hash, edition date) the writer adds.

Unknown owners (a GLEIF reporting exception, a PSC statement that a person with significant
control exists but is not identified, a super-secure PSC) become an ``unknown`` party
holding an unknown share (``Share.unknown()``): the same unknown-share fact the derivation
flags for review.

Pure: no I/O, no clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import NamedTuple

from riskengine.domain import EntityKind
from riskengine.errors import InputError
from riskengine.ingest.ftm_flat import FlatControl, FlatOwnership, FlatSource
from riskengine.lists.records import refine_scheme

__all__ = ["BODS_SCHEMES", "EPSILON", "Ended", "FlatControl", "FlatOwnership", "FlatSource",
           "Notes", "Party", "Tie", "day", "register_identifier", "safe_key", "single"]

EPSILON = 1e-6  # "more than 25%": the lower bound just above 25 (shares are rounded to 1e-9)


class Party(NamedTuple):
    id: str
    kind: EntityKind
    names: tuple[str, ...]  # the name, then the aliases
    country: str | None
    identifiers: tuple[tuple[str, str, str | None], ...]  # (scheme, value, country)
    source: FlatSource
    birth_dates: tuple[str, ...] = ()
    nationalities: tuple[str, ...] = ()
    stub: bool = False  # only referred to: stored when absent, never overwriting a record


class Ended(NamedTuple):
    """A tie the file retracts or replaces, ended on ``end`` (exclusive)."""

    table: str  # 'ownerships' or 'controls'
    id: str  # a tie id, or a prefix ending in '/': every tie of a statement
    end: date


Tie = FlatOwnership | FlatControl
Fact = Party | FlatOwnership | FlatControl | Ended


@dataclass
class Notes:
    """Tolerated problems, grouped by kind with a count and the first place seen."""

    found: dict[str, list[object]] = field(default_factory=dict)

    def note(self, what: str, where: str) -> None:
        seen = self.found.setdefault(what, [0, where])
        seen[0] = int(str(seen[0])) + 1

    def lines(self) -> list[str]:
        return [f"{count} {what} (first at {where})"
                for what, (count, where) in self.found.items()]


_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


_DAYS: dict[str, date] = {}  # dates repeat: parsed once each
_DAYS_MAX = 100_000


def day(text: object, where: str, what: str) -> date | None:
    """The date an ISO date or date-time starts with; None for an absent value, InputError
    naming ``where`` (file:line) for one that is not a date."""
    if text is None or text == "":
        return None
    known = _DAYS.get(text) if isinstance(text, str) else None
    if known is not None:
        return known
    found = _DAY.match(text) if isinstance(text, str) else None
    try:
        if found is None:
            raise ValueError(text)
        parsed = date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError as exc:
        raise InputError(where, f"invalid date {text!r} in {what}") from exc
    if len(_DAYS) >= _DAYS_MAX:
        _DAYS.clear()
    _DAYS[str(text)] = parsed
    return parsed


_UNSAFE = re.compile(r"[@\s]+")


def safe_key(text: str) -> str:
    """A register key usable in an entity or tie id: no '@' (it marks a renewed tie's period
    in ``riskengine.ingest.ties``) and no whitespace."""
    if "@" not in text and text.isprintable() and " " not in text:
        return text
    return _UNSAFE.sub("_", text.strip())


# --- identifiers -----------------------------------------------------------------------------

# BODS identifier schemes (org-id.guide codes) -> (riskengine scheme, country). A UK company
# number is a 'registration' number as the lists state it; Russian numbers are told apart by
# their length (``lists.records.refine_scheme``: 13 digits OGRN, 10 INN).
BODS_SCHEMES: dict[str, tuple[str, str | None]] = {
    "GB-COH": ("registration", "gb"),
    "XI-LEI": ("lei", None),
    "RU-OGRN": ("ogrn", "ru"),
    "RU-INN": ("inn", "ru"),
    "RU-EGRUL": ("registration", "ru"),
    "UA-EDR": ("registration", "ua"),
    "BY-UNP": ("unp", "by"),
    "KZ-BIN": ("bin", "kz"),
    "CN-SAMR": ("uscc", "cn"),
    "XI-IMO": ("imo", None),
}

# Jurisdictions whose GLEIF registration-authority entity ids are company numbers of the
# national business register (others, e.g. US SEC series ids, would link nothing safely).
GLEIF_REGISTERS: frozenset[str] = frozenset({"gb", "ru", "by", "kz", "ua"})

# Companies House 'country_registered' / 'place_registered' texts naming a UK register: a
# corporate PSC registered there is the UK company of that number.
UK_REGISTERS: frozenset[str] = frozenset({
    "england", "wales", "england and wales", "england & wales", "scotland",
    "northern ireland", "united kingdom", "uk", "great britain", "england, wales",
    "companies house", "companies house cardiff", "companies house, cardiff",
    "companies house edinburgh", "companies house belfast", "registrar of companies for "
    "england and wales", "uk register of companies",
})

# Demonyms the PSC register states as nationality -> ISO 3166-1 alpha-2.
NATIONALITIES: dict[str, str] = {
    "british": "gb", "english": "gb", "scottish": "gb", "welsh": "gb", "northern irish": "gb",
    "russian": "ru", "belarusian": "by", "chinese": "cn", "iranian": "ir", "american": "us",
    "irish": "ie", "german": "de", "french": "fr", "italian": "it", "spanish": "es",
    "cypriot": "cy", "ukrainian": "ua", "kazakh": "kz", "indian": "in", "turkish": "tr",
    "emirati": "ae", "swiss": "ch", "dutch": "nl", "polish": "pl", "latvian": "lv",
}


def register_identifier(scheme: str, value: str, country: str | None
                        ) -> tuple[str, str, str | None]:
    """(scheme, value without spaces, country), a Russian number's scheme refined."""
    compact = "".join(value.split())
    return refine_scheme(scheme, compact, country), compact, country


def uk_register(texts: Iterable[object]) -> bool:
    """True when one of ``texts`` names a UK companies register."""
    return any(isinstance(t, str) and " ".join(t.casefold().split()) in UK_REGISTERS
               for t in texts)


def single(paths: list[Path], source: str) -> Path:
    """The one file of a register read from one file."""
    if len(paths) != 1:
        raise InputError(", ".join(map(str, paths)), f"{source} reads one file at a time")
    return paths[0]
