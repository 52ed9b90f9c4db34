"""The Companies House snapshot of People with Significant Control (JSON lines).

One record a line: ``{"company_number", "data": {"kind", "name", "natures_of_control",
"notified_on", "ceased_on", "identification", "links": {"self"}, ...}}``. Open Ownership's
copies wrap the lines in a JSON array (a ``[`` line, a comma after each record, a ``]``
line) and add ``ContentDate``: both read the same.

- the company is ``psc:<company number>`` (a UK registration number: it links to listed
  parties stating it); a corporate PSC registered in the UK is the company of its
  registration number (the same id), one registered elsewhere a party with that number;
- natures of control (``NATURES``): share and surplus-asset bands are ownership share ranges
  as the legal bands read ("more than 25% but not more than 50%", "more than 50% but less
  than 75%", "75% or more"); a majority of votes is ``voting_agreement`` control (votes are
  control in the engine, shares are ownership), votes of 25-50% alone are not control and
  are counted, not stored; the right to appoint and remove directors is
  ``board_appointment``, significant influence or control ``dominant_influence``;
- ``notified_on`` starts a tie, ``ceased_on`` ends it;
- a super-secure PSC, or a statement that a PSC exists but is not identified, becomes an
  unknown owner holding an unknown share (``common``).

The edition's date: ``--published``, else the first record's ``ContentDate``, else the
``generated_at`` of the snapshot's totals line (its last record).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from riskengine.domain import ControlKind, EntityKind
from riskengine.errors import InputError
from riskengine.registers.common import (
    EPSILON,
    NATIONALITIES,
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
    uk_register,
)
from riskengine.registers.stream import json_lines, tail_lines

SOURCE = "psc"
OWNER_KINDS: dict[str, EntityKind] = {
    "individual-person-with-significant-control": "person",
    "individual-beneficial-owner": "person",
    "corporate-entity-person-with-significant-control": "company",
    "corporate-entity-beneficial-owner": "company",
    "legal-person-person-with-significant-control": "organisation",
    "legal-person-beneficial-owner": "organisation",
}
SECRET_KINDS = frozenset({"super-secure-person-with-significant-control",
                          "super-secure-beneficial-owner"})
STATEMENT_KIND = "persons-with-significant-control-statement"
# PSC statements saying a person with significant control exists but is not (yet) known
UNKNOWN_STATEMENTS = frozenset({
    "psc-exists-but-not-identified", "psc-details-not-confirmed",
    "steps-to-find-psc-not-yet-completed", "psc-contacted-but-no-response",
    "restrictions-notice-issued-to-psc", "psc-has-failed-to-confirm-changed-details",
    "all-beneficial-owners-not-identified",
})
# Natures of control are matched by prefix: the suffixes (held as trustee, as a firm's
# member, of a registered overseas entity) keep the band and are cited in the tie's note.
_BAND = re.compile(r"^(ownership-of-shares|voting-rights|right-to-share-surplus-assets)-"
                   r"(?:(\d+)-to-(\d+)-percent|more-than-(25)-percent)")
# legal band -> (low, high): "more than 25% but not more than 50%", "more than 50% but less
# than 75%", "75% or more", "more than 25%"
BANDS: dict[tuple[int, int], tuple[float, float]] = {
    (25, 50): (25 + EPSILON, 50.0),
    (50, 75): (50 + EPSILON, 75 - EPSILON),
    (75, 100): (75.0, 100.0),
    (25, 100): (25 + EPSILON, 100.0),
}
CONTROLS: dict[str, ControlKind] = {
    "right-to-appoint-and-remove-directors": "board_appointment",
    "right-to-appoint-and-remove-members": "board_appointment",
    "right-to-appoint-and-remove-person": "board_appointment",
    "significant-influence-or-control": "dominant_influence",
}
MAJORITY = 50.0  # votes above this are control (voting_agreement)


def edition_date(path: Path) -> date | None:
    """The date the file states: the first record's ContentDate, else the totals line's
    generated_at (the snapshot's last record)."""
    for line_no, rec in json_lines(path, limit=1):
        found = day(rec.get("ContentDate"), f"{path}:{line_no}", "ContentDate")
        if found is not None:
            return found
    for line_no, rec in tail_lines(path):
        data = rec.get("data") if isinstance(rec, dict) else None
        if isinstance(data, dict) and str(data.get("kind", "")).startswith("totals#"):
            return day(data.get("generated_at"), f"{path}:{line_no}", "generated_at")
    return None


def edition_dates(paths: list[Path]) -> date | None:
    return edition_date(single(paths, SOURCE))


def read(paths: list[Path], notes: Notes, counts: dict[str, int]) -> Iterator[Fact]:
    return facts(single(paths, SOURCE), notes, counts)


def facts(path: Path, notes: Notes, counts: dict[str, int]) -> Iterator[Fact]:
    """Parties and ties of every record of ``path``, in file order."""
    last_company = ""
    held: dict[str, Party] = {}  # the current company's party (records come by company)
    for line_no, rec in json_lines(path):
        where = f"{path}:{line_no}"
        try:
            found = _record(rec, where, notes, counts, held)
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise InputError(where, f"not a PSC record ({_what(exc)})") from exc
        if found and found[0].id != last_company:
            last_company = found[0].id
            yield found[0]
        yield from found[1:]


def _what(exc: Exception) -> str:
    return f"missing {exc}" if isinstance(exc, KeyError) else " ".join(str(exc).split())


def _record(rec: Any, where: str, notes: Notes, counts: dict[str, int],
            held: dict[str, Party]) -> list[Fact]:
    data = rec["data"]
    kind = data["kind"]
    if kind.startswith("totals#") or kind.startswith("exemptions"):
        counts["skipped"] = counts.get("skipped", 0) + 1
        return []
    counts["statements"] = counts.get("statements", 0) + 1
    number = str(rec["company_number"])
    company = held.get(number)
    if company is None:
        held.clear()
        company = held[number] = _company(number, where)
    if kind in OWNER_KINDS:
        return [company, *_psc(company, data, OWNER_KINDS[kind], where, notes)]
    if kind in SECRET_KINDS or (kind == STATEMENT_KIND
                                and data.get("statement") in UNKNOWN_STATEMENTS):
        return [company, *_unknown(company, data, where)]
    notes.note(f"PSC records of kind {kind!r}"
               + (f" ({data.get('statement')})" if kind == STATEMENT_KIND else "")
               + " state no owner: not stored", where)
    return [company]


def _company(number: str, where: str) -> Party:
    key = safe_key(number).upper()
    if not key:
        raise InputError(where, "empty company_number")
    return Party(f"psc:{key}", "company", (f"UK company {key}",), "gb",
                 (("registration", key, "gb"),), FlatSource(key, _line(where), None, None),
                 stub=True)


def _line(where: str) -> int:
    return int(where.rsplit(":", 1)[1])


def _psc_key(data: Any, where: str) -> str:
    link = data.get("links", {}).get("self") or data.get("etag")
    if not link:
        raise InputError(where, "PSC record without links.self or etag")
    return safe_key(str(link).rstrip("/").rsplit("/", 1)[-1])


def _owner(company: Party, data: Any, kind: EntityKind, where: str, key: str) -> Party:
    name = " ".join(str(data.get("name") or key).split())
    source = FlatSource(str(data.get("links", {}).get("self") or key), _line(where), None, None)
    ident = data.get("identification") or {}
    regnum = safe_key(str(ident.get("registration_number") or "")).upper()
    if kind == "company" and regnum and uk_register(
            (ident.get("country_registered"), ident.get("place_registered"))):
        return Party(f"psc:{regnum}", "company", (name,), "gb",
                     (("registration", regnum, "gb"),), source)
    if kind == "organisation" and "government" in str(ident.get("legal_form", "")).lower():
        kind = "public_body"
    idents = (register_identifier("registration", regnum, None),) if regnum else ()
    birth = _birth(data.get("date_of_birth"))
    nationality = NATIONALITIES.get(str(data.get("nationality", "")).strip().lower())
    return Party(f"psc:{company.source.record_id}/{key}", kind, (name,), None, idents, source,
                 birth, (nationality,) if nationality else ())


def _birth(found: Any) -> tuple[str, ...]:
    if not isinstance(found, dict) or "year" not in found:
        return ()
    month = found.get("month")
    return (f"{int(found['year']):04d}-{int(month):02d}" if month else f"{int(found['year'])}",)


def _psc(company: Party, data: Any, kind: EntityKind, where: str, notes: Notes
         ) -> list[Fact]:
    key = _psc_key(data, where)
    owner = _owner(company, data, kind, where, key)
    base = f"psc:{company.source.record_id}/{key}"
    period = (day(data.get("notified_on"), where, "notified_on"),
              day(data.get("ceased_on"), where, "ceased_on"))
    ties: list[Fact] = [owner]
    shares: tuple[tuple[float, float], str] | None = None
    record, line = owner.source.record_id, owner.source.line
    for nature in data.get("natures_of_control") or ():
        what, value, note = _nature(str(nature), where, notes)
        if what == "control":
            tie_id = f"{base}/{'votes' if value == 'voting_agreement' else value}"
            if all(t[0] != tie_id for t in ties[1:]):
                ties.append(FlatControl(tie_id, owner.id, company.id, value, *period,
                                        FlatSource(record, line, note, None)))
        elif what == "shares" and shares is None:
            shares = value, note
    if shares is not None:
        ties.append(FlatOwnership(f"{base}/shares", owner.id, company.id, *shares[0], True,
                                  *period, FlatSource(record, line, shares[1], None)))
    return ties


_NATURES: dict[str, tuple[str, Any, str]] = {}  # nature of control -> what it states


def _nature(nature: str, where: str, notes: Notes) -> tuple[str, Any, str]:
    """What one nature of control states, read once per distinct text: ('shares', (low,
    high), note), ('control', control kind, note) or ('none', None, note)."""
    found = _NATURES.get(nature)
    if found is None:
        found = _read_nature(nature, where)
        if len(_NATURES) < 10_000:
            _NATURES[nature] = found
    if found[0] == "none":
        notes.note("PSC votes of 25-50% (not control alone): not stored", where)
    elif found[0] == "control" and not nature.startswith(_KNOWN_CONTROLS) \
            and not _BAND.match(nature):
        notes.note(f"PSC natures of control not recognised ({nature!r}): dominant influence "
                   "assumed", where)
    return found


_KNOWN_CONTROLS = tuple(CONTROLS)


def _read_nature(nature: str, where: str) -> tuple[str, Any, str]:
    note = f"PSC nature of control: {nature}"
    band = _BAND.match(nature)
    if band is not None:
        low_high = (25, 100) if band[4] else (int(band[2]), int(band[3]))
        bounds = BANDS.get(low_high)
        if bounds is None:
            raise InputError(where, f"unknown nature of control band {nature!r}")
        if band[1] != "voting-rights":
            return "shares", bounds, note
        return ("none", None, note) if bounds[0] <= MAJORITY else (
            "control", "voting_agreement", note)
    kind = next((k for prefix, k in CONTROLS.items() if nature.startswith(prefix)),
                "dominant_influence")
    return "control", kind, note


def _unknown(company: Party, data: Any, where: str) -> list[Fact]:
    key = _psc_key(data, where)
    reason = str(data.get("statement") or data.get("kind"))
    source = FlatSource(str(data.get("links", {}).get("self") or key), _line(where),
                        f"PSC: {reason}: owner not identified", None)
    owner = Party(f"psc:{company.source.record_id}/{key}", "unknown",
                  (f"unidentified PSC of UK company {company.source.record_id} ({reason})",),
                  None, (), source)
    start = day(data.get("notified_on"), where, "notified_on")
    end = day(data.get("ceased_on"), where, "ceased_on")
    return [owner, FlatOwnership(f"{owner.id}/unknown", owner.id, company.id, 0.0, 100.0,
                                 False, start, end, source)]
