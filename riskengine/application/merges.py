"""The review queue of uncertain merges: list, propose a decision, approve it (four eyes).

The queue is what the merge finds uncertain now (``MergeMap.review``: names agree, secondary
facts are too few) plus every pair a decision was made on. An analyst *proposes* a decision
(``accept``: the two records are one party; ``reject``: they are not); it takes effect only
once *approved* by another person: an accepted pair then acts as a forced merge, a rejected
one as a forbidden merge (``with_decisions``, used wherever ``rules/merges.yaml`` is). Each
proposal and approval is written with its audit entry in one transaction; rows are never
deleted. An item's id is ``m`` + the first 10 hex digits of sha256 over its two record ids,
so it stays the same while the facts change.

States: ``pending`` (no decision), ``proposed`` (awaiting approval), ``accepted``,
``rejected`` (approved, in effect).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, update

from riskengine.application import base, service
from riskengine.application.merge_decisions import _decisions, _table, pair_id
from riskengine.errors import InputError, NotFoundError
from riskengine.settings import Settings

if TYPE_CHECKING:
    pass

STATES = ("pending", "proposed", "accepted", "rejected")
_EFFECT = {"merge": "accepted", "separate": "rejected"}


@dataclass(frozen=True)
class Item:
    """One pair in the queue, with its latest decision row (None: pending)."""

    a: str
    b: str
    evidence: str
    decision: dict[str, Any] | None = None

    @property
    def id(self) -> str:
        return pair_id(self.a, self.b)

    @property
    def state(self) -> str:
        row = self.decision
        if row is None:
            return "pending"
        return _EFFECT[row["decision"]] if row["state"] == "approved" else "proposed"


def queue(settings: Settings) -> list[Item]:
    """Uncertain pairs of the current facts, and every pair decided on, by id."""
    _raw, _facts, mm = service.merged_facts(settings, base.load_rules(settings))
    with base.open_store(settings) as store:
        decided = _decisions(store)
    items = {(a, b): Item(a, b, why, decided.get((a, b))) for a, b, why in mm.review}
    for (a, b), row in decided.items():
        items.setdefault((a, b), Item(a, b, row["evidence"], row))
    return sorted(items.values(), key=lambda i: i.id)


def find_item(settings: Settings, item_id: str) -> Item:
    found = [i for i in queue(settings) if i.id == item_id]
    if not found:
        raise NotFoundError(f"no merge review item {item_id!r} (see `entities merges`)")
    return found[0]


def propose(settings: Settings, item_id: str, decision: str, reason: str, actor: str) -> Item:
    """Record ``decision`` ('merge' or 'separate') on a pending item, awaiting approval."""
    from riskengine.store.audit import append_audit

    if not reason.strip():
        raise InputError("--reason", "empty: say why")
    item = find_item(settings, item_id)
    if item.state != "pending":
        raise InputError(item_id, f"already {item.state}: nothing to decide")
    at = base.now()
    row = {"a": item.a, "b": item.b, "decision": decision, "reason": reason,
           "evidence": item.evidence, "proposer": actor, "proposed_at": at,
           "state": "proposed", "approver": None, "approved_at": None}
    with base.open_store(settings) as store, store.transaction(write=True) as conn:
        new_id = conn.execute(insert(_table()), row).inserted_primary_key
        append_audit(conn, actor, f"merge_{'accept' if decision == 'merge' else 'reject'}",
                     {"item": item.id, "decision_id": int(new_id[0]) if new_id else None,
                      "a": item.a, "b": item.b, "reason": reason, "evidence": item.evidence},
                     at)
    return Item(item.a, item.b, item.evidence, row)


def approve(settings: Settings, item_id: str, actor: str) -> Item:
    """Approve the proposed decision on an item: it must be another person than its
    proposer (exit 2 otherwise); the decision then takes effect."""
    from riskengine.store.audit import append_audit

    item = find_item(settings, item_id)
    row = item.decision
    if row is None or item.state != "proposed":
        raise InputError(item_id, f"{item.state}: nothing to approve")
    if row["proposer"] == actor:
        raise InputError(item_id, f"{actor} proposed this decision: another person must "
                                  f"approve it")
    at = base.now()
    with base.open_store(settings) as store, store.transaction(write=True) as conn:
        conn.execute(update(_table()).where(_table().c.id == row["id"])
                     .values(state="approved", approver=actor, approved_at=at))
        append_audit(conn, actor, "merge_approve",
                     {"item": item.id, "decision_id": row["id"], "decision": row["decision"],
                      "a": item.a, "b": item.b, "proposer": row["proposer"]}, at)
    return Item(item.a, item.b, item.evidence, row | {"state": "approved", "approver": actor,
                                                      "approved_at": at})


def item_json(item: Item) -> dict[str, Any]:
    row = item.decision or {}
    return {"id": item.id, "a": item.a, "b": item.b, "state": item.state,
            "evidence": item.evidence, "decision": row.get("decision"),
            "reason": row.get("reason"), "proposer": row.get("proposer"),
            "approver": row.get("approver")}


def item_line(item: Item) -> str:
    row = item.decision
    text = f"{item.id}  {item.state:<8}  {item.a} ~ {item.b}: {item.evidence}"
    if row:
        text += (f" [{row['decision']} proposed by {row['proposer']}: {row['reason']}"
                 + (f"; approved by {row['approver']}" if row.get("approver") else "") + "]")
    return text
