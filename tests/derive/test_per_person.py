"""Per-person ownership test (UK, OFSI guidance): worked examples, checked against the oracle."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from riskengine.derive.aggregate import derive_aggregate
from riskengine.derive.per_person import derive_per_person, group_labels
from riskengine.derive.reference import reference_regime
from riskengine.ruleset.models import RegimeParams
from tests.derive.build import UK, US, graph, statuses

UK_ALONE = UK.model_copy(update={"joint_arrangements_aggregate": False})
JOINT = [("p", "q", "joint_arrangement")]
PQ = [("p", "uk"), ("q", "uk")]

CASES: list[tuple[str, RegimeParams, dict[str, Any], dict[str, str]]] = [
    # OFSI: holdings of different designated persons are not aggregated (30% + 30%).
    ("not-aggregated", UK, {"owns": [("p", "a", 30), ("q", "a", 30)], "listings": PQ},
     {"p": "listed", "q": "listed", "a": "clear"}),
    # OFSI: persons acting under a joint arrangement are one holder (30% + 30% = 60%).
    ("joint-arrangement", UK,
     {"owns": [("p", "a", 30), ("q", "a", 30)], "controls": JOINT, "listings": PQ},
     {"p": "listed", "q": "listed", "a": "owned"}),
    # Regime setting off: a joint arrangement does not merge the holders.
    ("joint-arrangement-off", UK_ALONE,
     {"owns": [("p", "a", 30), ("q", "a", 30)], "controls": JOINT, "listings": PQ},
     {"p": "listed", "q": "listed", "a": "clear"}),
    # A joint arrangement with an unlisted party merges nothing and blocks nothing.
    ("joint-arrangement-unlisted", UK,
     {"owns": [("p", "a", 30), ("q", "a", 30)], "controls": JOINT, "listings": [("p", "uk")]},
     {"p": "listed", "q": "clear", "a": "clear"}),
    # OFSI: indirect holdings through a majority-held entity add to direct ones: 30% + 25%.
    ("indirect-plus-direct", UK,
     {"owns": [("p", "a", 60), ("a", "b", 30), ("p", "b", 25)], "listings": [("p", "uk")]},
     {"p": "listed", "a": "owned", "b": "owned"}),
    # OFSI: no pass-through an entity P does not hold a majority of (40%).
    ("minority-intermediary", UK,
     {"owns": [("p", "a", 40), ("a", "b", 60)], "listings": [("p", "uk")]},
     {"p": "listed", "a": "clear", "b": "clear"}),
    # The same facts under OFAC aggregation: A is not blocked either, so B is not.
    ("minority-intermediary-us", US,
     {"owns": [("p", "a", 40), ("a", "b", 60)], "listings": [("p", "us")]},
     {"p": "listed", "a": "clear", "b": "clear"}),
    # A majority chain: 51% of 51%, both blocked.
    ("majority-chain", UK,
     {"owns": [("p", "a", 51), ("a", "b", 51)], "listings": [("p", "uk")]},
     {"p": "listed", "a": "owned", "b": "owned"}),
    # UK threshold is "more than 50%": exactly 50% does not block.
    ("exactly-50", UK, {"owns": [("p", "a", 50)], "listings": [("p", "uk")]},
     {"p": "listed", "a": "clear"}),
    # OFSI control test: control blocks, and so does a majority holding of the controlled.
    ("control", UK,
     {"controls": [("p", "a", "board_appointment")], "owns": [("a", "b", 60), ("a", "c", 30)],
      "listings": [("p", "uk")]},
     {"p": "listed", "a": "controlled", "b": "controlled", "c": "clear"}),
    # Control from an owned entity blocks too.
    ("control-from-owned", UK,
     {"owns": [("p", "a", 60)], "controls": [("a", "b", "dominant_influence")],
      "listings": [("p", "uk")]},
     {"p": "listed", "a": "owned", "b": "controlled"}),
    # Different holders, each below the test: P via its subsidiary 30%, Q 30%. Not blocked in
    # the UK, blocked under OFAC aggregation (next case).
    ("two-holders", UK,
     {"owns": [("p", "a", 60), ("a", "b", 30), ("q", "b", 30)], "listings": PQ},
     {"p": "listed", "q": "listed", "a": "owned", "b": "clear"}),
    ("two-holders-us", US,
     {"owns": [("p", "a", 60), ("a", "b", 30), ("q", "b", 30)],
      "listings": [("p", "us"), ("q", "us")]},
     {"p": "listed", "q": "listed", "a": "owned", "b": "owned"}),
    # Ranges: 40-60% is possibly more than 50%.
    ("range", UK, {"owns": [("p", "a", (40, 60))], "listings": [("p", "uk")]},
     {"p": "listed", "a": "possibly"}),
    # Cycle through a majority-held pair: terminates, both blocked.
    ("cycle", UK,
     {"owns": [("p", "a", 60), ("a", "b", 60), ("b", "a", 60)], "listings": [("p", "uk")]},
     {"p": "listed", "a": "owned", "b": "owned"}),
    # Cycle of unlisted entities: nothing blocked.
    ("cycle-unlisted", UK, {"owns": [("a", "b", 60), ("b", "a", 60)]},
     {"a": "clear", "b": "clear"}),
]


@pytest.mark.parametrize(("params", "facts", "expected"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_worked_examples(params: RegimeParams, facts: dict[str, Any],
                         expected: dict[str, str]) -> None:
    g = graph(**facts)
    code = "uk" if params.ownership_test == "per_person" else "us"
    derive = derive_per_person if params.ownership_test == "per_person" else derive_aggregate
    assert statuses(g, derive(g, code, params)) == expected
    assert statuses(g, reference_regime(g, code, params)) == expected


@pytest.mark.parametrize(("params", "expected"), [
    (UK, {frozenset("pqr"), frozenset("s")}),
    (UK_ALONE, {frozenset("p"), frozenset("q"), frozenset("r"), frozenset("s")}),
])
def test_group_labels(params: RegimeParams, expected: set[frozenset[str]]) -> None:
    # Listed p, q, r linked by a chain of joint arrangements; s's partner u is unlisted.
    g = graph(controls=[("p", "q", "joint_arrangement"), ("r", "q", "joint_arrangement"),
                        ("s", "u", "joint_arrangement")],
              listings=[("p", "uk"), ("r", "uk"), ("s", "uk"), ("q", "uk")])
    listed = np.flatnonzero(g.listed["uk"]).tolist()
    labels = group_labels(g, g.listed["uk"], params).tolist()
    found: dict[int, set[str]] = {}
    for i, label in zip(listed, labels, strict=True):
        found.setdefault(label, set()).add(g.ids[i])
    assert {frozenset(v) for v in found.values()} == expected
    assert sorted(found) == list(range(len(expected)))
