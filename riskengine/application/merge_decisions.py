"""Merge review decisions as they bear on entity resolution: an approved ``merge`` acts as
a forced merge, an approved ``separate`` as a forbidden one (``with_decisions``). Reads the
store only; the queue's use cases are ``riskengine.application.merges``."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, select

from riskengine.store.schema import MergeDecisionRow

if TYPE_CHECKING:
    from riskengine.ingest.merge import MergeRules
    from riskengine.store.store import Store

def pair_id(a: str, b: str) -> str:
    """The queue id of the pair (a, b), whatever their order."""
    first, second = sorted((a, b))
    return "m" + hashlib.sha256(f"{first}\n{second}".encode()).hexdigest()[:10]


def _table() -> Table:
    table = MergeDecisionRow.__table__
    assert isinstance(table, Table)
    return table


def _decisions(store: Store, known_at: datetime | None = None
               ) -> dict[tuple[str, str], dict[str, Any]]:
    """The latest decision row of each pair (as it stood at ``known_at``, when given: rows
    proposed later are left out, and an approval made later is undone)."""
    with store.transaction(write=False) as conn:
        found = conn.execute(select(_table()).order_by(_table().c.id)).mappings()
        rows = [dict(row) for row in found]
    if known_at is not None:
        rows = [_as_known(row, known_at) for row in rows if row["proposed_at"] <= known_at]
    return {(row["a"], row["b"]): row for row in rows}


def _as_known(row: dict[str, Any], known_at: datetime) -> dict[str, Any]:
    approved = row.get("approved_at")
    if row["state"] == "approved" and (approved is None or approved > known_at):
        return {**row, "state": "pending", "approver": None, "approved_at": None}
    return row


def with_decisions(store: Store, rules: MergeRules, known_at: datetime | None = None
                   ) -> MergeRules:
    """``rules`` with approved decisions added: accepted pairs forced, rejected ones
    forbidden (a pair the rule file already decides keeps the file's decision); only those
    approved by ``known_at`` when given (a past run reproduced)."""
    from riskengine.ingest.merge import MergePair

    decided = {frozenset(p.ids) for p in (*rules.force, *rules.forbid)}
    force, forbid = list(rules.force), list(rules.forbid)
    for (a, b), row in sorted(_decisions(store, known_at).items()):
        if row["state"] != "approved" or frozenset((a, b)) in decided:
            continue
        why = (f"review {pair_id(a, b)}: {row['reason']} (proposed by {row['proposer']}, "
               f"approved by {row['approver']})")
        (force if row["decision"] == "merge" else forbid).append(MergePair(ids=(a, b),
                                                                            reason=why))
    return rules.model_copy(update={"force": tuple(force), "forbid": tuple(forbid)})
