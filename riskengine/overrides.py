"""Overrides of a score (issue #5): pure rules of their state and their effect.

An override is made by one person and takes effect once a *different* person approves it.
It holds a fingerprint of the facts it was based on (the entity's designations in force and
its incoming ownership and control edges); when the facts change it *lapses*. It expires
after its ``expires`` date. No I/O, no clock: dates and fingerprints come in as arguments.

Effects on a ``ScoreResult`` (``apply_overrides``):

* accepted_risk: the score is capped at ``cap`` by an explicit ``override`` contribution
  (negative points), so the contributions still add up to the score; band recomputed.
* manual_status: the entity's verdict under ``regime`` is set to ``manual_status`` before
  scoring (``force_verdicts``), so the blocked contribution, the band and the exposure of its
  partners all follow it; the verdict shows a ``manual_status`` evidence line first and the
  derived evidence after it (``override_verdict``). Entities it owns or controls are not
  re-derived from it: an analyst who extends the finding to them records overrides for them.
* false_positive / confirmed: decisions on a screening match of ``counterparty`` (the name
  or input id screened); ``screen`` applies them (``screening_decision``); shown as flags.

Overrides are read "as known at" a time (``known_at``): a past run is reproduced with the
approvals and revocations made by then, not the ones made since.

An override whose stored row differs from its latest audit entry (``store.overrides``: a cap
lowered or an approver changed with SQL) is read back ``tampered``: never in force, and
flagged where it would have applied.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import date, datetime
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from riskengine.derive.base import RegimeArrays
from riskengine.domain import Dataset
from riskengine.errors import RiskEngineError
from riskengine.exposure import factors
from riskengine.exposure.score import ScoreTable
from riskengine.result import (
    Contribution,
    DistantOverride,
    EntityRef,
    Evidence,
    RegimeVerdict,
    ScoreResult,
    Status,
)
from riskengine.ruleset.models import ScoringRules

Kind = Literal["false_positive", "confirmed", "accepted_risk", "manual_status"]
Stored = Literal["pending", "approved", "revoked"]
Shown = Literal["pending", "active", "expired", "lapsed", "revoked", "tampered"]
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
    counterparty: str | None = None
    author: str
    created_at: datetime
    fingerprint: str
    state: Stored = "pending"
    approver: str | None = None
    approved_at: datetime | None = None
    revoked_by: str | None = None
    revoked_at: datetime | None = None
    revoke_reason: str | None = None
    # Set when read: the stored row differs from its latest audit entry (edited outside
    # riskengine, ``store.overrides``). Never stored, never dumped.
    tampered: bool = Field(default=False, exclude=True)


def content(o: Override) -> dict[str, Any]:
    """What an override's audit entries record of it: every stored field, JSON-ready."""
    return o.model_dump(mode="json", exclude_none=True)


def fingerprint(facts: Dataset, entity_id: str, as_of: date) -> str:
    """sha256 over the entity's designations in force and its incoming ownership and control
    edges in force on ``as_of`` (ids; designations with regime, measure and program)."""
    return fingerprints(facts, [entity_id], as_of)[entity_id]


def fingerprints(facts: Dataset, entity_ids: Iterable[str], as_of: date) -> dict[str, str]:
    """``fingerprint`` of each of ``entity_ids``, in one pass over the facts."""
    body: dict[str, dict[str, list[Any]]] = {
        e: {"designations": [], "ownerships": [], "controls": []} for e in entity_ids}
    for d in facts.designations:
        if d.entity_id in body and d.active(as_of):
            body[d.entity_id]["designations"].append([d.id, d.regime, d.measure, d.program or ""])
    for o in facts.ownerships:
        if o.asset in body and o.active(as_of):
            body[o.asset]["ownerships"].append(o.id)
    for c in facts.controls:
        if c.controlled in body and c.active(as_of):
            body[c.controlled]["controls"].append(c.id)
    return {e: _digest({k: sorted(v) for k, v in parts.items()}) for e, parts in body.items()}


def _digest(body: dict[str, list[Any]]) -> str:
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
    return _counterparty_problem(o)


def _counterparty_problem(o: Override) -> str | None:
    screening = o.kind in ("false_positive", "confirmed")
    if screening and not (o.counterparty or "").strip():
        return f"--kind {o.kind} needs --counterparty (the name or input id screened)"
    if not screening and o.counterparty is not None:
        return "--counterparty is only for --kind false_positive and confirmed"
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
    """tampered (row differs from its audit entry), pending, revoked, expired (after
    ``expires``), lapsed (facts changed) or active."""
    if o.tampered:
        return "tampered"
    if o.state != "approved":
        return o.state
    if as_of > o.expires:
        return "expired"
    return "lapsed" if o.fingerprint != current else "active"


def state_at(o: Override, at: datetime) -> Stored:
    """What people had done with ``o`` by ``at``: revoked, approved or still pending."""
    if o.revoked_at is not None and o.revoked_at <= at:
        return "revoked"
    if o.approved_at is not None and o.approved_at <= at:
        return "approved"
    return "pending"


def known_at(overrides: Iterable[Override], at: datetime) -> list[Override]:
    """The overrides made by ``at``, each as it stood then (later steps undone)."""
    found = []
    for o in overrides:
        if o.created_at > at:
            continue
        state = state_at(o, at)
        undo: dict[str, object] = {"state": state}
        if state != "revoked":
            undo |= {"revoked_by": None, "revoked_at": None, "revoke_reason": None}
        if state == "pending":
            undo |= {"approver": None, "approved_at": None}
        found.append(o.model_copy(update=undo))
    return found


def in_force(overrides: Iterable[Override], as_of: date, prints: Mapping[str, str]
             ) -> list[Override]:
    """The active overrides (approved, not expired, facts unchanged), in id order.
    ``prints``: the current facts fingerprint of each overridden entity."""
    return sorted((o for o in overrides
                   if status_of(o, as_of, prints.get(o.entity_id, "")) == "active"),
                  key=lambda o: o.id or 0)


def manual(overrides: Iterable[Override]) -> dict[tuple[str, str], Override]:
    """The manual_status overrides by (entity id, regime); the latest id wins."""
    return {(o.entity_id, o.regime or ""): o for o in sorted(overrides, key=lambda o: o.id or 0)
            if o.kind == "manual_status"}


def force_verdicts(verdicts: Mapping[str, RegimeArrays], index: Mapping[str, int],
                   overrides: Iterable[Override]) -> dict[str, RegimeArrays]:
    """``verdicts`` with each active manual status set on its entity and regime (copies;
    overrides of entities or regimes not in the evaluation are ignored)."""
    forced = dict(verdicts)
    for (entity_id, regime), o in manual(overrides).items():
        if entity_id in index and regime in forced:
            forced[regime] = _forced(forced[regime], index[entity_id], o.manual_status)
    return forced


def _forced(v: RegimeArrays, i: int, status: str | None) -> RegimeArrays:
    arrays = [np.array(a, copy=True) for a in (v.listed, v.owned, v.controlled, v.possibly)]
    for a, name in zip(arrays[:3], ("listed", "owned", "controlled"), strict=True):
        a[i] = status == name
    arrays[3][i] = status not in (None, "clear")
    return replace(v, listed=arrays[0], owned=arrays[1], controlled=arrays[2],
                   possibly=arrays[3])  # other results (export-control tests) kept


def cap_table(table: ScoreTable, active: Iterable[Override], index: Mapping[str, int],
              scoring: ScoringRules) -> ScoreTable:
    """``table`` with each active accepted_risk cap applied (an ``override`` part of negative
    cents, as ``apply_overrides`` does for one result); band recomputed."""
    caps: dict[int, float] = {}
    for o in active:
        if o.kind == "accepted_risk" and o.cap is not None and o.entity_id in index:
            caps[index[o.entity_id]] = min(caps.get(index[o.entity_id], 100.0), o.cap)
    cut = np.zeros(len(table.ids), dtype=np.int64)
    for i, cap in caps.items():
        cut[i] = min(0, int(factors.to_cents(cap)) - int(factors.to_cents(table.score[i])))
    if not cut.any():
        return table
    score = np.asarray(table.score + cut / 100.0, dtype=np.float64).round(2)
    band = factors.band_index(scoring, score, table.blocked_any)
    parts = table.parts | {"override": cut}
    return ScoreTable(table.ids, score, table.blocked_any, band, table.band_names, parts)


def override_verdict(derived: RegimeVerdict, o: Override) -> RegimeVerdict:
    """The verdict an active manual status gives: the override's evidence first, then the
    derived evidence (kept for review)."""
    status = o.manual_status or "clear"
    was = derived.status + (" (possibly blocked)" if derived.possibly_blocked
                            and not derived.blocked else "")
    note = Evidence(kind="manual_status",
                    detail=f"{applied_flag(o)}; derived verdict was {was}")
    return RegimeVerdict(status=status, blocked=status != "clear",
                         possibly_blocked=status != "clear",
                         evidence=(note, *derived.evidence))


def screening_decision(active: Iterable[Override], entity_id: str, keys: Iterable[str],
                       fold: Callable[[str], str]) -> Override | None:
    """The latest active false_positive/confirmed override of ``entity_id`` whose
    counterparty, folded, is one of ``keys`` (the screened name and input id, folded), or
    None."""
    wanted = set(keys)
    found = [o for o in active if o.entity_id == entity_id and o.kind in (
        "false_positive", "confirmed") and fold(o.counterparty or "") in wanted]
    return max(found, key=lambda o: o.id or 0) if found else None


def label(o: Override) -> str:
    """'#3 (accepted_risk, cap 40)' and the like."""
    extra = {"accepted_risk": f", cap {o.cap:g}" if o.cap is not None else "",
             "manual_status": f", {o.regime} {o.manual_status}"}.get(o.kind, "")
    return f"#{o.id} ({o.kind}{extra})"


def distant_override(o: Override, entity_name: str, without: float, with_: float
                     ) -> DistantOverride:
    """How override ``o`` on another entity changed a score: 'override #3 (manual_status us
    clear on KAMAZ PJSC) changed this score: 85.1 with it, 95 without'."""
    what = f"{o.kind} {o.regime} {o.manual_status}" if o.kind == "manual_status" else o.kind
    detail = (f"override #{o.id} ({what} on {entity_name}) changed this score: {with_:g} "
              f"with it, {without:g} without; approved by {o.approver}, until "
              f"{o.expires.isoformat()}: {o.reason}")
    return DistantOverride(override=o.id, entity=EntityRef(id=o.entity_id, name=entity_name),
                           detail=detail, score_without=without)


def applied_flag(o: Override) -> str:
    """'override #3 (accepted_risk, cap 40) by alice, approved by bob, until ...: reason'."""
    return (f"override {label(o)} by {o.author}, approved by {o.approver}, until "
            f"{o.expires.isoformat()}: {o.reason}")


def apply_overrides(result: ScoreResult, overrides: Iterable[Override], as_of: date,
                    current_fingerprint: str, scoring: ScoringRules) -> ScoreResult:
    """``result`` with the entity's active overrides applied (in id order) and flags for
    every applied, lapsed, expired or tampered one (a tampered one is never applied);
    other entities' overrides are ignored."""
    mine = sorted((o for o in overrides if o.entity_id == result.entity.id),
                  key=lambda o: o.id or 0)
    for o in mine:
        shown = status_of(o, as_of, current_fingerprint)
        if shown == "active":
            result = _apply(result, o, scoring)
        elif shown in ("lapsed", "expired", "tampered"):
            result = _flagged(result, _not_applied(o, shown))
    return result


def _not_applied(o: Override, shown: str) -> str:
    if shown == "tampered":
        return (f"override #{o.id} not applied: its stored row does not match its audit "
                f"entry (edited outside riskengine; see `riskengine audit verify`)")
    if shown == "lapsed":
        return f"override #{o.id} lapsed: facts changed since it was made"
    return f"override #{o.id} expired on {o.expires.isoformat()}"


def _flagged(result: ScoreResult, flag: str) -> ScoreResult:
    return result.model_copy(update={"flags": (*result.flags, flag)})


def _apply(result: ScoreResult, o: Override, scoring: ScoringRules) -> ScoreResult:
    if o.kind == "accepted_risk" and o.cap is not None and result.score > o.cap:
        result = _capped(result, o, o.cap, scoring)
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
