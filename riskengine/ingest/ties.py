"""Tie history of an official list: the ownership, control and "Linked To" ties an edition
states, dated against the ties earlier editions of the same source stated.

Pure, like ``ingest.editions`` for designations:

- a tie stated for the first time is stored as the reader gives it;
- a tie stated before and now keeps its stored row (id and start);
- a tie a previous edition stated and this one does not is *ended* as of this edition's
  date (``valid_to``): "as of" questions before that date still see it, later ones do not;
- an ended tie stated again gets a new period: a new row ``<id>@YYYY-MM-DD`` starting on the
  edition's date. A tie whose end the source itself states is stored as stated.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from riskengine.domain import Control, Dataset, Ownership, Relationship
from riskengine.ingest.editions import latest_periods

TIE_KINDS = ("ownerships", "controls", "relationships")
E = TypeVar("E", Ownership, Control, Relationship)


@dataclass(frozen=True)
class TiePlan:
    """Tie rows to upsert per kind, and counts: new, ended, renewed."""

    rows: dict[str, tuple[Ownership | Control | Relationship, ...]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def latest(stored: Iterable[E]) -> dict[str, E]:
    """The latest period of each tie, by reader id: the open row, else the newest start."""
    return latest_periods(stored, lambda t: t.id, lambda t: (t.valid_from, t.valid_to))


def dated(new: E, prior: E | None, published: date) -> tuple[str, E]:
    """('new' | 'kept' | 'renewed', the row to store) for one tie of the edition."""
    if prior is None:
        return "new", new
    if prior.valid_to is None or new.valid_to is not None:
        start = new.valid_from if new.valid_from is not None else prior.valid_from
        return "kept", new.model_copy(update={"id": prior.id, "valid_from": start})
    row_id = f"{new.id}@{published.isoformat()}"
    return "renewed", new.model_copy(update={"id": row_id, "valid_from": published})


def ended(row: E, published: date) -> E:
    """``row`` ended on ``published`` (never before its own start)."""
    return row.model_copy(update={"valid_to": max(published, row.valid_from or published)})


def _plan_kind(incoming: Sequence[E], stored: Sequence[E], published: date,
               counts: dict[str, int]) -> tuple[E, ...]:
    current = latest(stored)
    arriving = {t.id: t for t in incoming}
    rows = []
    for tie in arriving.values():
        kind, row = dated(tie, current.get(tie.id), published)
        counts[kind] = counts.get(kind, 0) + 1
        rows.append(row)
    gone = [ended(row, published) for key, row in current.items()
            if row.valid_to is None and key not in arriving]
    counts["ended"] = counts.get("ended", 0) + len(gone)
    return tuple(rows + gone)


def plan_ties(incoming: Dataset, stored: Dataset, published: date) -> TiePlan:
    """The tie rows an edition (``incoming``) makes of the source's ``stored`` ties."""
    counts = {"new": 0, "kept": 0, "renewed": 0, "ended": 0}
    rows = {kind: _plan_kind(getattr(incoming, kind), getattr(stored, kind), published, counts)
            for kind in TIE_KINDS}
    return TiePlan(rows, {f"ties_{k}": v for k, v in counts.items()})
