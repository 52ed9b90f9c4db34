"""Stable ids: the store records the ingest that first stored each entity, never moved."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from riskengine.domain import Dataset, Entity
from riskengine.store import IngestRecord, Store

AT = datetime(2026, 11, 1, tzinfo=UTC)


def ingest(store: Store, *ids: str) -> None:
    record = IngestRecord(source="ftm", file="f.json", content_hash="h", published=None,
                          started_at=AT, finished_at=AT, counts={})
    entities = tuple(Entity(id=i, kind="company", name=f"N {i} {len(ids)}") for i in ids)
    store.save_ingest(Dataset(entities=entities), record)


STEPS = [
    ("first ingest", [("b",)], {"b": 1}),
    ("a new record later", [("b",), ("a",)], {"b": 1, "a": 2}),
    ("stored again: unchanged", [("b",), ("a", "b")], {"b": 1, "a": 2}),
    ("one ingest, several records", [("a", "c")], {"a": 1, "c": 1}),
]


@pytest.mark.parametrize(("batches", "expected"), [c[1:] for c in STEPS],
                         ids=[c[0] for c in STEPS])
def test_first_seen_is_set_once(store: Store, batches: list[tuple[str, ...]],
                                expected: dict[str, int]) -> None:
    for batch in batches:
        ingest(store, *batch)
    assert store.first_seen() == expected
    last = batches[-1]
    assert store.entities(last)[last[0]].name == f"N {last[0]} {len(last)}"  # rest updated
