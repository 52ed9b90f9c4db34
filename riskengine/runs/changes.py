"""What changed between two rescoring runs: the alerts a scheduler acts on.

Kinds of change, per entity:

* ``newly_blocked`` / ``unblocked``: blocked under a regime in one run and not the other;
* ``band``: the band moved;
* ``score``: the score moved by at least ``AlertRules.score_move_threshold`` points;
* ``new_evidence``: a kind of contribution the entity did not have before (exposure under a
  regime, a possible block, a non-blocking listing: ``factor:regime`` of the stored parts),
  whatever its size; runs stored without parts are not compared this way;
* ``added`` / ``removed``: the entity is in only one of the two runs (``added`` entities
  that are blocked also get a ``newly_blocked`` change per regime).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from riskengine.runs.table import EntityState

Kind = Literal["newly_blocked", "unblocked", "band", "score", "new_evidence", "added",
               "removed"]
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


def _regime_changes(old: EntityState, new: EntityState) -> list[Change]:
    found = []
    for code in sorted(set(old.regimes) | set(new.regimes)):
        was, now = old.regime(code), new.regime(code)
        if was.blocked != now.blocked:
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
    """Changes of one entity (``None``: not in that run)."""
    if new is None:
        assert old is not None
        return [Change(entity_id=old.entity_id, name=old.name, kind="removed",
                       before=f"{old.score:g} {old.band}")]
    if old is None:
        blank = EntityState(new.entity_id, new.name, 0.0, "")
        added = Change(entity_id=new.entity_id, name=new.name, kind="added",
                       after=f"{new.score:g} {new.band}")
        return [added, *_regime_changes(blank, new)]
    return _regime_changes(old, new) + _moves(old, new, threshold) + _new_evidence(old, new)


def compare(previous: Mapping[str, EntityState], current: Mapping[str, EntityState],
            rules: AlertRules) -> list[Change]:
    """Every change from ``previous`` to ``current`` (by entity id), ordered by entity id."""
    ids = sorted(set(previous) | set(current))
    return [c for i in ids
            for c in entity_changes(previous.get(i), current.get(i), rules.score_move_threshold)]
