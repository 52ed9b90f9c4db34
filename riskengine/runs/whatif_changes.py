"""The changes between two scorings of the same entities, built column by column.

``changes.entity_changes`` of every entity's two states, without the states: each kind of
change (a block gained or lost per regime, a band move, a score move, a new kind of
contribution) is found for all entities at once, and each change is made once, in the
order ``entity_changes`` gives them (entities by id; per entity the regimes in code order,
band, score, then the new evidence by key). A million changes are a million objects, not
a million states compared in Python. Checked against ``entity_changes`` in the tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from riskengine.runs.changes import QUIET_PARTS, Change, Kind
from riskengine.runs.table import STATUSES

if TYPE_CHECKING:
    from riskengine.runs.whatif import Book

Index = npt.NDArray[np.int64]

_Row = tuple[int, int, int, Change]  # (position, kind order, order within kind, change)
_STATUS = np.asarray(STATUSES, dtype=object)


def _make(book: Book, i: int, kind: Kind, regime: str | None, before: str,
          after: str) -> Change:
    """A change, its values already checked: constructed without validation."""
    return Change.model_construct(entity_id=book.ids[i], name=book.names[i], kind=kind,
                                  regime=regime, before=before, after=after)


def _statuses(book: Book, code: str, at: Index) -> npt.NDArray[np.object_]:
    codes = book.codes.get(code)
    if codes is None:
        return np.full(at.shape[0], "clear", dtype=object)
    return _STATUS[codes[at]]


def blocked_at(book: Book, code: str, at: Index) -> npt.NDArray[np.bool_]:
    v = book.verdicts.get(code)
    return np.zeros(at.shape[0], dtype=np.bool_) if v is None else v.blocked[at]


def part_at(book: Book, key: str, at: Index) -> npt.NDArray[np.int64]:
    cents = book.table.parts.get(key)
    return np.zeros(at.shape[0], dtype=np.int64) if cents is None else cents[at]


def _regimes(before: Book, after: Book, at: Index) -> Iterator[_Row]:
    for rank, code in enumerate(sorted(set(before.verdicts) | set(after.verdicts))):
        now = blocked_at(after, code, at)
        for k in np.flatnonzero(blocked_at(before, code, at) != now).tolist():
            was, became = _statuses(before, code, at[k:k + 1])[0], \
                _statuses(after, code, at[k:k + 1])[0]
            kind: Kind = "newly_blocked" if now[k] else "unblocked"
            yield k, 0, rank, _make(after, int(at[k]), kind, code, str(was), str(became))


def _moves(before: Book, after: Book, at: Index, threshold: float) -> Iterator[_Row]:
    old_band, new_band = before.band_names[at], after.band_names[at]
    for k in np.flatnonzero(old_band != new_band).tolist():
        yield k, 1, 0, _make(after, int(at[k]), "band", None, str(old_band[k]),
                             str(new_band[k]))
    old, new = before.table.score[at], after.table.score[at]
    delta = new - old
    for k in np.flatnonzero((np.abs(delta) >= threshold) & (delta != 0)).tolist():
        yield k, 2, 0, _make(after, int(at[k]), "score", None, f"{float(old[k]):g}",
                             f"{float(new[k]):g}")


def _evidence(before: Book, after: Book, at: Index) -> Iterator[_Row]:
    for rank, key in enumerate(sorted(after.table.parts)):
        factor, _, regime = key.partition(":")
        if factor in QUIET_PARTS:
            continue
        cents = part_at(after, key, at)
        for k in np.flatnonzero((cents != 0) & (part_at(before, key, at) == 0)).tolist():
            yield k, 3, rank, _make(after, int(at[k]), "new_evidence", regime or None, "",
                                    f"{factor} {int(cents[k]) / 100.0:g}")


def column_changes(before: Book, after: Book, at: Index, threshold: float) -> list[Change]:
    """The changes of the entities ``at`` (indices into both books, sorted by id)."""
    rows = [*_regimes(before, after, at), *_moves(before, after, at, threshold),
            *_evidence(before, after, at)]
    rows.sort(key=lambda row: row[:3])
    return [row[3] for row in rows]
