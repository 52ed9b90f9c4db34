"""Overrides of a score (issue #5): pure rules of their state and their effect.

An override is made by one person and takes effect once a *different* person approves it.
It holds a fingerprint of the facts it was based on (the entity's designations in force and
its incoming ownership and control edges); when the facts change it *lapses*. It expires
after its ``expires`` date. No I/O, no clock: dates and fingerprints come in as arguments.

Effects on a ``ScoreResult`` (``apply_overrides``):

* accepted_risk: the score is capped at ``cap`` by an explicit ``override`` contribution
  (negative points), so the contributions still add up to the score; band recomputed.
* manual_status: ``Evidence.kind`` is a closed Literal of the JSON contract, so the regime
  verdict is left as derived; the override shows as a flag and a 0-point contribution.
* false_positive / confirmed: recorded for screening; shown as flags.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from riskengine.domain import Dataset
from riskengine.errors import RiskEngineError
from riskengine.result import Contribution, ScoreResult, Status
from riskengine.ruleset.models import ScoringRules

Kind = Literal["false_positive", "confirmed", "accepted_risk", "manual_status"]
Stored = Literal["pending", "approved", "revoked"]
Shown = Literal["pending", "active", "expired", "lapsed", "revoked"]
KINDS: tuple[Kind, ...] = ("false_positive", "confirmed", "accepted_risk", "manual_status")


class OverrideError(RiskEngineError):
    """An override cannot be made, approved or revoked as asked: exit code 2."""

    exit_code = 2


class Override(BaseModel):
    """One override as stored: ``state`` is what people did; ``status_of`` what it means."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: int | None = None
    entity_id: str
    kind: Kind
    reason: str
    expires: date
    cap: float | None = None
    regime: str | None = None
    manual_status: Status | None = None
    author: str
    created_at: datetime
    fingerprint: str
    state: Stored = "pending"
    approver: str | None = None
    approved_at: datetime | None = None
    revoked_by: str | None = None
    revoked_at: datetime | None = None
    revoke_reason: str | None = None


def fingerprint(facts: Dataset, entity_id: str, as_of: date) -> str:
    """sha256 over the entity's designations in force and its incoming ownership and control
    edges in force on ``as_of`` (ids; designations with regime, measure and program)."""
    listed = sorted([d.id, d.regime, d.measure, d.program or ""] for d in facts.designations
                    if d.entity_id == entity_id and d.active(as_of))
    owners = sorted(o.id for o in facts.ownerships if o.asset == entity_id and o.active(as_of))
    controls = sorted(c.id for c in facts.controls
                      if c.controlled == entity_id and c.active(as_of))
    body = {"designations": listed, "ownerships": owners, "controls": controls}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def problem(o: Override) -> str | None:
    """Why a new override is malformed (options that do not fit its kind), or None."""
    if o.kind == "accepted_risk" and (o.cap is None or not 0 <= o.cap <= 100):
        return "--kind accepted_risk needs --cap N between 0 and 100"
    if o.kind != "accepted_risk" and o.cap is not None:
        return "--cap is only for --kind accepted_risk"
    if o.kind == "manual_status" and (o.regime is None or o.manual_status is None):
        return "--kind manual_status needs --regime and --status"
    if o.kind != "manual_status" and (o.regime is not None or o.manual_status is not None):
        return "--regime and --status are only for --kind manual_status"
    return None


def check_approval(o: Override, actor: str) -> None:
    """OverrideError unless ``actor`` may approve ``o`` now (four eyes, pending only)."""
    if o.state != "pending":
        raise OverrideError(f"override #{o.id} is {o.state}: only pending ones can be approved")
    if actor == o.author:
        raise OverrideError(f"override #{o.id} was made by {actor}: another person must "
                            f"approve it")


def check_revoke(o: Override) -> None:
    """OverrideError when ``o`` is already revoked."""
    if o.state == "revoked":
        raise OverrideError(f"override #{o.id} is already revoked")


def status_of(o: Override, as_of: date, current: str) -> Shown:
    """pending, revoked, expired (after ``expires``), lapsed (facts changed) or active."""
    if o.state != "approved":
        return o.state
    if as_of > o.expires:
        return "expired"
    return "lapsed" if o.fingerprint != current else "active"


def label(o: Override) -> str:
    """'#3 (accepted_risk, cap 40)' and the like."""
    extra = {"accepted_risk": f", cap {o.cap:g}" if o.cap is not None else "",
             "manual_status": f", {o.regime} {o.manual_status}"}.get(o.kind, "")
    return f"#{o.id} ({o.kind}{extra})"


def applied_flag(o: Override) -> str:
    """'override #3 (accepted_risk, cap 40) by alice, approved by bob, until ...: reason'."""
    return (f"override {label(o)} by {o.author}, approved by {o.approver}, until "
            f"{o.expires.isoformat()}: {o.reason}")


def apply_overrides(result: ScoreResult, overrides: Iterable[Override], as_of: date,
                    current_fingerprint: str, scoring: ScoringRules) -> ScoreResult:
    """``result`` with the entity's active overrides applied (in id order) and flags for
    every applied, lapsed or expired one; other entities' overrides are ignored."""
    mine = sorted((o for o in overrides if o.entity_id == result.entity.id),
                  key=lambda o: o.id or 0)
    for o in mine:
        shown = status_of(o, as_of, current_fingerprint)
        if shown == "active":
            result = _apply(result, o, scoring)
        elif shown in ("lapsed", "expired"):
            result = _flagged(result, _not_applied(o, shown))
    return result


def _not_applied(o: Override, shown: str) -> str:
    if shown == "lapsed":
        return f"override #{o.id} lapsed: facts changed since it was made"
    return f"override #{o.id} expired on {o.expires.isoformat()}"


def _flagged(result: ScoreResult, flag: str) -> ScoreResult:
    return result.model_copy(update={"flags": (*result.flags, flag)})


def _apply(result: ScoreResult, o: Override, scoring: ScoringRules) -> ScoreResult:
    if o.kind == "accepted_risk" and o.cap is not None and result.score > o.cap:
        result = _capped(result, o, o.cap, scoring)
    elif o.kind == "manual_status":
        note = f"{applied_flag(o)} (manual status {o.manual_status}; verdict left as derived)"
        result = _with_part(result, Contribution(factor="override", points=0.0, detail=note,
                                                 regime=o.regime), scoring)
    return _flagged(result, applied_flag(o))


def _capped(result: ScoreResult, o: Override, cap: float, scoring: ScoringRules
            ) -> ScoreResult:
    detail = f"{applied_flag(o)}; caps the score at {cap:g}"
    part = Contribution(factor="override", points=round(cap - result.score, 2), detail=detail)
    return _with_part(result, part, scoring)


def _with_part(result: ScoreResult, part: Contribution, scoring: ScoringRules) -> ScoreResult:
    """Add a contribution; score is the rounded sum again and the band follows it."""
    parts = (*result.contributions, part)
    score = round(sum(c.points for c in parts), 2)
    blocked = any(v.blocked for v in result.regimes.values())
    return result.model_copy(update={"contributions": parts, "score": score,
                                     "band": scoring.band(score, blocked)})
