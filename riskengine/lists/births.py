"""Dates of birth as the lists write them -> ISO dates or partial dates ('YYYY', 'YYYY-MM').

OFAC remarks: 'DOB 01 Jan 1967', 'DOB Mar 1964', 'DOB 1964', 'DOB circa 1966',
'DOB 01 Jan 1984 to 31 Dec 1984', 'DOB 1960 to 1962'; OFSI ConList: '21/04/1971',
'00/00/1963', '00/05/1963', '1944'; UN and Canada: '1965-04-29', '1972'. A range gives its
common year or month when it has one, else each year it spans (at most ``MAX_SPAN`` years); a
'circa' year gives that year and the years either side. Unreadable text gives nothing: a
missing date can only cost a merge, a wrong one could make one. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MAX_SPAN = 10  # years: a wider range says too little to compare on
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_TEXT_DAY = re.compile(r"^(?:(\d{1,2})\s+)?([A-Za-z]{3})[a-z]*\.?\s+(\d{4})$")
_SLASH_DAY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_RANGE = re.compile(r"\s+(?:to|-)\s+", re.I)
_CIRCA = re.compile(r"^(?:circa|ca\.?|approx(?:imately)?\.?|about)\s+", re.I)


def partial(year: int, month: int = 0, day: int = 0) -> str | None:
    """'YYYY', 'YYYY-MM' or 'YYYY-MM-DD'; None when out of range (month 0 = unknown)."""
    if not 1800 <= year <= 2100 or not 0 <= month <= 12 or not 0 <= day <= 31:
        return None
    if month == 0:
        return f"{year:04d}"
    return f"{year:04d}-{month:02d}" if day == 0 else f"{year:04d}-{month:02d}-{day:02d}"


def one_date(text: str) -> str | None:
    """One written date as a (partial) ISO date, or None."""
    text = text.strip().strip(".,;")
    if m := _ISO.match(text):
        return partial(int(m[1]), int(m[2] or 0), int(m[3] or 0))
    if m := _SLASH_DAY.match(text):
        return partial(int(m[3]), int(m[2]), int(m[1]))
    if (m := _TEXT_DAY.match(text)) and m[2].lower() in _MONTHS:
        return partial(int(m[3]), _MONTHS[m[2].lower()], int(m[1] or 0))
    return None


def birth_dates(text: str | None) -> list[str]:
    """The dates one written date of birth stands for (see the module text)."""
    text = (text or "").strip()
    circa = _CIRCA.match(text)
    if circa:
        found = one_date(text[circa.end():])
        return _years(int(found[:4]) - 1, int(found[:4]) + 1) if found else []
    ends = _RANGE.split(text)
    if len(ends) == 2:
        return _range(one_date(ends[0]), one_date(ends[1]))
    found = one_date(text)
    return [found] if found else []


def _range(start: str | None, end: str | None) -> list[str]:
    if start is None or end is None:
        return []
    if start[:7] == end[:7] and len(start) >= 7:
        return [start[:7]]
    return [start[:4]] if start[:4] == end[:4] else _years(int(start[:4]), int(end[:4]))


def _years(first: int, last: int) -> list[str]:
    if not 0 <= last - first <= MAX_SPAN:
        return []
    return [y for y in (partial(year) for year in range(first, last + 1)) if y]


def all_birth_dates(texts: Iterable[str | None]) -> tuple[str, ...]:
    """Every date the texts stand for, first-seen order, no repeats."""
    return tuple(dict.fromkeys(d for text in texts for d in birth_dates(text)))
