"""Edition history of an official list: turn a new edition into dated designation changes.

Pure: no database, no clock. The caller passes the designations already stored for the
source, what it knows of past editions and the edition's publication date.

- An entry not listed before is listed from the record's own start date when the list states
  one (UK "Listed On"), else from the edition's publication date, marked
  ``listed_from_basis='first_edition'``: listed on or before that day.
- An entry that disappears while a new entry of the same regime and program shares its strong
  identifiers (OFAC re-keying BM Bank 20002 as 17017) is *continued*: neither a delisting nor
  a new listing (``ingest.continued``).
- An entry present before and now keeps its original ``listed_from`` (and its row id).
- An entry that disappears is delisted as of the edition's date (``listed_to``); rows are
  never deleted.
- A delisted entry that reappears gets a new designation period: a new row whose id is the
  reader's id suffixed with ``@YYYY-MM-DD`` (its new start).
- A file already ingested for the source (same content hash) changes nothing; an edition
  older than the newest stored one, one dated after ``today`` (the caller's clock, passed
  in) by more than ``future_days``, or one delisting more than ``max_delisted_share`` of the
  listed designations, is refused (``InputError``) unless forced. A future date is refused
  because every real edition after it would be refused as older.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from riskengine.domain import Designation, Entity, Identifier
from riskengine.errors import InputError
from riskengine.ingest.continued import Continuation, continued_row, ended_row, find
from riskengine.lists.base import ListEdition

_PERIOD_SUFFIX = re.compile(r"@\d{4}-\d{2}-\d{2}$")
DEFAULT_MAX_DELISTED_SHARE = 0.10
DEFAULT_FUTURE_DAYS = 1


class IngestRules(BaseModel):
    """``rules/ingest.yaml``: safety limits of list ingestion."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_delisted_share: float = Field(
        DEFAULT_MAX_DELISTED_SHARE, gt=0, le=1,
        description="largest share (0-1] of a source's listed designations one edition may "
                    "delist without --force",
    )
    future_days: int = Field(
        DEFAULT_FUTURE_DAYS, ge=0, le=366,
        description="days an edition's publication date may lie after today (time zones: a "
                    "list published in New York or Sydney) before it is refused without "
                    "--force",
    )
    description: str | None = Field(None, description="free text for the analyst")


@dataclass(frozen=True)
class PastEditions:
    """What is known of the editions of a source already stored."""

    newest: date | None = None
    hashes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Guard:
    """Safety settings of one ingest."""

    max_delisted_share: float = DEFAULT_MAX_DELISTED_SHARE
    force: bool = False
    future_days: int = DEFAULT_FUTURE_DAYS

    @classmethod
    def of(cls, rules: IngestRules, force: bool) -> Guard:
        """The guard ``rules/ingest.yaml`` sets, forced or not."""
        return cls(rules.max_delisted_share, force, rules.future_days)


@dataclass(frozen=True)
class Plan:
    """Designation rows to upsert for one edition, and what happened to each entry."""

    designations: tuple[Designation, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)  # new, kept, delisted, relisted,
    # continued (a gone entry continued by a new one under another number)
    already: bool = False  # the same file was ingested before: nothing to do
    warnings: tuple[str, ...] = ()


def base_id(designation_id: str) -> str:
    """The reader's id of a designation row (a relisting suffix ``@YYYY-MM-DD`` removed)."""
    return _PERIOD_SUFFIX.sub("", designation_id)


# PLR0913: one pure decision over distinct inputs; the last two are keyword-only options.
def plan_edition(edition: ListEdition, published: date,  # noqa: PLR0913
                 stored: Sequence[Designation], past: PastEditions, guard: Guard, label: str,
                 *, today: date | None = None,
                 entities: Lookup | None = None) -> Plan:
    """The designation changes ``edition`` (published on ``published``) makes to ``stored``.

    ``label`` names the input in error messages (usually the path given by the user).
    ``today``: the caller's date, to refuse an edition from the future (None: not checked).
    ``entities``: reads stored entities by id, to see a gone entry continued under another
    number (``ingest.continued``); None: not looked for.
    """
    if edition.content_hash in past.hashes:
        return Plan(already=True)
    _check_future(edition.source, published, today, guard, label)
    _check_order(edition.source, published, past.newest, guard.force, label)
    current = current_rows(stored)
    incoming = {d.id: d for d in edition.dataset.designations}
    kinds = {d.id: dated(d, current.get(d.id), published) for d in incoming.values()}
    listed = {key: row for key, row in current.items() if row.listed_to is None}
    gone = [row for key, row in listed.items() if key not in incoming]
    fresh = [row for kind, row in kinds.values() if kind == "new"]
    links, warnings = _continuations(edition, gone, fresh, entities)
    rows = [continued_row(links[r.id], r) if r.id in links else r
            for _, r in kinds.values()]
    ended = [_ended(row, published, links) for row in gone]
    counts = {k: sum(1 for kind, _ in kinds.values() if kind == k)
              for k in ("new", "kept", "relisted")}
    moved = sum(1 for row in gone if row.id in links)
    counts = {**counts, "new": counts["new"] - moved, "delisted": len(gone) - moved,
              **({"continued": moved} if moved else {})}
    _check_guard(edition.source, counts["delisted"], len(listed), guard, label)
    return Plan(designations=tuple(rows + ended), counts=counts, warnings=tuple(warnings))


Lookup = Callable[[Iterable[str]], Mapping[str, Entity]]


def _continuations(edition: ListEdition, gone: list[Designation], fresh: list[Designation],
                   entities: Lookup | None
                   ) -> tuple[dict[str, Continuation], list[str]]:
    """Continuations by both ids (the gone row's and the new row's), and warnings."""
    if entities is None or not gone or not fresh:
        return {}, []
    known = {e.id: e for e in edition.dataset.entities}
    known = {**entities([d.entity_id for d in gone]), **known}
    found, warnings = find(gone, fresh, known)
    return {key: c for c in found for key in (c.old.id, c.new.id)}, warnings


def _ended(row: Designation, published: date, links: Mapping[str, Continuation]
           ) -> Designation:
    ended = delist(row, published)
    return ended_row(links[row.id], ended) if row.id in links else ended


R = TypeVar("R")
Period = Callable[[R], tuple[date | None, date | None]]


def latest_periods(stored: Iterable[R], ident: Callable[[R], str], period: Period[R]
                   ) -> dict[str, R]:
    """The latest period of each row, by reader id (``ident`` with any relisting suffix
    removed): the open row, else the one that starts last. ``period``: (start, end)."""
    latest: dict[str, R] = {}
    for row in stored:
        key = base_id(ident(row))
        if key not in latest or _later(period(row), period(latest[key])):
            latest[key] = row
    return latest


def _later(row: tuple[date | None, date | None], other: tuple[date | None, date | None]
           ) -> bool:
    if (row[1] is None) != (other[1] is None):
        return row[1] is None
    return (row[0] or date.min) > (other[0] or date.min)


def current_rows(stored: Iterable[Designation]) -> dict[str, Designation]:
    """The latest period of each designation, by reader id: the open row, else the newest."""
    return latest_periods(stored, lambda d: d.id, lambda d: (d.listed_from, d.listed_to))


def dated(new: Designation, prior: Designation | None, published: date) -> tuple[str, Designation]:
    """('new' | 'kept' | 'relisted', the row to store) for one designation of the edition.

    The list's own start date is used when it states one; else the edition's date, marked
    ``listed_from_basis='first_edition'`` (listed on or before that day)."""
    if prior is None:
        return "new", new.model_copy(update=_start(new.listed_from, published))
    if prior.listed_to is None:
        return "kept", new.model_copy(update={"id": prior.id, "listed_from": prior.listed_from,
                                              "listed_from_basis": prior.listed_from_basis})
    own = new.listed_from
    start = _start(own if own is not None and own >= prior.listed_to else None, published)
    row_id = f"{new.id}@{start['listed_from'].isoformat()}"
    return "relisted", new.model_copy(update={"id": row_id, **start})


def _start(own: date | None, published: date) -> dict[str, Any]:
    if own is not None:
        return {"listed_from": own, "listed_from_basis": "list"}
    return {"listed_from": published, "listed_from_basis": "first_edition"}


def delist(row: Designation, published: date) -> Designation:
    """``row`` ended on ``published`` (never before its own start)."""
    end = max(published, row.listed_from or published)
    return row.model_copy(update={"listed_to": end})


def _check_order(source: str, published: date, newest: date | None, force: bool,
                 label: str) -> None:
    if newest is None or published >= newest or force:
        return
    raise InputError(label, f"{source} edition of {published.isoformat()} is older than the "
                            f"newest stored edition ({newest.isoformat()}); use --force to "
                            f"ingest it anyway")


def _check_future(source: str, published: date, today: date | None, guard: Guard,
                  label: str) -> None:
    if today is None or guard.force or (published - today).days <= guard.future_days:
        return
    raise InputError(label, f"{source} edition of {published.isoformat()} is dated after today "
                            f"({today.isoformat()}, {guard.future_days} day(s) of tolerance): "
                            f"a wrong date in the file or in --published? use --force to "
                            f"ingest it anyway")


def _check_guard(source: str, delisted: int, listed: int, guard: Guard, label: str) -> None:
    if guard.force or listed == 0 or delisted / listed <= guard.max_delisted_share:
        return
    raise InputError(label, f"{source} edition would delist {delisted} of {listed} listed "
                            f"designations ({delisted / listed:.0%}, limit "
                            f"{guard.max_delisted_share:.0%}): a truncated file? use --force "
                            f"to ingest it anyway")


def union_entity(old: Entity | None, new: Entity, when: date | None = None) -> Entity:
    """``new`` with the names, identifiers and other sources ``old`` had and ``new`` lacks.

    With ``when`` (the new edition's date), identifiers get their validity: ``stated_from``
    the first edition stating them, ``stated_to`` the first edition of the same source that
    no longer does (left open when another source's record shares the entity id)."""
    if old is None:
        return new if when is None else new.model_copy(
            update={"identifiers": stated_identifiers((), new, when, False)})
    names = _unique([*new.aliases, old.name, *old.aliases], exclude=new.name)
    keys = {s.source for s in new.sources}
    shared = any(s.source not in keys for s in old.sources)
    idents = (tuple(dict.fromkeys([*new.identifiers, *old.identifiers])) if when is None
              else stated_identifiers(old.identifiers, new, when, shared))
    sources = (*new.sources, *(s for s in old.sources if s.source not in keys))
    return new.model_copy(update={
        "aliases": names, "identifiers": idents, "sources": sources,
        "country": new.country or old.country, "sector": new.sector or old.sector,
    })


def stated_identifiers(old: Iterable[Identifier], new: Entity, when: date, shared: bool
                       ) -> tuple[Identifier, ...]:
    """``new``'s identifiers dated from ``when`` (or from when a still-stated one was first
    stated), then ``old`` ones it no longer states, ended at ``when`` unless ``shared``."""
    def key(i: Identifier) -> tuple[str, str, str | None]:
        return i.scheme, i.value, i.country

    before = {key(i): i for i in old}
    out: dict[tuple[str, str, str | None], Identifier] = {}
    for ident in new.identifiers:
        prev = before.get(key(ident))
        since = prev.stated_from if prev and prev.stated_to is None else when
        out.setdefault(key(ident), ident.model_copy(
            update={"stated_from": since or when, "stated_to": None}))
    for k, ident in before.items():
        if k not in out:
            end = ident.stated_to or (None if shared else when)
            out[k] = ident.model_copy(update={"stated_to": end})
    return tuple(out.values())


def _unique(names: Iterable[str], exclude: str) -> tuple[str, ...]:
    seen = {exclude.casefold()}
    out: list[str] = []
    for name in names:
        if name.casefold() not in seen:
            seen.add(name.casefold())
            out.append(name)
    return tuple(out)
