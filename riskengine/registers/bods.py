"""Beneficial Ownership Data Standard (BODS) 0.2, 0.3 and 0.4 statements, as a JSON array or
JSON lines, streamed statement by statement.

- entity statements (0.4: ``recordType: entity``) are ``bods:<statement id>`` (0.4: the
  record id) with name, jurisdiction and identifiers (``common.BODS_SCHEMES``: GB-COH ->
  UK registration number, XI-LEI -> LEI, RU-OGRN, RU-INN, ...); person statements likewise
  (unknown or anonymous persons: an unknown party);
- ownership-or-control statements (0.4: ``relationship``): each direct interest a tie from
  the interested party to the subject. Shareholding and rights to surplus, profit or income
  are ownership with the share as stated (``exact``, else ``minimum``/``maximum`` with
  their exclusive forms: a range; none: unknown); voting rights of more than 50% are
  ``voting_agreement`` control (as the PSC reader); board appointment and removal
  ``board_appointment``; other influence or control ``dominant_influence``; settlor,
  trustee, protector ``trust``; an unknown interest an unknown share. Indirect interests
  are skipped (the chain's own statements carry them: counting both would double them).
  ``startDate``/``endDate`` bound the tie; an unspecified interested party is an unknown
  owner;
- ``replacesStatements`` (0.2, 0.3) ends the ties of the replaced statements as of the
  replacing one's date; a 0.4 record ``closed`` ends its ties, one ``updated`` restates
  them under the same record id.

The edition's date: ``--published``, else the first statement's publication date.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from riskengine.domain import ControlKind
from riskengine.errors import InputError
from riskengine.registers.common import (
    BODS_SCHEMES,
    EPSILON,
    Ended,
    Fact,
    FlatControl,
    FlatOwnership,
    FlatSource,
    Notes,
    Party,
    day,
    register_identifier,
    safe_key,
    single,
)
from riskengine.registers.stream import json_values

SOURCE = "bods"
OWNERSHIP = frozenset({"shareholding", "rights-to-surplus-assets-on-dissolution",
                       "rights-to-profit-or-income", "rights-to-share-surplus-assets"})
CONTROLS: dict[str, ControlKind] = {
    "appointment-of-board": "board_appointment",
    "other-influence-or-control": "dominant_influence",
    "influence-or-control": "dominant_influence",
    "settlor-of-trust": "trust", "trustee-of-trust": "trust", "protector-of-trust": "trust",
    "enjoyment-and-use-of-assets": "dominant_influence",
    "conditional-rights-granted-by-contract": "dominant_influence",
    "control-via-company-rules-or-articles": "dominant_influence",
    "control-by-legal-framework": "dominant_influence",
    "nominee": "nominee", "nominator": "nominee",
}
MAJORITY = 50.0


def edition_dates(paths: list[Path]) -> date | None:
    path = single(paths, SOURCE)
    for line, st in json_values(path):
        found = (st.get("publicationDetails") or {}).get("publicationDate")
        return day(found, f"{path}:{line}", "publicationDate")
    return None


def read(paths: list[Path], notes: Notes, counts: dict[str, int]) -> Iterator[Fact]:
    path = single(paths, SOURCE)
    for line, st in json_values(path):
        where = f"{path}:{line}"
        if not isinstance(st, dict):
            raise InputError(where, "a BODS statement must be a JSON object")
        counts["statements"] = counts.get("statements", 0) + 1
        try:
            yield from _statement(st, where, notes)
        except (KeyError, TypeError, AttributeError) as exc:
            raise InputError(where, f"not a BODS statement ({exc})") from exc


def _statement(st: dict[str, Any], where: str, notes: Notes) -> Iterator[Fact]:
    kind = st.get("statementType") or st.get("recordType")
    key = safe_key(str(st.get("recordId") or st.get("statementID") or st.get("statementId")
                       or ""))
    if not key:
        raise InputError(where, "statement without an id")
    details = st.get("recordDetails") or st
    stated = day(st.get("statementDate"), where, "statementDate")
    yield from _replaced(st, stated, where)
    if st.get("recordStatus") == "closed" and stated is not None:
        yield from (Ended(t, f"bods:{key}/", stated) for t in ("ownerships", "controls"))
        return
    if kind in ("entityStatement", "entity"):
        yield _entity(key, details, where)
    elif kind in ("personStatement", "person"):
        yield _person(key, details, where)
    elif kind in ("ownershipOrControlStatement", "relationship"):
        yield from _ties(key, details, where, notes)
    else:
        notes.note(f"BODS statements of type {kind!r}: skipped", where)


def _replaced(st: dict[str, Any], stated: date | None, where: str) -> Iterator[Ended]:
    for old in st.get("replacesStatements") or ():
        if stated is None:
            raise InputError(where, "a statement replacing others needs a statementDate")
        for table in ("ownerships", "controls"):
            yield Ended(table, f"bods:{safe_key(str(old))}/", stated)


def _source(key: str, where: str, note: str | None = None) -> FlatSource:
    return FlatSource(key, int(where.rsplit(":", 1)[1]), note, None)


def _entity(key: str, d: dict[str, Any], where: str) -> Party:
    name = " ".join(str(d.get("name") or key).split())
    juris = d.get("incorporatedInJurisdiction") or d.get("jurisdiction") or {}
    country = str(juris.get("code") or "")[:2].lower() or None
    idents = tuple(_identifier(i) for i in d.get("identifiers") or ()
                   if i.get("id") and i.get("scheme") in BODS_SCHEMES)
    return Party(f"bods:{key}", "company", (name,), country, idents, _source(key, where))


def _identifier(ident: dict[str, Any]) -> tuple[str, str, str | None]:
    scheme, country = BODS_SCHEMES[str(ident["scheme"])]
    return register_identifier(scheme, str(ident["id"]), country)


def _person(key: str, d: dict[str, Any], where: str) -> Party:
    names = tuple(" ".join(str(n["fullName"]).split()) for n in d.get("names") or ()
                  if n.get("fullName"))
    known = d.get("personType", "knownPerson") == "knownPerson" and names
    nations = tuple(str(n["code"]).lower() for n in d.get("nationalities") or ()
                    if len(str(n.get("code", ""))) == 2)
    birth = (str(d["birthDate"]),) if d.get("birthDate") else ()
    return Party(f"bods:{key}", "person" if known else "unknown",
                 names or (f"unknown person ({d.get('personType', 'unknown')})",), None, (),
                 _source(key, where), birth, nations)


def _ref(party: Any) -> str | None:
    if not isinstance(party, dict):
        return safe_key(str(party)) if party else None
    found = (party.get("describedByEntityStatement") or party.get("describedByPersonStatement"))
    return safe_key(str(found)) if found else None


def _ties(key: str, d: dict[str, Any], where: str, notes: Notes) -> Iterator[Fact]:
    subject = _ref(d.get("subject"))
    if subject is None:
        raise InputError(where, "ownership-or-control statement without a subject")
    owner = _ref(d.get("interestedParty"))
    if owner is None:  # unspecified: an unknown owner
        owner = f"{key}/unspecified"
        yield Party(f"bods:{owner}", "unknown", (f"unspecified interested party ({key})",),
                    None, (), _source(key, where, "BODS: interested party unspecified"))
    for i, interest in enumerate(d.get("interests") or [{}]):
        level = interest.get("directOrIndirect") or interest.get("interestLevel")
        if level == "indirect":
            notes.note("BODS indirect interests (carried by the chain's own statements): "
                       "skipped", where)
            continue
        tie = _interest(f"bods:{key}/{i}", (f"bods:{owner}", f"bods:{subject}"), interest,
                        where, notes)
        if tie is not None:
            yield tie


def _interest(tie_id: str, ends: tuple[str, str], it: dict[str, Any], where: str,
              notes: Notes) -> FlatOwnership | FlatControl | None:
    kind = str(it.get("type") or "unknown-interest")
    start = day(it.get("startDate"), where, "startDate")
    end = day(it.get("endDate"), where, "endDate")
    source = _source(tie_id.removeprefix("bods:"), where, f"BODS interest: {kind}")
    if kind in OWNERSHIP or kind == "unknown-interest":
        low, high, known = _share(it.get("share"), where) if kind in OWNERSHIP else (0, 100,
                                                                                      False)
        return FlatOwnership(tie_id, *ends, low, high, known, start, end, source)
    if kind == "voting-rights":
        low, _high, known = _share(it.get("share"), where)
        if not known or low <= MAJORITY:
            notes.note("BODS voting rights not known to exceed 50% (not control alone): "
                       "skipped", where)
            return None
        return FlatControl(tie_id, *ends, "voting_agreement", start, end, source)
    control = CONTROLS.get(kind)
    if control is None:
        notes.note(f"BODS interests of type {kind!r}: skipped", where)
        return None
    return FlatControl(tie_id, *ends, control, start, end, source)


def _share(share: Any, where: str) -> tuple[float, float, bool]:
    """(low, high, known) of a BODS share: exact, else the minimum and maximum (an
    exclusive bound just inside)."""
    if not isinstance(share, dict) or not share:
        return 0.0, 100.0, False
    try:
        if share.get("exact") is not None:
            value = float(share["exact"])
            low = high = value
        else:
            low = float(_first(share, "minimum", "exclusiveMinimum", 0.0))
            high = float(_first(share, "maximum", "exclusiveMaximum", 100.0))
            low += EPSILON if "minimum" not in share and "exclusiveMinimum" in share else 0
            high -= EPSILON if "maximum" not in share and "exclusiveMaximum" in share else 0
    except (TypeError, ValueError) as exc:
        raise InputError(where, f"invalid share {share!r}") from exc
    if not 0 <= low <= high <= 100:
        raise InputError(where, f"share {share!r} is not a range within 0-100%")
    return low, high, True


def _first(share: dict[str, Any], key: str, other: str, default: float) -> Any:
    """``share[key]``, else ``share[other]``, else ``default`` (a stated 0 kept)."""
    for name in (key, other):
        if share.get(name) is not None:
            return share[name]
    return default
