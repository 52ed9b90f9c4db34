"""The evidence entity resolution weighs: identifier and name keys, dates of birth,
nationalities, and the verdict on a pair of records whose names agree. Pure.

* Strong identifiers (``identifier_key``): registration (ogrn), tax (inn), lei, imo, swift,
  and for persons passport and national id; values of ``MIN_IDENTIFIER_LENGTH`` or more
  characters. An identifier its source no longer states (``stated_to`` set) links nothing.
* Names (``name_tokens``): ``riskengine.names.normalise``, legal forms dropped, each word in
  its spelling skeleton (Sergey = Sergei, Aleksandr = Alexander), word order ignored
  ('KOGOGIN, Sergei Anatolyevich' = 'Sergey Anatolyevich KOGOGIN'). ``near_keys``: the name
  with one or two words dropped (at least two left), so that a missing or misspelt middle
  name still finds its pair (a *partial* name match).
* Dates of birth are (partial) ISO dates; two persons' dates conflict when no date of one can
  be the same day as a date of the other ('1957' and '1957-11-16' can; '1957-11-16' and
  '1958' cannot).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from typing import Literal

from riskengine.domain import Entity, Identifier
from riskengine.names import normalise
from riskengine.screening.normalise import LEGAL_FORMS, skeleton, strip_legal_forms

SCHEME_GROUPS = {"ogrn": "registration", "registration": "registration", "inn": "tax",
                 "tax": "tax", "lei": "lei", "imo": "imo", "swift": "swift",
                 "passport": "passport", "national_id": "national_id"}
MIN_IDENTIFIER_LENGTH = 5  # shorter values ("123") are too weak to merge on
MAX_DROPPED = 2  # words a partial name match may leave out
MAX_NEAR_WORDS = 8  # longer names give no partial keys (too many, too weak)
MIN_WORDS_ALONE = 3  # a person's primary name this long needs one agreeing fact, not two;
# a name this long inside a longer one needs two (a year of birth and a nationality)
_NOT_ALNUM = re.compile(r"[^0-9A-Z]+")

Verdict = Literal["merge", "review", "none"]
NameMatch = Literal["primary", "alias", "partial", "variant"]


def identifier_key(ident: Identifier) -> tuple[str, str] | None:
    """(scheme group, normalised value) of a strong identifier, else None."""
    group = SCHEME_GROUPS.get(ident.scheme.casefold())
    value = _NOT_ALNUM.sub("", ident.value.upper())
    if group == "swift" and len(value) == 11 and value.endswith("XXX"):
        value = value[:8]
    if group is None or len(value) < MIN_IDENTIFIER_LENGTH:
        return None
    return group, value


_LEGAL_WORDS = frozenset(skeleton(word) for form in LEGAL_FORMS for word in form)


def name_tokens(name: str) -> tuple[str, ...]:
    """Sorted distinct word skeletons of a name without its legal forms (kept if all)."""
    return normalised_tokens(normalise(name))


def normalised_tokens(text: str) -> tuple[str, ...]:
    """``name_tokens`` of a name already normalised (``names.normalise``)."""
    words = text.split()
    keys = {skeleton(w) for w in words}
    if keys & _LEGAL_WORDS:  # else there is no legal form to strip (the slow part)
        keys = {skeleton(w) for w in strip_legal_forms(words)[0] or words}
    return tuple(sorted(keys))


def near_keys(tokens: tuple[str, ...]) -> set[str]:
    """The name with 1..MAX_DROPPED words dropped, at least two words left."""
    if len(tokens) > MAX_NEAR_WORDS:
        return set()
    keep = range(max(2, len(tokens) - MAX_DROPPED), len(tokens))
    return {" ".join(c) for size in keep for c in combinations(tokens, size)}


def name_blocking_keys(name: str) -> set[str]:
    return normalised_blocking_keys(normalise(name))


def normalised_blocking_keys(text: str) -> set[str]:
    """``name_blocking_keys`` of a name already normalised (the compiler normalises each
    distinct name once, for its name keys, and blocks on that)."""
    tokens = normalised_tokens(text)
    return {f"n:{k}" for k in near_keys(tokens) | {" ".join(tokens)}} if tokens else set()


def identifier_blocking_keys(identifiers: Iterable[tuple[str, str]]) -> set[str]:
    keys = (identifier_key(Identifier(scheme=s, value=v)) for s, v in identifiers)
    return {f"i:{k[0]}:{k[1]}" for k in keys if k is not None}


# --- dates of birth and nationalities ------------------------------------------------------


def same_day_possible(a: str, b: str) -> bool:
    """Two (partial) ISO dates that can be the same day: one is a prefix of the other."""
    return a.startswith(b) or b.startswith(a)


def birth_agreement(a: Iterable[str], b: Iterable[str]) -> int | None:
    """2: a full date in common; 1: dates compatible only as years or months; 0: a side
    states none; None: conflicting (no pair can be the same day)."""
    a, b = tuple(a), tuple(b)
    if not a or not b:
        return 0
    if set(a) & set(b) & {d for d in (*a, *b) if len(d) == 10}:
        return 2
    return 1 if any(same_day_possible(x, y) for x in a for y in b) else None


def births_conflict(a: Iterable[str], b: Iterable[str]) -> bool:
    return birth_agreement(a, b) is None


def nationality_agreement(a: Entity, b: Entity) -> int:
    """1: a nationality in common; -1: both stated, none shared; 0: unknown. (A person's
    country is where the list found an address, not a nationality: it is not used.)"""
    mine, theirs = set(a.nationalities), set(b.nationalities)
    if not mine or not theirs:
        return 0
    return 1 if mine & theirs else -1


# --- verdict on a pair whose names agree ---------------------------------------------------


@dataclass(frozen=True)
class Assessment:
    verdict: Verdict
    reason: str
    strength: int = 0  # higher links first


UNIQUE_SCHEMES = ("inn", "ogrn", "lei", "imo")  # a party has one value of each


def numbers_conflict(a: Entity, b: Entity) -> bool:
    """Both state an INN, OGRN, LEI or IMO number and none in common: different parties."""
    def values(e: Entity, scheme: str) -> set[str]:
        return {k[1] for i in e.identifiers if i.scheme.casefold() == scheme
                and (k := identifier_key(i))}

    return any(values(a, s) and values(b, s) and not values(a, s) & values(b, s)
               for s in UNIQUE_SCHEMES)


def kinds_agree(a: Entity, b: Entity) -> bool:
    return a.kind == b.kind or "unknown" in (a.kind, b.kind)


def assess(a: Entity, b: Entity, match: NameMatch, key: str, ambiguous: bool = False
           ) -> Assessment:
    """Merge, review or nothing, for two records of different lists whose names agree.
    ``ambiguous``: two records of one list carry the name; only a person with the same full
    date of birth may then merge, nothing goes to review."""
    if not kinds_agree(a, b):
        return Assessment("none", "kinds differ")
    if a.kind == "person" or b.kind == "person":
        found = _person(a, b, match, key)
    else:
        found = _party(a, b, match, key)
    exact_birth = birth_agreement(a.birth_dates, b.birth_dates) == 2
    if ambiguous and (found.verdict == "review" or not exact_birth):
        return Assessment("none", f"name {key!r} is carried by two records of one list")
    return found


def _person(a: Entity, b: Entity, match: NameMatch, key: str) -> Assessment:
    born = birth_agreement(a.birth_dates, b.birth_dates)
    if born is None:
        return Assessment("none", "dates of birth conflict")
    points = born + nationality_agreement(a, b)
    facts = _facts(born, nationality_agreement(a, b))
    whole = match in ("primary", "alias")
    why = f"same {'name' if whole else 'name but for a word'} {key!r}, {facts}"
    long_name = len(key.split()) >= MIN_WORDS_ALONE
    if (whole and points >= 2) or (born == 2 and points >= 2) or (
            match == "primary" and long_name and points >= 1) or (
            match == "partial" and long_name and points >= 2):
        return Assessment("merge", why, 10 * points + whole)
    if whole or points >= 1:
        return Assessment("review", why, points)
    return Assessment("none", why)


def _facts(born: int, nationality: int) -> str:
    dob = {2: "same date of birth", 1: "compatible year of birth", 0: "no date of birth to "
           "compare"}[born]
    nat = {1: "same nationality", -1: "different nationalities", 0: "no nationality to compare"}
    return f"{dob}, {nat[nationality]}"


def _party_conflict(a: Entity, b: Entity) -> str | None:
    if a.country and b.country and a.country != b.country:
        return "countries differ"
    return "registration, tax, LEI or IMO numbers differ" if numbers_conflict(a, b) else None


def _party(a: Entity, b: Entity, match: NameMatch, key: str) -> Assessment:
    conflict = _party_conflict(a, b)
    if conflict:
        return Assessment("none", conflict)
    both = bool(a.country and b.country)
    if match in ("partial", "variant"):
        return Assessment("review" if both else "none", f"names agree but for a word "
                          f"{key!r}, same {a.kind}" + (f", same country {a.country}" if both
                                                       else ""))
    why = f"same name {key!r}, same {a.kind}" + (f", same country {a.country}" if both else "")
    if match == "primary" or both:
        return Assessment("merge", why, 20 if both else 10)
    return Assessment("review", f"{why}, an alias only and no country to compare")
