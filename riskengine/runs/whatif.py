"""What a rule edit would change: two scorings of the whole book compared, in arrays.

``compare_books`` gives the same changes ``changes.compare`` gives for two stored runs of
these scorings (same kinds, same order), without building a state per entity: the entities
whose block, band, score or evidence moved are found with array comparisons, and only they
get an ``EntityState``. When the two scorings rest on different graphs (the proposed rules
add scenario facts or change merges), entities are matched by id and the changed ones, the
ones on one side only and those whose records moved go through ``changes.compare``, which
follows merges and splits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from riskengine.derive.base import RegimeArrays
from riskengine.exposure.score import ScoreTable
from riskengine.runs.changes import QUIET_PARTS, AlertRules, Change, compare
from riskengine.runs.table import STATUSES, EntityState, RegimeState, status_codes
from riskengine.runs.whatif_changes import blocked_at, column_changes, part_at

Index = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]


@dataclass
class Book:
    """One scoring of every entity: the score table, the verdicts it was scored from, the
    entities' names and the records of each merged one (id -> member record ids)."""

    table: ScoreTable
    verdicts: Mapping[str, RegimeArrays]
    names: Sequence[str]
    clusters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def ids(self) -> Sequence[str]:
        return self.table.ids

    @cached_property
    def index(self) -> dict[str, int]:
        return {eid: i for i, eid in enumerate(self.ids)}

    @cached_property
    def codes(self) -> dict[str, npt.NDArray[np.int8]]:
        return {r: status_codes(v) for r, v in self.verdicts.items()}

    @cached_property
    def band_names(self) -> npt.NDArray[np.str_]:
        return np.asarray(self.table.band_names)[self.table.band]

    @cached_property
    def holder(self) -> dict[str, str]:
        """Record id -> the entity holding it, for merged entities' records."""
        return {r: eid for eid, records in self.clusters.items() for r in records}

    def held_by(self, record: str) -> str | None:
        found = self.holder.get(record)
        return found if found is not None else (record if record in self.index else None)

    def state(self, i: int) -> EntityState:
        """What a run would store about entity ``i`` (``runs.table.score_rows``)."""
        return self.states(np.asarray([i], dtype=np.int64))[0]

    def states(self, at: Index) -> list[EntityState]:
        """``state`` of each entity of ``at``, read column by column (only the non-zero
        verdicts and parts are visited)."""
        regimes: list[dict[str, RegimeState]] = [{} for _ in range(at.shape[0])]
        for r, v in sorted(self.verdicts.items()):
            codes, possibly = self.codes[r][at], v.possibly[at]
            for k in np.flatnonzero((codes > 0) | possibly).tolist():
                code = int(codes[k])
                regimes[k][r] = RegimeState(STATUSES[code], code > 0, bool(possibly[k]))
        parts: list[dict[str, float]] = [{} for _ in range(at.shape[0])]
        for key, cents in sorted(self.table.parts.items()):
            values = cents[at]
            for k in np.flatnonzero(values).tolist():
                parts[k][key] = int(values[k]) / 100.0
        scores, bands = self.table.score[at].tolist(), self.table.band[at].tolist()
        return [self._state(int(i), scores[k], bands[k], regimes[k], parts[k])
                for k, i in enumerate(at.tolist())]

    def _state(self, i: int, score: float, band: int, regimes: dict[str, RegimeState],
               parts: dict[str, float]) -> EntityState:
        members = self.clusters.get(self.ids[i], ())
        return EntityState(self.ids[i], self.names[i], float(score),
                           self.table.band_names[band], regimes, parts,
                           tuple(sorted(members)) if len(members) > 1 else ())


@dataclass(frozen=True)
class Mover:
    """An entity whose score moves most: before and after."""

    entity_id: str
    name: str
    before: float
    after: float
    band_before: str
    band_after: str

    @property
    def delta(self) -> float:
        return round(self.after - self.before, 2)


def moved(before: Book, after: Book, ia: Index, ib: Index, threshold: float) -> Mask:
    """Per matched pair (``ia[k]`` before, ``ib[k]`` after): whether any change kind fires
    (blocked under a regime or not, band, score move, a new kind of contribution)."""
    mask = before.band_names[ia] != after.band_names[ib]
    delta = after.table.score[ib] - before.table.score[ia]
    mask |= (np.abs(delta) >= threshold) & (delta != 0)
    for code in sorted(set(before.verdicts) | set(after.verdicts)):
        mask |= blocked_at(before, code, ia) != blocked_at(after, code, ib)
    for key in after.table.parts:
        if key.partition(":")[0] not in QUIET_PARTS:
            mask |= (part_at(after, key, ib) != 0) & (part_at(before, key, ia) == 0)
    return np.asarray(mask, dtype=np.bool_)


def _same_entities(before: Book, after: Book) -> bool:
    return before.ids == after.ids and dict(before.clusters) == dict(after.clusters)


def compare_books(before: Book, after: Book, rules: AlertRules) -> list[Change]:
    """Every change from ``before`` to ``after``, as ``changes.compare`` of their states."""
    threshold = rules.score_move_threshold
    if _same_entities(before, after):
        every = np.arange(len(before.ids), dtype=np.int64)
        hit = np.flatnonzero(moved(before, after, every, every, threshold)).tolist()
        at = np.asarray(sorted(hit, key=lambda k: before.ids[k]), dtype=np.int64)
        return column_changes(before, after, at, threshold)
    return _compare_matched(before, after, rules)


def matched(before: Book, after: Book) -> tuple[Index, Index]:
    """Indices (before, after) of the entities with the same id in both."""
    where = after.index
    ib = np.fromiter((where.get(eid, -1) for eid in before.ids), dtype=np.int64,
                     count=len(before.ids))
    ia = np.flatnonzero(ib >= 0).astype(np.int64)
    return ia, ib[ia]


def _compare_matched(before: Book, after: Book, rules: AlertRules) -> list[Change]:
    ia, ib = matched(before, after)
    hit = moved(before, after, ia, ib, rules.score_move_threshold)
    ids = {before.ids[int(i)] for i in ia[hit]}
    ids |= set(before.ids).symmetric_difference(after.ids)
    ids |= {e for e in set(before.clusters) | set(after.clusters)
            if before.clusters.get(e) != after.clusters.get(e)}
    for _ in range(2):  # the entities holding their records on the other side, too
        ids |= _holders_of(before, after, ids)
    return compare(_states(before, ids), _states(after, ids), rules)


def _states(book: Book, ids: set[str]) -> dict[str, EntityState]:
    at = np.asarray([book.index[e] for e in sorted(ids) if e in book.index], dtype=np.int64)
    return {s.entity_id: s for s in book.states(at)}


def _holders_of(before: Book, after: Book, ids: set[str]) -> set[str]:
    found: set[str] = set()
    for eid in ids:
        for book in (before, after):
            for record in book.clusters.get(eid, (eid,)):
                found |= {h for h in (before.held_by(record), after.held_by(record)) if h}
    return found


def top_movers(before: Book, after: Book, count: int) -> list[Mover]:
    """The ``count`` entities (matched by id) whose score moves most, largest move first
    (ties by id); entities that do not move are never movers."""
    if count <= 0:
        return []
    ia, ib = (np.arange(len(before.ids), dtype=np.int64),) * 2 if before.ids == after.ids \
        else matched(before, after)
    delta = np.abs(after.table.score[ib] - before.table.score[ia])
    live = np.flatnonzero(delta > 0)
    if live.shape[0] > count:
        kth = np.partition(delta[live], live.shape[0] - count)[live.shape[0] - count]
        live = live[delta[live] >= kth]
    order = sorted(live.tolist(), key=lambda k: (-float(delta[k]), before.ids[int(ia[k])]))
    return [_mover(before, after, int(ia[k]), int(ib[k])) for k in order[:count]]


def _mover(before: Book, after: Book, a: int, b: int) -> Mover:
    return Mover(before.ids[a], after.names[b], float(before.table.score[a]),
                 float(after.table.score[b]), before.table.band_of(a), after.table.band_of(b))


def counts_by_kind(found: Sequence[Change]) -> dict[str, int]:
    """Changes per kind, and per kind and regime (``newly_blocked:us``) where one applies."""
    out: dict[str, int] = {}
    for c in found:
        out[c.kind] = out.get(c.kind, 0) + 1
        if c.regime:
            key = f"{c.kind}:{c.regime}"
            out[key] = out.get(key, 0) + 1
    return dict(sorted(out.items()))


def summary(found: Sequence[Change], movers: Sequence[Mover]) -> dict[str, Any]:
    """JSON-ready counts and movers."""
    return {"counts": counts_by_kind(found),
            "top_movers": [{"entity_id": m.entity_id, "name": m.name, "before": m.before,
                            "after": m.after, "delta": m.delta, "band_before": m.band_before,
                            "band_after": m.band_after} for m in movers]}
