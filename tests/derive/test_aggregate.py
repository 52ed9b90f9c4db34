"""Aggregate ownership test (OFAC 50% rule, EU): worked examples, checked against the oracle."""

from __future__ import annotations

import gc
import itertools
import weakref
from datetime import date
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskengine.derive.aggregate import Shares, combined_shares, derive_aggregate, graph_index
from riskengine.derive.reference import reference_regime
from riskengine.ruleset.models import RegimeParams
from tests.derive.build import EU, EU_BEFORE, US, graph, statuses

JA_COUNTED = EU.model_copy(update={"control_kinds": ("board_appointment", "joint_arrangement")})

CASES: list[tuple[str, RegimeParams, dict[str, Any], dict[str, str]]] = [
    # OFAC FAQ 401 (1): an entity 50% or more owned by a blocked person is blocked.
    ("faq401-50pct", US, {"owns": [("x", "a", 50)], "listings": [("x", "us")]},
     {"x": "listed", "a": "owned"}),
    # OFAC FAQ 401 (2): holdings of different blocked persons add up (across programs).
    ("faq401-aggregate", US,
     {"owns": [("x", "a", 25), ("y", "a", 25)], "listings": [("x", "us"), ("y", "us")]},
     {"x": "listed", "y": "listed", "a": "owned"}),
    # OFAC FAQ 401 (3): a blocked entity's holdings count in full, no multiplying down a chain
    # (X's "indirect" 25% of B is irrelevant: A is blocked and owns 50% of B).
    ("faq401-chain", US,
     {"owns": [("x", "a", 50), ("a", "b", 50)], "listings": [("x", "us")]},
     {"x": "listed", "a": "owned", "b": "owned"}),
    # OFAC FAQ 401: a stake held through an unblocked intermediary does not pass through.
    ("faq401-unblocked-intermediary", US,
     {"owns": [("x", "a", 10), ("a", "b", 60)], "listings": [("x", "us")]},
     {"x": "listed", "a": "clear", "b": "clear"}),
    # OFAC FAQ 401: below 50% (49.99%) does not block.
    ("faq401-below", US, {"owns": [("x", "a", 49.99)], "listings": [("x", "us")]},
     {"x": "listed", "a": "clear"}),
    # OFAC FAQ 398: control without 50% ownership does not block under US rules.
    ("faq398-control", US,
     {"controls": [("x", "a", "board_appointment")], "listings": [("x", "us")]},
     {"x": "listed", "a": "clear"}),
    # EU: aggregated 50.01% always blocks.
    ("eu-50.01", EU, {"owns": [("x", "a", 25), ("y", "a", 25.01)],
                      "listings": [("x", "eu"), ("y", "eu")]},
     {"x": "listed", "y": "listed", "a": "owned"}),
    # EU from 2024-07-03: "50% or more" (two listed owners of 25% each).
    ("eu-inclusive", EU, {"owns": [("x", "a", 25), ("y", "a", 25)],
                          "listings": [("x", "eu"), ("y", "eu")]},
     {"x": "listed", "y": "listed", "a": "owned"}),
    # EU before 2024-07-03: "more than 50%".
    ("eu-exclusive", EU_BEFORE, {"owns": [("x", "a", 25), ("y", "a", 25)],
                                 "listings": [("x", "eu"), ("y", "eu")]},
     {"x": "listed", "y": "listed", "a": "clear"}),
    # EU: control (board appointment) blocks; what a controlled entity owns is blocked too.
    ("eu-control", EU, {"controls": [("x", "a", "board_appointment")],
                        "owns": [("a", "b", 50)], "listings": [("x", "eu")]},
     {"x": "listed", "a": "controlled", "b": "owned"}),
    # A joint arrangement never blocks by itself, even if a rule file counts it.
    ("joint-arrangement", JA_COUNTED,
     {"controls": [("x", "a", "joint_arrangement")], "listings": [("x", "eu")]},
     {"x": "listed", "a": "clear"}),
    # Owned beats controlled: status "owned" when the ownership test is met.
    ("owned-and-controlled", EU, {"controls": [("x", "a", "management")],
                                  "owns": [("x", "a", 60)], "listings": [("x", "eu")]},
     {"x": "listed", "a": "owned"}),
    # Ranges: lower bound 25% does not block, upper bound 60% might.
    ("range", US, {"owns": [("x", "a", (25, 60))], "listings": [("x", "us")]},
     {"x": "listed", "a": "possibly"}),
    # Unknown share: possibly blocked (upper bound 100%).
    ("unknown", US, {"owns": [("x", "a", None)], "listings": [("x", "us")]},
     {"x": "listed", "a": "possibly"}),
    # Possibly blocked passes on: definitely 60% owned by a possibly blocked entity.
    ("possibly-chain", US,
     {"owns": [("x", "a", (25, 60)), ("a", "b", 60)], "listings": [("x", "us")]},
     {"x": "listed", "a": "possibly", "b": "possibly"}),
    # Parallel reports of one holding combine by MAX, not by sum (30% + 30% is not 60%).
    ("parallel-max", US,
     {"owns": [("x", "a", 30), ("x", "a", 30), ("x", "b", 30), ("x", "b", 55)],
      "listings": [("x", "us")]},
     {"x": "listed", "a": "clear", "b": "owned"}),
    # Own shares held in treasury are nobody's: a controlled entity is not "owned" by itself.
    ("treasury", EU, {"controls": [("x", "a", "board_appointment")], "owns": [("a", "a", 60)],
                      "listings": [("x", "eu")]},
     {"x": "listed", "a": "controlled"}),
    # Cycle with a listed member: A blocked (listed), B 60% held by A, both blocked.
    ("cycle-listed", US, {"owns": [("a", "b", 60), ("b", "a", 60)], "listings": [("a", "us")]},
     {"a": "listed", "b": "owned"}),
    # Cycle of unlisted entities: nothing blocked (least fixed point), and it terminates.
    ("cycle-unlisted", US, {"owns": [("a", "b", 60), ("b", "a", 60)], "extra": ["z"]},
     {"a": "clear", "b": "clear", "z": "clear"}),
    # Least, not greatest, fixed point: A and B would block each other only if assumed blocked.
    ("cycle-least", US,
     {"owns": [("x", "a", 25), ("b", "a", 25), ("y", "b", 25), ("a", "b", 25)],
      "listings": [("x", "us"), ("y", "us")]},
     {"x": "listed", "y": "listed", "a": "clear", "b": "clear"}),
    # Other regimes' listings do not block under this one.
    ("other-regime", US, {"owns": [("x", "a", 100)], "listings": [("x", "eu")]},
     {"x": "clear", "a": "clear"}),
    # Dates: a sale before as_of ends the holding (end date exclusive); a listing from a later
    # date is not in force; a holding acquired on as_of counts.
    ("dates", US,
     {"owns": [("x", "a", 60, None, date(2024, 7, 3)), ("x", "b", 60, date(2024, 7, 3), None),
               ("y", "c", 60)],
      "listings": [("x", "us"), ("y", "us", date(2024, 7, 4), None)]},
     {"x": "listed", "y": "clear", "a": "clear", "b": "owned", "c": "clear"}),
]


@pytest.mark.parametrize(("params", "facts", "expected"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_worked_examples(params: RegimeParams, facts: dict[str, Any],
                         expected: dict[str, str]) -> None:
    g = graph(**facts)
    code = "eu" if params.control_kinds else "us"
    found = statuses(g, derive_aggregate(g, code, params))
    assert found == expected
    assert statuses(g, reference_regime(g, code, params)) == expected


@pytest.mark.parametrize(("bound", "expected"), [("low", 50.0), ("high", 80.0)])
def test_combined_shares_take_max_per_bound(bound: str, expected: float) -> None:
    # Parallel ownership edges are alternative reports of one holding: MAX, per bound.
    g = graph(owns=[("x", "a", 50), ("x", "a", (20, 80)), ("a", "a", 90)])
    shares = dense(combined_shares(g, bound), g.n)
    assert shares[g.index["x"], g.index["a"]] == expected
    assert np.count_nonzero(shares) == 1


def test_an_indexed_graph_is_freed_with_its_index() -> None:
    # A long-running service builds a graph per data version and day: an index kept apart
    # from its graph (it refers to the graph) kept every graph alive.
    refs = []
    for _ in range(3):
        g = graph(owns=[("x", "a", 50)], listings=[("x", "us")])
        assert graph_index(g) is graph_index(g)
        assert graph_index(g).shares("low") is graph_index(g).shares("low")
        refs.append(weakref.ref(g))
        del g
    gc.collect()
    assert [r() for r in refs] == [None, None, None]


def dense(shares: Shares, n: int) -> np.ndarray:
    """The owner x asset matrix the compressed rows stand for (rows ascending, no zeros)."""
    out = np.zeros((n, n))
    for v in range(n):
        cols = shares.dst[shares.ptr[v]:shares.ptr[v + 1]]
        assert (np.diff(cols) > 0).all()
        out[v, cols] = shares.data[shares.ptr[v]:shares.ptr[v + 1]]
    assert (shares.data != 0).all()
    return out


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abcde"), st.sampled_from("abcde"),
                          st.sampled_from([0, 10, 25, 50, 75])), min_size=1, max_size=12))
def test_combined_shares_equal_a_dict_of_max(owns: list[tuple[str, str, int]]) -> None:
    g = graph(owns=owns)
    best: dict[tuple[int, int], float] = {}
    for o, a, pct in owns:
        if o != a:
            key = (g.index[o], g.index[a])
            best[key] = max(best.get(key, 0.0), float(pct))
    expected = np.zeros((g.n, g.n))
    for (o, a), pct in best.items():
        expected[o, a] = pct
    assert dense(combined_shares(g, "low"), g.n).tolist() == expected.tolist()


@pytest.mark.parametrize("depth", [1, 40, 400])
def test_long_chain_is_blocked_to_the_end(depth: int) -> None:
    # OFAC FAQ 401: each link is 50% owned by a blocked entity, however deep the chain.
    names = ["x", *(f"e{k}" for k in range(depth))]
    g = graph(owns=[(a, b, 50) for a, b in itertools.pairwise(names)],
              listings=[("x", "us")])
    arrays = derive_aggregate(g, "us", US)
    assert arrays.owned.sum() == depth
    assert arrays.possibly.all()


@pytest.mark.parametrize(("entity", "owners", "controllers"), [
    ("a", ["x", "y"], ["z"]),
    ("x", [], []),
])
def test_graph_index_lists_incoming_edges(entity: str, owners: list[str],
                                          controllers: list[str]) -> None:
    g = graph(owns=[("x", "a", 50), ("y", "a", 10), ("a", "b", 60)],
              controls=[("z", "a", "management")])
    index = graph_index(g)
    found = [g.ids[int(g.ownership.src[p])] for p in index.owners.at(g.index[entity])]
    assert found == owners
    assert [g.ids[int(g.control.src[p])] for p in index.controllers.at(g.index[entity])] == \
        controllers
    assert graph_index(g) is index  # built once per Graph object
