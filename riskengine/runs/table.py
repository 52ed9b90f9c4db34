"""Rows of a rescoring run, from the engine's whole-graph arrays, and the state read back.

A stored row per entity: ``entity_id``, ``name``, ``score``, ``band``, ``blocked`` (under any
regime), ``regimes``, the compact verdicts ``{code: [status, blocked, possibly]}`` of only
the regimes where the entity is not plainly clear (clear, not blocked, not possibly blocked),
and ``parts``, the points of its contributions summed per factor and regime
(``{"blocked:us": 100.0, "tie_exposure:eu": 12.5, "cap": -2.5}``; they add up to the score),
and ``members``, the ids of the records a merged entity was made of (None: the entity is its
one record), which ``changes`` and ``history`` follow across merges and splits.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from riskengine.derive.base import RegimeArrays
from riskengine.exposure.score import ScoreTable
from riskengine.result import ScoreResult

STATUSES = ("clear", "listed", "owned", "controlled")


class RegimeState(NamedTuple):
    """Verdict of one regime for one entity."""

    status: str
    blocked: bool
    possibly: bool


CLEAR = RegimeState("clear", False, False)


@dataclass(frozen=True)
class EntityState:
    """What a run stored about one entity."""

    entity_id: str
    name: str
    score: float
    band: str
    regimes: Mapping[str, RegimeState] = field(default_factory=dict)
    parts: Mapping[str, float] | None = field(default_factory=dict)  # None: not stored
    members: tuple[str, ...] = ()  # records of a merged entity; () = its one record

    def regime(self, code: str) -> RegimeState:
        """The verdict of ``code`` (clear when the run stored none)."""
        return self.regimes.get(code, CLEAR)

    @property
    def records(self) -> tuple[str, ...]:
        """The ids of the entity records this entity was made of (itself when not merged)."""
        return self.members or (self.entity_id,)


def status_codes(v: RegimeArrays) -> np.ndarray[Any, np.dtype[np.int8]]:
    """Index into ``STATUSES`` per entity (listed before owned before controlled)."""
    code = np.where(v.controlled, 3, 0)
    code = np.where(v.owned, 2, code)
    return np.asarray(np.where(v.listed, 1, code), dtype=np.int8)


def _regimes(order: Sequence[str], codes: Mapping[str, Any], possibly: Mapping[str, Any],
             i: int) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for r in order:
        status = int(codes[r][i])
        if status or possibly[r][i]:
            found[r] = [STATUSES[status], status > 0, bool(possibly[r][i])]
    return found


ROWS_AT_ONCE = 65536  # entities whose rows are made together (memory holds one block)


class ScoreRows:
    """The rows of a run (``score_rows``): iterated, one dict per entity; or, for the
    writer, their stored cells and digests a block at a time (``runs.cells.cell_blocks``).
    """

    def __init__(self, table: ScoreTable, names: Sequence[str],
                 verdicts: Mapping[str, RegimeArrays], order: Sequence[str],
                 members: Mapping[str, Sequence[str]] | None, block: int) -> None:
        self.table, self.names, self.verdicts, self.order = table, names, verdicts, order
        self.members, self.block = members or {}, block

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return _rows(self.table, self.names, self.verdicts, self.order, self.members,
                     self.block)


def score_rows(table: ScoreTable, names: Sequence[str], verdicts: Mapping[str, RegimeArrays],
               order: Sequence[str], members: Mapping[str, Sequence[str]] | None = None,
               block: int = ROWS_AT_ONCE) -> ScoreRows:
    """One row dict per entity, in ``table.ids`` order (``order``: regimes to store;
    ``members``: the records of each merged entity, by its id). Made ``block`` entities at
    a time (``names`` is sliced per block: a lazy column need not be a list)."""
    return ScoreRows(table, names, verdicts, order, members, block)


def _rows(table: ScoreTable, names: Sequence[str], verdicts: Mapping[str, RegimeArrays],
          order: Sequence[str], merged: Mapping[str, Sequence[str]], block: int
          ) -> Iterator[dict[str, Any]]:
    codes = {r: status_codes(verdicts[r]) for r in order}
    possibly = {r: verdicts[r].possibly for r in order}
    for lo in range(0, len(table.ids), max(block, 1)):
        hi = min(lo + max(block, 1), len(table.ids))
        yield from _block_rows(table, list(names[lo:hi]), (codes, possibly, order), merged,
                               (lo, hi))


def _block_rows(table: ScoreTable, names: list[str],
                regimes: tuple[Mapping[str, Any], Mapping[str, Any], Sequence[str]],
                merged: Mapping[str, Sequence[str]], span: tuple[int, int]
                ) -> Iterator[dict[str, Any]]:
    """The rows of entities ``span[0]:span[1]`` (``names``: theirs)."""
    codes, possibly, order = regimes
    lo, hi = span
    interesting = np.zeros(hi - lo, dtype=np.bool_)
    for r in order:
        interesting |= (codes[r][lo:hi] > 0) | possibly[r][lo:hi]
    scores, bands = table.score[lo:hi].tolist(), table.band[lo:hi].tolist()
    blocked = table.blocked_any[lo:hi].tolist()
    parts = entity_parts(table, lo, hi)
    for k, entity_id in enumerate(table.ids[lo:hi]):
        i = lo + k
        yield {"entity_id": entity_id, "name": names[k], "score": scores[k],
               "band": table.band_names[bands[k]], "blocked": blocked[k],
               "regimes": _regimes(order, codes, possibly, i) if interesting[k] else {},
               "parts": parts.get(i, {}), "members": _members(merged, entity_id)}


def _members(merged: Mapping[str, Sequence[str]], entity_id: str) -> list[str] | None:
    found = merged.get(entity_id)
    return sorted(found) if found and len(found) > 1 else None


def entity_parts(table: ScoreTable, lo: int = 0, hi: int | None = None
                 ) -> dict[int, dict[str, float]]:
    """Points per contribution key of every entity with any, by entity index (of the
    entities ``lo:hi`` only, when given)."""
    found: dict[int, dict[str, float]] = {}
    for key in sorted(table.parts):
        cents = table.parts[key][lo:hi]
        where = np.flatnonzero(cents)
        for i, value in zip((where + lo).tolist(), (cents[where] / 100.0).tolist(),
                            strict=True):
            found.setdefault(i, {})[key] = value
    return found


def state_from(row: Mapping[str, Any]) -> EntityState:
    """The EntityState of a stored row."""
    regimes = {code: RegimeState(str(v[0]), bool(v[1]), bool(v[2]))
               for code, v in (row["regimes"] or {}).items()}
    stored = row.get("parts")
    parts = None if stored is None else {str(k): float(v) for k, v in stored.items()}
    members = tuple(str(m) for m in row.get("members") or ())
    return EntityState(row["entity_id"], row["name"], float(row["score"]), row["band"], regimes,
                       parts, members)


def result_state(result: ScoreResult) -> EntityState:
    """The EntityState a run stores for an explained result (same compact form)."""
    regimes = {code: RegimeState(_clear(v.status), v.blocked, v.possibly_blocked)
               for code, v in result.regimes.items()
               if _clear(v.status) != "clear" or v.possibly_blocked}
    return EntityState(result.entity.id, result.entity.name, result.score, result.band,
                       regimes, contribution_parts(result))


def _clear(status: str) -> str:
    """not_covered (no list data for the date, ``riskengine.coverage``) is stored as clear:
    runs score from arrays, which know no coverage."""
    return "clear" if status == "not_covered" else status


def contribution_parts(result: ScoreResult) -> dict[str, float]:
    """Points per contribution key (``factor`` or ``factor:regime``), non-zero ones only."""
    cents: dict[str, int] = {}
    for c in result.contributions:
        key = f"{c.factor}:{c.regime}" if c.regime else c.factor
        cents[key] = cents.get(key, 0) + round(c.points * 100)
    return {k: v / 100.0 for k, v in sorted(cents.items()) if v}


def snapshot_hash(ingests: Iterable[tuple[str, str]]) -> str:
    """sha256 over the sorted (source, content hash) pairs of every ingest: which data a run
    saw. The empty store has the hash of the empty list."""
    pairs = sorted(set(ingests))
    return hashlib.sha256(json.dumps(pairs, separators=(",", ":")).encode()).hexdigest()


def counts(table: ScoreTable, verdicts: Mapping[str, RegimeArrays]) -> dict[str, int]:
    """Headline counts of a run: entities, blocked (any regime), per band, per regime."""
    found = {"entities": len(table.ids), "blocked": int(table.blocked_any.sum())}
    for i, band in enumerate(table.band_names):
        found[f"band:{band}"] = int((table.band == i).sum())
    for code, v in sorted(verdicts.items()):
        found[f"blocked:{code}"] = int(v.blocked.sum())
    return found
