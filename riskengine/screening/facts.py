"""What a query says about a counterparty besides its name: country, and for persons the
date of birth and nationality, compared with the listed entity's.

Each comparison says True (agree), False (conflict) or None (nothing to compare, or too
close to call). Dates of birth agree when one is a prefix of the other (1970 and
1970-05-01; the same full date); they conflict when no listed date is within
``tolerance`` years (a day or month typo is not a conflict, another decade is). Dates are
ISO ('YYYY', 'YYYY-MM', 'YYYY-MM-DD'); ``parse_birth_date`` also reads DD.MM.YYYY and
DD/MM/YYYY, as officers type them. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_ISO = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_DAY_FIRST = re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{4})")


@dataclass(frozen=True)
class Facts:
    """The query's facts other than its name (None: not given)."""

    country: str | None = None
    birth_date: str | None = None
    nationality: str | None = None
    company: bool = False  # the name has a legal form: the party is not a person


def parse_birth_date(text: str) -> str:
    """``text`` as an ISO (partial) date; ValueError when it is none of the accepted forms."""
    text = text.strip()
    if match := _ISO.fullmatch(text):
        year, month, day = match.groups()
    elif match := _DAY_FIRST.fullmatch(text):
        day, month, year = match.groups()
    else:
        raise ValueError(f"not a date of birth (YYYY-MM-DD, YYYY-MM, YYYY, DD.MM.YYYY): "
                         f"{text!r}")
    if (month and not 1 <= int(month) <= 12) or (day and not 1 <= int(day) <= 31):
        raise ValueError(f"not a date of birth: {text!r}")
    parts = [year, *(f"{int(p):02d}" for p in (month, day) if p)]
    return "-".join(parts)


def birth_agreement(query: str | None, listed: Sequence[str], tolerance: int) -> bool | None:
    """True: a listed date agrees; False: none within ``tolerance`` years; else None."""
    if not query or not listed:
        return None
    if any(d.startswith(query) or query.startswith(d) for d in listed):
        return True
    years = [int(d[:4]) for d in listed if d[:4].isdigit()]
    if not years or not query[:4].isdigit():
        return None
    return None if min(abs(int(query[:4]) - y) for y in years) <= tolerance else False


def nationality_agreement(query: str | None, nationalities: Sequence[str]) -> bool | None:
    """True: the query's nationality is one of the listed ones; False: they are listed and
    it is not among them; None: one side unknown."""
    if not query or not nationalities:
        return None
    return query.strip().casefold() in {n.casefold() for n in nationalities}


def country_agreement(query: str | None, entity: str | None) -> bool | None:
    """Both countries known: equal or not; else None."""
    if not query or not entity:
        return None
    return query.strip().casefold() == entity.strip().casefold()
