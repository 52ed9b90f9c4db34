"""Entities of a compiled graph read in one batch (``Lazy.many``, ``graph.read_many``) equal
the same entities read one by one (the reference), merged entities and scenario entities
included; a what-if graph's joined entities too."""

from __future__ import annotations

from riskengine.application import service
from riskengine.compiled.facts import Lazy
from riskengine.compiled.whatif import Joined
from riskengine.graph import read_many
from riskengine.settings import Settings


def test_lazy_many_makes_the_missing_items_in_one_call() -> None:
    calls: list[list[int]] = []

    def many(at: list[int]) -> list[str]:
        calls.append(at)
        return [f"item {k}" for k in at]

    items = Lazy(10, lambda k: f"item {k}", many)
    assert items[3] == "item 3"
    assert items.many([7, 3, 1, 7]) == ["item 7", "item 3", "item 1", "item 7"]
    assert calls == [[1, 7]]  # 3 was made already; 7 asked twice, made once
    assert read_many(items, [9, 0]) == ["item 9", "item 0"] and calls[-1] == [0, 9]
    assert read_many(["a", "b", "c"], [2, 0]) == ["c", "a"]  # a plain sequence, one by one


def test_batched_entities_equal_entities_read_one_by_one(settings: Settings) -> None:
    with service.compiled_graph(settings) as (loaded, _rules, _store):
        n = len(loaded.facts.ids)
        merged = [loaded.facts.index[e] for e in loaded.facts.clusters()]
        at = sorted({*range(0, n, max(1, n // 40)), *merged})
        assert merged and len(at) > 10  # the fixture store merges records
        batched = read_many(loaded.facts.entities, at)
    with service.compiled_graph(settings) as (fresh, _rules, _store):
        one_by_one = [fresh.facts.entities[i] for i in at]
        joined = Joined(fresh.facts.entities, ["extra"])
        assert joined.many([at[1], n, at[0]]) == [one_by_one[1], "extra", one_by_one[0]]
    assert batched == one_by_one
