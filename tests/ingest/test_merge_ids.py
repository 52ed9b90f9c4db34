"""Stable entity ids: a cluster keeps its scenario id, else its earliest-seen record's id."""

from __future__ import annotations

import itertools

import pytest

from riskengine.domain import Dataset, Entity, Identifier
from riskengine.ingest.merge import MergeRules, merge_dataset

INN = (Identifier(scheme="inn", value="1650032058"),)


def ent(key: str) -> Entity:
    return Entity(id=key, name=f"N {key}", kind="company", identifiers=INN)


def reference(ids: tuple[str, ...], prefer: frozenset[str], ranks: dict[str, int]) -> str:
    """The rule spelled out: the smallest preferred id; else the smallest id among the
    records with the lowest rank (unranked: after every ranked one)."""
    if prefer & set(ids):
        return sorted(prefer & set(ids))[0]
    ranked = [ranks[i] for i in ids if i in ranks]
    if not ranked:
        return min(ids)
    return min(i for i in ids if ranks.get(i) == min(ranked))


CASES = [
    ("earliest seen wins over a smaller id", ("uk:RUS1", "ofac:9"), frozenset(),
     {"ofac:9": 2, "uk:RUS1": 1}, "uk:RUS1"),
    ("ties by id", ("uk:RUS1", "ofac:9"), frozenset(), {"ofac:9": 1, "uk:RUS1": 1}, "ofac:9"),
    ("before stable ids (rank 0) ties by id", ("b", "a"), frozenset(), {"a": 0, "b": 0}, "a"),
    ("unranked counts as the newest", ("a", "b"), frozenset(), {"b": 5}, "b"),
    ("no ranks at all: the smallest id", ("b", "a"), frozenset(), {}, "a"),
    ("the scenario id wins over ranks", ("kamaz", "ofac:1"), frozenset({"kamaz"}),
     {"ofac:1": 1}, "kamaz"),
]


@pytest.mark.parametrize(("ids", "prefer", "ranks", "expected"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_canonical_id(ids: tuple[str, ...], prefer: frozenset[str], ranks: dict[str, int],
                      expected: str) -> None:
    assert reference(ids, prefer, ranks) == expected
    for order in itertools.permutations(ids):
        merged, mm = merge_dataset(Dataset(entities=tuple(ent(i) for i in order)),
                                   MergeRules(), prefer, ranks)
        assert [e.id for e in merged.entities] == [expected]
        assert {mm.resolve(i) for i in ids} == {expected}


def test_every_small_cluster_matches_the_reference() -> None:
    ids = ("a", "b", "c")
    for ranks in itertools.product((None, 0, 1, 2), repeat=3):
        given = {i: r for i, r in zip(ids, ranks, strict=True) if r is not None}
        merged, _mm = merge_dataset(Dataset(entities=tuple(ent(i) for i in ids)),
                                    MergeRules(), frozenset(), given)
        assert [e.id for e in merged.entities] == [reference(ids, frozenset(), given)]


def test_a_record_stored_later_never_renames_the_entity() -> None:
    ranks = {"un:5": 1, "uk:RUS9": 1}
    first, _ = merge_dataset(Dataset(entities=(ent("un:5"), ent("uk:RUS9"))), MergeRules(),
                             frozenset(), ranks)
    later, _ = merge_dataset(Dataset(entities=(ent("un:5"), ent("uk:RUS9"), ent("ca:1"))),
                             MergeRules(), frozenset(), ranks | {"ca:1": 2})
    assert [e.id for e in first.entities] == [e.id for e in later.entities] == ["uk:RUS9"]
