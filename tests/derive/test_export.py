"""BIS 50% Affiliates rule (90 FR 47201) with the bundled rule periods: entities 50% or more
owned, directly or indirectly, individually or in the aggregate, by Entity List parties are
export-control exposure from 29 September 2025, suspended 10 November 2025 - 9 November 2026,
back from 10 November 2026; never blocked. Checked against the OFAC-style brute force."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

import numpy as np
import pytest

from riskengine.derive.explain import explain_verdict
from riskengine.derive.reference import reference_regime
from riskengine.derive.verdicts import derive_all
from riskengine.domain import Dataset
from riskengine.graph import Graph, GraphData
from riskengine.ruleset.bundled import bundled_rules_dir
from riskengine.ruleset.loader import load_rules
from riskengine.ruleset.models import RegimeParams, RuleSet
from tests.derive.build import dataset

EL = "export_control"
IN_FORCE, SUSPENDED, BACK = date(2025, 10, 15), date(2026, 3, 1), date(2026, 11, 10)


@cache
def rules() -> RuleSet:
    return load_rules(bundled_rules_dir())


def graph(owns: list[Any], listed: list[str], as_of: date) -> Graph:
    base = dataset(owns=owns, listings=[(e, "us", None, None, EL) for e in listed])
    ds = Dataset(entities=base.entities, ownerships=base.ownerships, designations=tuple(
        d.model_copy(update={"list_name": "Entity List", "authority": "BIS"})
        for d in base.designations))
    return GraphData.from_dataset(ds).at(as_of)


CASES: list[tuple[str, list[Any], list[str], date, set[str]]] = [
    ("one-owner-50", [("p", "a", 50)], ["p"], IN_FORCE, {"a"}),
    ("two-owners-25-25", [("p", "a", 25), ("q", "a", 25)], ["p", "q"], IN_FORCE, {"a"}),
    ("49.9-not-caught", [("p", "a", 49.9)], ["p"], IN_FORCE, set()),
    ("indirect", [("p", "a", 60), ("a", "b", 50)], ["p"], IN_FORCE, {"a", "b"}),
    ("listed-owned-not-affiliate", [("p", "q", 60)], ["p", "q"], IN_FORCE, set()),
    ("before-the-rule", [("p", "a", 60)], ["p"], date(2025, 9, 28), set()),
    ("first-day", [("p", "a", 60)], ["p"], date(2025, 9, 29), {"a"}),
    ("back-in-force", [("p", "a", 60)], ["p"], BACK, {"a"}),
]


@pytest.mark.parametrize(("owns", "listed", "as_of", "caught"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_caught(owns: list[Any], listed: list[str], as_of: date, caught: set[str]) -> None:
    g = graph(owns, listed, as_of)
    us = derive_all(g, rules().regimes)["us"]
    found = set() if us.affiliates is None else {
        g.ids[i] for i in np.flatnonzero(us.affiliates.caught)}
    assert found == caught
    assert not us.blocked.any()  # export control never blocks
    rule = rules().regimes.params("us", as_of).export_affiliates
    if rule is not None:  # the same fixpoint as the OFAC rule, seeded with the listed parties
        seeded = GraphData.from_dataset(dataset(owns=owns, listings=[(e, "us")
                                                                      for e in listed])).at(as_of)
        ref = reference_regime(seeded, "us", RegimeParams(threshold=rule.threshold,
                                                           inclusive=rule.inclusive))
        assert found == {seeded.ids[i] for i in np.flatnonzero(ref.owned)}


@pytest.mark.parametrize(("as_of", "suspended"), [
    (date(2025, 11, 9), False), (date(2025, 11, 10), True), (date(2026, 11, 9), True),
    (date(2026, 11, 10), False)])
def test_suspension_dates(as_of: date, suspended: bool) -> None:
    g = graph([("p", "a", 60)], ["p"], as_of)
    us = derive_all(g, rules().regimes)["us"]
    assert us.affiliates is not None and us.affiliates.suspended is suspended
    verdict = explain_verdict(g, us, rules().regimes.params("us", as_of), g.index["a"])
    (ev,) = [e for e in verdict.evidence if e.kind == "non_blocking"]
    assert ev.detail.startswith("export control: owned 60% by parties on the Entity List or"
                                " Military End-User List (BIS 50% Affiliates rule: 50% or"
                                " more, aggregated)")
    assert ("suspended on this date" in ev.detail) is suspended
    assert [p.type for p in ev.path] == ["entity", "edge", "entity", "listing"]
    assert verdict.status == "clear" and not verdict.blocked
