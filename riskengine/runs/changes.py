"""What changed between two rescoring runs: the alerts a scheduler acts on.

Kinds of change, per entity:

* ``newly_blocked`` / ``unblocked``: blocked under a regime in one run and not the other;
* ``band``: the band moved;
* ``score``: the score moved by at least ``AlertRules.score_move_threshold`` points;
* ``new_evidence``: a kind of contribution the entity did not have before (exposure under a
  regime, a possible block, a non-blocking listing: ``factor:regime`` of the stored parts),
  whatever its size; runs stored without parts are not compared this way;
* ``merged``: records that were other entities in the previous run are now part of this
  one (``before`` the absorbed entity's id, ``after`` this one's); ``split``: this entity
  was part of another one in the previous run, which still exists (``before`` that entity's
  id, ``after`` this one's). The entity's records are followed (``EntityState.records``),
  so ids never look added or removed through a merge or a split;
* ``added`` / ``removed``: none of the entity's records is in the other run (``added``
  entities that are blocked also get a ``newly_blocked`` change per regime).

An entity is compared with its *predecessors*, the previous run's entities holding any of
its records (itself, when nothing merged or split), taken together: blocked under a regime
if any of them was, their highest score and its band, every kind of evidence any had. A
regime is not ``unblocked`` while another entity holding the predecessors' records (a
part split off) is still blocked under it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from riskengine.runs.table import EntityState, RegimeState

Kind = Literal["newly_blocked", "unblocked", "band", "score", "new_evidence", "added",
               "removed", "merged", "split"]
QUIET_PARTS = ("blocked", "cap", "override")  # reported otherwise, or not evidence
DEFAULT_SCORE_MOVE = 10.0


class AlertRules(BaseModel):
    """``rules/alerts.yaml``: what counts as a change worth an alert."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    score_move_threshold: float = Field(
        DEFAULT_SCORE_MOVE, ge=0,
        description="smallest score move (points, 0-100 scale) reported as a change")
    description: str | None = Field(None, description="free text for the analyst")


class Change(BaseModel):
    """One change of one entity between the previous run and this one."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    entity_id: str
    name: str
    kind: Kind
    regime: str | None = None
    before: str = ""
    after: str = ""


def _regime_changes(old: EntityState, new: EntityState,
                    still: Callable[[str], bool] = lambda _code: False) -> list[Change]:
    """Blocks gained or lost; ``still(code)``: another part of the old entity is blocked."""
    found = []
    for code in sorted(set(old.regimes) | set(new.regimes)):
        was, now = old.regime(code), new.regime(code)
        if was.blocked != now.blocked and not (was.blocked and still(code)):
            kind: Kind = "newly_blocked" if now.blocked else "unblocked"
            found.append(Change(entity_id=new.entity_id, name=new.name, kind=kind,
                                regime=code, before=was.status, after=now.status))
    return found


def _moves(old: EntityState, new: EntityState, threshold: float) -> list[Change]:
    found = []
    if old.band != new.band:
        found.append(Change(entity_id=new.entity_id, name=new.name, kind="band",
                            before=old.band, after=new.band))
    if abs(new.score - old.score) >= threshold and new.score != old.score:
        found.append(Change(entity_id=new.entity_id, name=new.name, kind="score",
                            before=f"{old.score:g}", after=f"{new.score:g}"))
    return found


def _new_evidence(old: EntityState, new: EntityState) -> list[Change]:
    if old.parts is None or new.parts is None:
        return []
    found = []
    for key in sorted(set(new.parts) - set(old.parts)):
        factor, _, regime = key.partition(":")
        if factor not in QUIET_PARTS:
            found.append(Change(entity_id=new.entity_id, name=new.name, kind="new_evidence",
                                regime=regime or None, after=f"{factor} {new.parts[key]:g}"))
    return found


def entity_changes(old: EntityState | None, new: EntityState | None,
                   threshold: float) -> list[Change]:
    """Changes of one entity (``None``: not in that run), nothing merged or split."""
    if new is None:
        assert old is not None
        return [_removed(old)]
    if old is None:
        return _added(new)
    return _compared(old, new, threshold)


def _removed(old: EntityState) -> Change:
    return Change(entity_id=old.entity_id, name=old.name, kind="removed",
                  before=f"{old.score:g} {old.band}")


def _added(new: EntityState) -> list[Change]:
    blank = EntityState(new.entity_id, new.name, 0.0, "")
    added = Change(entity_id=new.entity_id, name=new.name, kind="added",
                   after=f"{new.score:g} {new.band}")
    return [added, *_regime_changes(blank, new)]


def _compared(old: EntityState, new: EntityState, threshold: float,
              still: Callable[[str], bool] = lambda _code: False) -> list[Change]:
    return (_regime_changes(old, new, still) + _moves(old, new, threshold)
            + _new_evidence(old, new))


@dataclass(frozen=True)
class _Runs:
    """Two runs' states and, for each, which entity holds each record."""

    previous: Mapping[str, EntityState]
    current: Mapping[str, EntityState]
    was_in: Mapping[str, str]
    now_in: Mapping[str, str]

    def predecessors(self, new: EntityState) -> list[EntityState]:
        ids = {self.was_in[r] for r in new.records if r in self.was_in}
        return [self.previous[i] for i in sorted(ids)]

    def successors(self, olds: Iterable[EntityState]) -> list[EntityState]:
        ids = {self.now_in[r] for old in olds for r in old.records if r in self.now_in}
        return [self.current[i] for i in sorted(ids)]


def _holders(states: Mapping[str, EntityState]) -> dict[str, str]:
    """Record id -> id of the entity holding it."""
    return {r: s.entity_id for s in states.values() for r in s.records}


def together(states: list[EntityState]) -> EntityState:
    """Several entities as one (the first's id): blocked where any is, the highest score
    and its band, every contribution key any has (at its largest)."""
    if len(states) == 1:
        return states[0]
    top = max(states, key=lambda s: s.score)
    regimes = {code: max((s.regime(code) for s in states), key=_strength)
               for code in sorted({c for s in states for c in s.regimes})}
    parts: dict[str, float] | None = {}
    for s in states:
        if s.parts is None or parts is None:
            parts = None
            continue
        for key, value in s.parts.items():
            parts[key] = max(value, parts.get(key, value))
    return EntityState(states[0].entity_id, top.name, top.score, top.band, regimes, parts)


def _strength(v: RegimeState) -> tuple[bool, bool, bool]:
    return v.blocked, v.possibly, v.status != "clear"


def _links(runs: _Runs, new: EntityState, olds: list[EntityState]) -> list[Change]:
    """``merged``/``split`` rows: predecessors other than the entity itself."""
    found = []
    for old in olds:
        if old.entity_id != new.entity_id:
            kind: Kind = "split" if old.entity_id in runs.current else "merged"
            found.append(Change(entity_id=new.entity_id, name=new.name, kind=kind,
                                before=old.entity_id, after=new.entity_id))
    return found


def _current_changes(runs: _Runs, new: EntityState, threshold: float) -> list[Change]:
    olds = runs.predecessors(new)
    if not olds:
        return _added(new)
    others = [s for s in runs.successors(olds) if s.entity_id != new.entity_id]

    def still(code: str) -> bool:
        return any(s.regime(code).blocked for s in others)

    return _links(runs, new, olds) + _compared(together(olds), new, threshold, still)


def compare(previous: Mapping[str, EntityState], current: Mapping[str, EntityState],
            rules: AlertRules) -> list[Change]:
    """Every change from ``previous`` to ``current``, ordered by entity id; entities are
    matched by their records, so merges and splits are reported as such."""
    runs = _Runs(previous, current, _holders(previous), _holders(current))
    found: list[Change] = []
    for i in sorted(set(previous) | set(current)):
        if i in current:
            found += _current_changes(runs, current[i], rules.score_move_threshold)
        elif not runs.successors([previous[i]]):
            found.append(_removed(previous[i]))
    return found
