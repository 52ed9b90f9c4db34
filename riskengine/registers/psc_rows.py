"""The PSC snapshot read straight into store rows, a batch of statements at a time.

The same parties and ties as ``psc.facts`` (the reference: tests compare both, row for row),
without building a fact per party and tie: each record's rows are made from its JSON, and
what a list of natures of control states (its ties, the notes it raises) is worked out once
per distinct list (``_TEMPLATES``). Records of one company come together: the company's
rows are made once per run of its records.

Pure: reads the file it is given, no clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from riskengine.errors import InputError
from riskengine.registers import psc
from riskengine.registers.common import (
    NATIONALITIES,
    Notes,
    register_identifier,
    safe_key,
    single,
    uk_register,
)
from riskengine.registers.rows import Batch, PartyRows, Row, iso_day, json_list
from riskengine.registers.stream import json_lines
from riskengine.store.schema import name_key

# a tie a list of natures states: (table, id suffix, the row's tail after the owner and
# company ids, note)
Template = tuple[tuple[tuple[str, str, Row, str], ...], tuple[str, ...]]
_TEMPLATES: dict[tuple[str, ...], Template] = {}


def read_rows(paths: list[Path], notes: Notes, counts: dict[str, int], size: int
              ) -> Iterator[Batch]:
    return batches(single(paths, psc.SOURCE), notes, counts, size)


def batches(path: Path, notes: Notes, counts: dict[str, int], size: int) -> Iterator[Batch]:
    """The rows of ``size`` records at a time, in file order."""
    reader = _Reader(path, notes, counts)
    batch, seen = Batch(), 0
    for line_no, rec in json_lines(path):
        try:
            reader.record(rec, line_no, batch)
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise InputError(f"{path}:{line_no}",
                             f"not a PSC record ({psc._what(exc)})") from exc
        seen += 1
        if seen >= size:
            yield batch
            batch, seen = Batch(), 0
    if seen:
        yield batch


class _Reader:
    """Rows of one record after another; the current company's rows are kept."""

    def __init__(self, path: Path, notes: Notes, counts: dict[str, int]) -> None:
        self.path, self.notes, self.counts = path, notes, counts
        self.number: str | None = None  # the current company's number, its key and rows
        self.key = self.company = ""
        self.last = ""  # the company whose rows were given last
        self.stub: PartyRows | None = None
        self.line = 0

    def where(self) -> str:
        return f"{self.path}:{self.line}"

    def record(self, rec: Any, line: int, batch: Batch) -> None:
        self.line = line
        data = rec["data"]
        kind = data["kind"]
        if kind.startswith("totals#") or kind.startswith("exemptions"):
            self.counts["skipped"] = self.counts.get("skipped", 0) + 1
            return
        self.counts["statements"] = self.counts.get("statements", 0) + 1
        number = rec["company_number"]
        if number != self.number:
            self._company(str(number))
        if self.company != self.last:
            self.last = self.company
            assert self.stub is not None
            batch.party(self.stub)
        owner = psc.OWNER_KINDS.get(kind)
        if owner is not None:
            self._psc(data, owner, batch)
        elif kind in psc.SECRET_KINDS or (kind == psc.STATEMENT_KIND
                                          and data.get("statement") in psc.UNKNOWN_STATEMENTS):
            self._unknown(data, batch)
        else:
            self.notes.note(f"PSC records of kind {kind!r}" + (
                f" ({data.get('statement')})" if kind == psc.STATEMENT_KIND else "")
                + " state no owner: not stored", self.where())

    def _company(self, number: str) -> None:
        if number == self.number:
            return
        key = safe_key(number).upper()
        if not key:
            raise InputError(self.where(), "empty company_number")
        self.number, self.key, self.company = number, key, f"psc:{key}"
        name = f"UK company {key}"
        self.stub = PartyRows(True, (self.company, "company", name, "gb", None, None),
                              [(self.company, 0, name, name_key(name))],
                              [(self.company, 0, "registration", key, "gb")],
                              (self.company, 0, key, self.line, None, None))

    def _key(self, data: Any) -> tuple[str, str]:
        """(the PSC's key, its record id)."""
        link = data.get("links", {}).get("self")
        found = link or data.get("etag")
        if not found:
            raise InputError(self.where(), "PSC record without links.self or etag")
        key = safe_key(str(found).rstrip("/").rsplit("/", 1)[-1])
        return key, str(link or key)

    def _psc(self, data: Any, kind: str, batch: Batch) -> None:
        key, record = self._key(data)
        owner = self._owner(data, kind, key, record)
        owner_id = owner.entity[0]
        held = batch.parties.get(owner_id)
        if held is None or held.stub:
            batch.parties[owner_id] = owner
        else:
            batch.party(owner)
        start = iso_day(data.get("notified_on"), self.where, "notified_on")
        ceased = data.get("ceased_on")
        end = None if ceased is None else iso_day(ceased, self.where, "ceased_on")
        ties, messages = _template(data.get("natures_of_control") or (), self.where)
        for message in messages:
            self.notes.note(message, self.where())
        line, base, company, tables = self.line, f"psc:{self.key}/{key}", self.company, batch.ties
        for table, suffix, tail, note in ties:
            tie_id = base + suffix
            tables[table][tie_id] = (tie_id, start, end, record, line, note, None, owner_id,
                                     company, *tail)

    def _owner(self, data: Any, kind: str, key: str, record: str) -> PartyRows:
        name = " ".join(str(data.get("name") or key).split())
        ident = data.get("identification") or {}
        regnum = safe_key(str(ident.get("registration_number") or "")).upper() if ident else ""
        if kind == "company" and regnum and uk_register(
                (ident.get("country_registered"), ident.get("place_registered"))):
            party = f"psc:{regnum}"
            return PartyRows(False, (party, "company", name, "gb", None, None),
                             [(party, 0, name, name_key(name))],
                             [(party, 0, "registration", regnum, "gb")],
                             (party, 0, record, self.line, None, None))
        if kind == "organisation" and "government" in str(ident.get("legal_form", "")).lower():
            kind = "public_body"
        party = f"psc:{self.key}/{key}"
        idents = ([(party, 0, *register_identifier("registration", regnum, None))]
                  if regnum else [])
        entity = (party, kind, name, None, _birth(data.get("date_of_birth")),
                  _nationality(data.get("nationality", "")))
        return PartyRows(False, entity, [(party, 0, name, name_key(name))], idents,
                         (party, 0, record, self.line, None, None))

    def _unknown(self, data: Any, batch: Batch) -> None:
        key, record = self._key(data)
        reason = str(data.get("statement") or data.get("kind"))
        note = f"PSC: {reason}: owner not identified"
        party = f"psc:{self.key}/{key}"
        name = f"unidentified PSC of UK company {self.key} ({reason})"
        batch.party(PartyRows(False, (party, "unknown", name, None, None, None),
                              [(party, 0, name, name_key(name))], [],
                              (party, 0, record, self.line, note, None)))
        start = iso_day(data.get("notified_on"), self.where, "notified_on")
        end = iso_day(data.get("ceased_on"), self.where, "ceased_on")
        tie = f"{party}/unknown"
        batch.ties["ownerships"][tie] = (tie, start, end, record, self.line, note, None,
                                         party, self.company, 0.0, 100.0, False)


_BIRTHS: dict[tuple[int, int | None], str | None] = {}  # (year, month) -> JSON list
_NATIONALITIES: dict[str, str | None] = {}  # nationality text -> JSON list


def _birth(found: Any) -> str | None:
    """``psc._birth`` as the JSON list of the row, once per (year, month)."""
    if type(found) is not dict:
        return json_list(psc._birth(found))
    year, month = found.get("year"), found.get("month")
    if type(year) is not int or not (month is None or type(month) is int):
        return json_list(psc._birth(found))
    text = _BIRTHS.get((year, month), "")
    if text == "":
        text = json_list(psc._birth(found))
        if len(_BIRTHS) < 10_000:
            _BIRTHS[(year, month)] = text
    return text


def _nationality(text: Any) -> str | None:
    """The JSON list of the country of a nationality (``common.NATIONALITIES``)."""
    found = _NATIONALITIES.get(text, "") if type(text) is str else ""
    if found == "":
        country = NATIONALITIES.get(str(text).strip().lower())
        found = json_list((country,) if country else ())
        if type(text) is str and len(_NATIONALITIES) < 10_000:
            _NATIONALITIES[text] = found
    return found


def _template(natures: Any, where: Any) -> Template:
    """The ties a list of natures of control states and the notes it raises (as
    ``psc._psc`` and ``psc._nature`` read them), worked out once per distinct list."""
    texts = tuple(str(n) for n in natures)
    found = _TEMPLATES.get(texts)
    if found is None:
        found = _read_template(texts, where)
        if len(_TEMPLATES) < 10_000:
            _TEMPLATES[texts] = found
    return found


def _read_template(texts: tuple[str, ...], where: Any) -> Template:
    ties: list[tuple[str, str, Row, str]] = []
    messages: list[str] = []
    shares: tuple[str, str, Row, str] | None = None
    for nature in texts:
        what, value, note = psc._read_nature(nature, where())
        messages += _messages(nature, what)
        if what == "control":
            suffix = f"/{'votes' if value == 'voting_agreement' else value}"
            if all(t[1] != suffix for t in ties):
                ties.append(("controls", suffix, (value,), note))
        elif what == "shares" and shares is None:
            shares = ("ownerships", "/shares", (*value, True), note)
    return (*ties, *([shares] if shares else [])), tuple(messages)


def _messages(nature: str, what: str) -> list[str]:
    if what == "none":
        return ["PSC votes of 25-50% (not control alone): not stored"]
    if what == "control" and not nature.startswith(psc._KNOWN_CONTROLS) \
            and not psc._BAND.match(nature):
        return [f"PSC natures of control not recognised ({nature!r}): dominant influence "
                "assumed"]
    return []
