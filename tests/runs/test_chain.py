"""The audit hash chain: intact, edited, deleted, reordered."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from riskengine.runs.chain import GENESIS, Entry, entry_hash, first_break

AT = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def chain(n: int) -> list[Entry]:
    entries, prev = [], GENESIS
    for i in range(1, n + 1):
        details, hashes = {"n": i}, {"rules": "abc"}
        digest = entry_hash(i, AT, "ana", "score", (details, hashes), prev)
        entries.append(Entry(i, AT, "ana", "score", details, hashes, prev, digest))
        prev = digest
    return entries


def edited(entries: list[Entry], i: int, **change: object) -> list[Entry]:
    return [dataclasses.replace(e, **change) if e.id == i else e  # type: ignore[arg-type]
            for e in entries]


CASES = [
    ("intact", chain(4), None),
    ("empty", [], None),
    ("details edited", edited(chain(4), 2, details={"n": 99}), "entry 2: content"),
    ("actor edited", edited(chain(4), 3, actor="eve"), "entry 3: content"),
    ("hash recomputed after edit", edited(chain(4), 2, hash="f" * 64), "entry 2: content"),
    ("middle deleted", [e for e in chain(4) if e.id != 2], "entry 2 is missing"),
    ("first deleted", chain(4)[1:], "entry 1 is missing"),
    ("prev link forged", edited(chain(4), 3, prev_hash="0" * 64), "entry 3: previous-hash"),
]


@pytest.mark.parametrize(("entries", "expected"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_first_break(entries: list[Entry], expected: str | None) -> None:
    found = first_break(entries)
    if expected is None:
        assert found is None
    else:
        assert found is not None and found.startswith(expected)


def test_hash_depends_on_every_field() -> None:
    base = entry_hash(1, AT, "a", "x", ({"k": 1}, {}), GENESIS)
    others = [entry_hash(2, AT, "a", "x", ({"k": 1}, {}), GENESIS),
              entry_hash(1, AT.replace(second=1), "a", "x", ({"k": 1}, {}), GENESIS),
              entry_hash(1, AT, "b", "x", ({"k": 1}, {}), GENESIS),
              entry_hash(1, AT, "a", "y", ({"k": 1}, {}), GENESIS),
              entry_hash(1, AT, "a", "x", ({"k": 2}, {}), GENESIS),
              entry_hash(1, AT, "a", "x", ({"k": 1}, {"r": "1"}), GENESIS),
              entry_hash(1, AT, "a", "x", ({"k": 1}, {}), "1" * 64)]
    assert base not in others
    assert len(set(others)) == len(others)
