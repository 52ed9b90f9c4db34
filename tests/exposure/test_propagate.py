"""Propagation on hand-checked graphs: decay, depth, blocked intermediaries, hubs, cycles."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest

from riskengine.exposure.propagate import propagate
from riskengine.exposure.weights import exposure_edges, pass_factor, seeds
from tests.exposure.helpers import arrays, dataset, graph, rules


def _officers(*chain: str) -> list[tuple[str, str, str]]:
    return [(a, b, "officer") for a, b in pairwise(chain)]


def _hub(n_others: int) -> list[tuple[str, str, str]]:
    return [*_officers("x", "h", "k"), *(("h", f"z{i}", "officer") for i in range(n_others))]


def strengths(relations: list[tuple[str, str, str]], listed: list[str],
              possibly: tuple[str, ...] = (), **changes: Any) -> dict[tuple[str, str], float]:
    """s(x, b) keyed by entity ids, for regime us."""
    ids = sorted({e for r in relations for e in r[:2]})
    g = graph(dataset(ids, relations=relations, listings=[(k, "us") for k in listed]))
    scoring = rules(**changes)
    reach = propagate(exposure_edges(g, scoring, "us"), g.n,
                      seeds(arrays(g, "us", possibly=possibly), scoring),
                      pass_factor(g, scoring), scoring.max_depth, scoring.min_strength)
    return {(g.ids[x], g.ids[b]): s for x, b, s in
            zip(reach.node.tolist(), reach.seed.tolist(), reach.strength.tolist(), strict=True)}


# (case id, relations, listed, possibly, rule changes, expected s(x, b) for all pairs kept)
CASES: list[tuple[str, list[tuple[str, str, str]], list[str], tuple[str, ...], dict[str, Any],
                  dict[tuple[str, str], Any]]] = [
    ("decay per hop", _officers("x", "a", "b", "k"), ["k"], (), {},
     {("b", "k"): 1.0, ("a", "k"): 0.5, ("x", "k"): 0.25}),
    ("decay from the rules", _officers("x", "a", "b", "k"), ["k"], (), {"decay": 0.8},
     {("b", "k"): 1.0, ("a", "k"): 0.8, ("x", "k"): pytest.approx(0.64)}),
    ("max depth honoured", _officers("x", "a", "b", "k"), ["k"], (), {"max_depth": 2},
     {("b", "k"): 1.0, ("a", "k"): 0.5}),
    ("min strength prunes", _officers("x", "a", "b", "k"), ["k"], (), {"min_strength": 0.3},
     {("b", "k"): 1.0, ("a", "k"): 0.5}),
    ("a path stops at the first blocked party", _officers("x", "k1", "k2"), ["k1", "k2"], (),
     {}, {("x", "k1"): 1.0, ("k1", "k2"): 1.0, ("k2", "k1"): 1.0}),
    ("possibly blocked seeds pass on less", _officers("x", "a", "p"), [], ("p",), {},
     {("a", "p"): 0.8, ("x", "p"): 0.4}),
    ("possibly blocked parties stop paths too", _officers("x", "p", "k"), ["k"], ("p",), {},
     {("x", "p"): 0.8, ("p", "k"): 1.0, ("k", "p"): 0.8}),
    ("a cycle does not help", [*_officers("x", "a", "k"), *_officers("x", "b", "a")], ["k"],
     (), {}, {("a", "k"): 1.0, ("x", "k"): 0.5, ("b", "k"): 0.5}),
]


@pytest.mark.parametrize(("relations", "listed", "possibly", "changes", "expected"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_propagation(relations: list[tuple[str, str, str]], listed: list[str],
                     possibly: tuple[str, ...], changes: dict[str, Any],
                     expected: dict[tuple[str, str], Any]) -> None:
    assert strengths(relations, listed, possibly, **changes) == expected


@pytest.mark.parametrize(("others", "expected"), [(0, 0.5), (6, 0.5), (30, 0.5 * 0.5)])
def test_hub_damping_reduces_pass_through(others: int, expected: float) -> None:
    # h has others + 2 neighbours; reference degree 8, exponent 0.5: 32 neighbours halve it
    assert strengths(_hub(others), ["k"])[("x", "k")] == pytest.approx(expected)


def test_hub_damping_spares_the_hub_itself() -> None:
    assert strengths(_hub(30), ["k"])[("h", "k")] == 1.0


def test_no_seeds_no_exposure() -> None:
    assert strengths(_officers("x", "a", "b"), []) == {}
