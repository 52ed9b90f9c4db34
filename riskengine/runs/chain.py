"""The audit log's hash chain: each entry's hash covers its content and the previous hash.

``entry_hash`` = sha256 of the canonical JSON of (id, at, actor, action, details, hashes,
prev_hash). The first entry's ``prev_hash`` is ``GENESIS``. Including the id makes a deleted
entry visible as a gap even if the next entry's ``prev_hash`` were forged.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


@dataclass(frozen=True)
class Entry:
    """One audit entry as stored."""

    id: int
    at: datetime
    actor: str
    action: str
    details: Mapping[str, Any]
    hashes: Mapping[str, Any]
    prev_hash: str
    hash: str


def canonical(value: object) -> str:
    """JSON with sorted keys and no spaces: the same bytes for the same content."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def entry_hash(entry_id: int, at: datetime, actor: str, action: str,
               content: tuple[Mapping[str, Any], Mapping[str, Any]], prev_hash: str) -> str:
    """The hash of an entry; ``content`` is (details, hashes)."""
    details, hashes = content
    body = {"id": entry_id, "at": at.astimezone(UTC).isoformat(), "actor": actor,
            "action": action, "details": details, "hashes": hashes, "prev": prev_hash}
    return hashlib.sha256(canonical(body).encode()).hexdigest()


def _problem(entry: Entry, expected_id: int, prev: str) -> str | None:
    if entry.id != expected_id:
        return f"entry {expected_id} is missing (next entry is {entry.id})"
    if entry.prev_hash != prev:
        return f"entry {entry.id}: previous-hash link broken (an earlier entry was changed)"
    again = entry_hash(entry.id, entry.at, entry.actor, entry.action,
                       (entry.details, entry.hashes), entry.prev_hash)
    if again != entry.hash:
        return f"entry {entry.id}: content does not match its hash (edited)"
    return None


def first_break(entries: Iterable[Entry]) -> str | None:
    """A one-line description of the first broken entry (ids from 1, in order), or None."""
    prev, expected = GENESIS, 1
    for entry in entries:
        problem = _problem(entry, expected, prev)
        if problem:
            return problem
        prev, expected = entry.hash, entry.id + 1
    return None
