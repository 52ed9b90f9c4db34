"""Exposure edge weights, hub damping and seeds, from small hand-checked graphs."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pytest

from riskengine.exposure.weights import (
    CONTROLLED_BY,
    CONTROLS,
    OWNED_BY,
    OWNS,
    RELATION,
    damping,
    degree,
    exposure_edges,
    pass_factor,
    seeds,
)
from riskengine.ruleset.models import ControlWeights
from tests.exposure.helpers import arrays, dataset, graph, rules

# (case id, dataset keyword arguments, regime, rule changes,
#  expected {(target, source): (weight, role)})
EDGE_CASES: list[tuple[str, dict[str, Any], str, dict[str, Any],
                       dict[tuple[str, str], tuple[float, int]]]] = [
    ("exact share", {"owns": [("o", "a", 40.0)]}, "us", {},
     {("a", "o"): (0.4, OWNED_BY), ("o", "a"): (0.2, OWNS)}),
    ("share range: midpoint", {"owns": [("o", "a", (20.0, 30.0))]}, "us", {},
     {("a", "o"): (0.25, OWNED_BY), ("o", "a"): (0.125, OWNS)}),
    ("unknown share: assumed", {"owns": [("o", "a", None)]}, "us", {},
     {("a", "o"): (0.25, OWNED_BY), ("o", "a"): (0.125, OWNS)}),
    ("control of a configured kind", {"controls": [("o", "a", "board_appointment")]}, "us", {},
     {("a", "o"): (0.6, CONTROLLED_BY), ("o", "a"): (0.4, CONTROLS)}),
    ("control of a kind not configured", {"controls": [("o", "a", "management")]}, "us", {},
     {("o", "a"): (0.4, CONTROLS)}),
    ("active relationship, both ways", {"relations": [("o", "a", "technology_licence")]}, "us",
     {}, {("a", "o"): (0.6, RELATION), ("o", "a"): (0.6, RELATION)}),
    ("prospective relationship",
     {"relations": [("o", "a", "technology_licence", "prospective")]}, "us", {},
     {("a", "o"): (0.24, RELATION), ("o", "a"): (0.24, RELATION)}),
    ("ended 4 years ago: two half-lives",
     {"relations": [("o", "a", "technology_licence", "ended", date(2020, 1, 1))]}, "us", {},
     {("a", "o"): (0.045, RELATION), ("o", "a"): (0.045, RELATION)}),
    ("ended, end date unknown",
     {"relations": [("o", "a", "technology_licence", "ended")]}, "us", {},
     {("a", "o"): (0.18, RELATION), ("o", "a"): (0.18, RELATION)}),
    ("regime override of a relationship weight",
     {"relations": [("o", "a", "joint_venture")]}, "eu", {},
     {("a", "o"): (0.4, RELATION), ("o", "a"): (0.4, RELATION)}),
    ("relationship kind not configured", {"relations": [("o", "a", "financing")]}, "us", {},
     {}),
    ("parallel facts: the strongest wins",
     {"owns": [("o", "a", 30.0)], "controls": [("o", "a", "dominant_influence")]}, "us", {},
     {("a", "o"): (0.9, CONTROLLED_BY), ("o", "a"): (0.4, CONTROLS)}),
    ("self-ownership ignored", {"owns": [("a", "a", 10.0)]}, "us", {}, {}),
    ("weights above 1 clipped", {"controls": [("o", "a", "state")]}, "us",
     {"control": ControlWeights(controlled_by={"state": 1.5}, controls=0.0)},
     {("a", "o"): (1.0, CONTROLLED_BY)}),
]


@pytest.mark.parametrize(("facts", "regime", "changes", "expected"),
                         [c[1:] for c in EDGE_CASES], ids=[c[0] for c in EDGE_CASES])
def test_exposure_edge_weights(facts: dict[str, Any], regime: str, changes: dict[str, Any],
                               expected: dict[tuple[str, str], tuple[float, int]]) -> None:
    g = graph(dataset(["o", "a"], **facts))
    edges = exposure_edges(g, rules(**changes), regime)
    got = {(g.ids[t], g.ids[s]): (w, role) for t, s, w, role in
           zip(edges.target.tolist(), edges.source.tolist(), edges.weight.tolist(),
               edges.role.tolist(), strict=True)}
    assert got.keys() == expected.keys()
    for pair, (weight, role) in expected.items():
        assert got[pair] == (pytest.approx(weight), role)


def test_a_fading_tie_halves_every_half_life() -> None:
    ds = dataset(["o", "a"], relations=[("o", "a", "officer", "ended", date(2020, 1, 1))])
    weights = [float(exposure_edges(graph(ds, on), rules(), "us").weight[0])
               for on in (date(2020, 1, 1), date(2022, 1, 1), date(2024, 1, 1))]
    assert weights == pytest.approx([0.3, 0.3 * 0.5 ** (731 / 365.25 / 2), 0.075])


def _star(n_leaves: int) -> list[tuple[str, str, str]]:
    return [("h", f"l{k}", "officer") for k in range(n_leaves)]


# (case id, relations, entity, expected degree, expected damping with reference 8 and 0.5)
DEGREE_CASES = [
    ("leaf", _star(3), "l0", 1, 1.0),
    ("at the reference degree", _star(8), "h", 8, 1.0),
    ("above it", _star(32), "h", 32, 0.5),
    ("parallel facts count once", [*_star(2), *_star(2)], "h", 2, 1.0),
    ("self-loops ignored", [("h", "h", "officer"), *_star(1)], "h", 1, 1.0),
]


@pytest.mark.parametrize(("relations", "entity", "deg", "damp"),
                         [c[1:] for c in DEGREE_CASES], ids=[c[0] for c in DEGREE_CASES])
def test_degree_and_hub_damping(relations: list[tuple[str, str, str]], entity: str, deg: int,
                                damp: float) -> None:
    ids = sorted({"h"} | {r[1] for r in relations})
    g = graph(dataset(ids, relations=relations))
    i = g.index[entity]
    assert int(degree(g)[i]) == deg
    assert float(damping(g, rules())[i]) == pytest.approx(damp)
    assert float(pass_factor(g, rules(decay=0.5))[i]) == pytest.approx(0.5 * damp)


def test_degree_counts_ownership_control_and_relationships() -> None:
    g = graph(dataset(["h", "a", "b", "c"], owns=[("h", "a", 50.0)],
                      controls=[("b", "h", "management")], relations=[("c", "h", "officer")]))
    assert degree(g).tolist() == [3, 1, 1, 1]


def test_seeds_blocked_full_strength_possibly_reduced() -> None:
    g = graph(dataset(["k", "p", "x"], listings=[("k", "us")]))
    s = seeds(arrays(g, "us", possibly=["p"]), rules(possibly_blocked=0.7))
    assert s.mask.tolist() == [True, True, False]
    assert np.allclose(s.strength, [1.0, 0.7, 0.0])
