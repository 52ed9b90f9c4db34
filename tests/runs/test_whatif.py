"""compare_books (arrays) against the brute-force reference: every entity's stored row under
each rule set, compared as ``changes`` compares two runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from riskengine.domain import CONTROL_KINDS, RELATION_KINDS, Dataset
from riskengine.engine import evaluate, regime_order, score_everything
from riskengine.graph import GraphData
from riskengine.ruleset.loader import load_rules
from riskengine.ruleset.models import RegimeParams, RuleSet
from riskengine.runs.changes import AlertRules, Change, compare
from riskengine.runs.table import score_rows, state_from
from riskengine.runs.whatif import Book, compare_books, counts_by_kind, top_movers
from tests.conftest import ROOT
from tests.exposure.helpers import AS_OF, dataset

BASE = load_rules(ROOT / "rules").model_copy(update={"scenario": Dataset()})
REGIMES = ("us", "eu", "uk")


def _random(seed: int, n: int = 60) -> Dataset:
    rng = np.random.default_rng(seed)
    ids = [f"e{k}" for k in range(n)]

    def pair() -> tuple[str, str]:
        a, b = rng.choice(n, size=2, replace=False)
        return ids[int(a)], ids[int(b)]

    owns = [(*pair(), float(rng.choice([10, 25, 40, 50, 50.01, 60, 100]))) for _ in range(n)]
    controls = [(*pair(), CONTROL_KINDS[int(rng.integers(len(CONTROL_KINDS)))])
                for _ in range(n // 4)]
    relations = [(*pair(), RELATION_KINDS[int(rng.integers(len(RELATION_KINDS)))],
                  str(rng.choice(["active", "prospective"]))) for _ in range(n)]
    listings: list[tuple[str, ...]] = [(ids[int(rng.integers(n))], REGIMES[int(rng.integers(3))])
                                       for _ in range(n // 8)]
    listings += [(ids[int(rng.integers(n))], "us", "sectoral")]
    return dataset(ids, owns, controls, relations, listings)


def _scoring(rules: RuleSet, **changes: Any) -> RuleSet:
    return rules.model_copy(update={"scoring": rules.scoring.model_copy(update=changes)})


def _threshold(rules: RuleSet, code: str, pct: float, inclusive: bool) -> RuleSet:
    regimes = tuple(r.model_copy(update={"periods": tuple(
        p.model_copy(update={"threshold": pct, "inclusive": inclusive}) for p in r.periods)})
        if r.code == code else r for r in rules.regimes.regimes)
    return rules.model_copy(update={"regimes": rules.regimes.model_copy(
        update={"regimes": regimes})})


def _control_blocks(rules: RuleSet) -> RuleSet:
    params: RegimeParams = rules.regimes.params("us", AS_OF)
    us = rules.regimes.get("us")
    assert us is not None
    changed = us.model_copy(update={"periods": (params.model_copy(
        update={"control_kinds": CONTROL_KINDS, "valid_from": None, "valid_to": None}),)})
    return rules.model_copy(update={"regimes": rules.regimes.model_copy(update={
        "regimes": tuple(changed if r.code == "us" else r for r in rules.regimes.regimes)})})


EDITS: dict[str, Callable[[RuleSet], RuleSet]] = {
    "no edit": lambda r: r,
    "decay up": lambda r: _scoring(r, decay=0.8),
    "us weight up": lambda r: _scoring(r, regime_weights={**r.scoring.regime_weights,
                                                          "us": 0.9}),
    "scale down": lambda r: _scoring(r, scale=40.0),
    "eu threshold 25": lambda r: _threshold(r, "eu", 25.0, True),
    "us threshold 60 exclusive": lambda r: _threshold(r, "us", 60.0, False),
    "us control blocks": _control_blocks,
    "other listing up": lambda r: _scoring(r, other_listing=1.0, possibly_blocked=1.0),
}


def _book(data: GraphData, rules: RuleSet,
          clusters: dict[str, tuple[str, ...]] | None = None) -> Book:
    ev = evaluate(data, rules, AS_OF)
    return Book(score_everything(ev), ev.verdicts, data.dataset.names, clusters or {})


def _reference(data_a: GraphData, rules_a: RuleSet, data_b: GraphData, rules_b: RuleSet,
               alerts: AlertRules, clusters: tuple[dict[str, Any], dict[str, Any]] = ({}, {})
               ) -> list[Change]:
    def states(data: GraphData, rules: RuleSet, members: dict[str, Any]) -> dict[str, Any]:
        ev = evaluate(data, rules, AS_OF)
        rows = score_rows(score_everything(ev), data.dataset.names, ev.verdicts,
                          regime_order(rules, list(ev.verdicts)), members)
        return {row["entity_id"]: state_from(row) for row in rows}

    return compare(states(data_a, rules_a, clusters[0]), states(data_b, rules_b, clusters[1]),
                   alerts)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("edit", sorted(EDITS))
@pytest.mark.parametrize("threshold", [0.0, 5.0, 10.0])
def test_same_graph_matches_the_run_comparison(seed: int, edit: str, threshold: float) -> None:
    data = GraphData.from_dataset(_random(seed))
    proposed, alerts = EDITS[edit](BASE), AlertRules(score_move_threshold=threshold)
    fast = compare_books(_book(data, BASE), _book(data, proposed), alerts)
    assert fast == _reference(data, BASE, data, proposed, alerts)
    if edit == "no edit":
        assert fast == []


@pytest.mark.parametrize("seed", [4, 5])
@pytest.mark.parametrize("edit", ["no edit", "decay up", "eu threshold 25"])
def test_different_graphs_match_the_run_comparison(seed: int, edit: str) -> None:
    """The proposed rules add entities and ties (scenario facts) and merge two records."""
    ds = _random(seed)
    extra = dataset(["new1", "new2"], owns=[("e1", "new1", 60.0)],
                    relations=[("new2", "e2", "officer")], listings=[("new2", "uk")])
    data_a = GraphData.from_dataset(ds)
    bigger = ds.merged(extra)
    data_b = GraphData.from_dataset(bigger.model_copy(update={"entities": tuple(
        reversed(bigger.entities))}))
    clusters_b: dict[str, tuple[str, ...]] = {"e3": ("e3", "e3-record")}
    proposed, alerts = EDITS[edit](BASE), AlertRules()
    fast = compare_books(_book(data_a, BASE), _book(data_b, proposed, clusters_b), alerts)
    assert fast == _reference(data_a, BASE, data_b, proposed, alerts, ({}, clusters_b))
    assert {"added"} <= {c.kind for c in fast}


@pytest.mark.parametrize("count", [0, 1, 3, 100])
@pytest.mark.parametrize("edit", ["decay up", "us weight up", "scale down"])
def test_top_movers_are_the_largest_moves(count: int, edit: str) -> None:
    data = GraphData.from_dataset(_random(7))
    before, after = _book(data, BASE), _book(data, EDITS[edit](BASE))
    delta = after.table.score - before.table.score
    expected = sorted((k for k in range(len(data.ids)) if delta[k] != 0),
                      key=lambda k: (-abs(float(delta[k])), data.ids[k]))[:count]
    found = top_movers(before, after, count)
    assert [m.entity_id for m in found] == [data.ids[k] for k in expected]
    assert all(m.delta == round(float(delta[data.index[m.entity_id]]), 2) for m in found)


@pytest.mark.parametrize(("changes", "expected"), [
    ([], {}),
    ([("a", "band", None), ("b", "band", None)], {"band": 2}),
    ([("a", "newly_blocked", "us"), ("b", "newly_blocked", "eu"), ("c", "newly_blocked", "us")],
     {"newly_blocked": 3, "newly_blocked:eu": 1, "newly_blocked:us": 2}),
])
def test_counts_by_kind(changes: list[tuple[str, str, str | None]], expected: dict[str, int]
                        ) -> None:
    found = [Change(entity_id=e, name=e, kind=k, regime=r) for e, k, r in changes]
    assert counts_by_kind(found) == expected


@pytest.mark.parametrize("seed", [8, 9, 10])
def test_a_graph_with_facts_taken_out_and_appended_equals_the_edited_graph(seed: int) -> None:
    """``without_facts`` then ``with_facts`` (the dry run of a scenario edit on the graph in
    use) scores as the graph built from the edited facts (the reference)."""
    from riskengine.compiled.whatif import with_facts, without_facts

    ds = _random(seed)
    rng = np.random.default_rng(seed)
    gone = {s: sorted(rng.choice(len(getattr(ds, s)), size=len(getattr(ds, s)) // 4,
                                 replace=False).tolist())
            for s in ("ownerships", "controls", "relationships", "designations")}
    extra = dataset([], owns=[("e1", "e2", 60.0), ("e3", "e1", None)],
                    relations=[("e4", "e5", "financing")], listings=[("e6", "us"), ("e2", "eu")])
    extra = extra.model_copy(update={s: tuple(f.model_copy(update={"id": f"x-{f.id}"})
                                              for f in getattr(extra, s)) for s in gone})
    kept = {s: tuple(f for k, f in enumerate(getattr(ds, s)) if k not in set(rows))
            for s, rows in gone.items()}
    edited = ds.model_copy(update={s: kept[s] + getattr(extra, s) for s in gone})
    families = {"ownership": "ownerships", "control": "controls", "relation": "relationships",
                "designations": "designations"}
    shared = without_facts(GraphData.from_dataset(ds),
                           {f: gone[s] for f, s in families.items()},
                           [ds.designations[k] for k in gone["designations"]])
    fast = _book(with_facts(shared, extra, lambda ref: ref), BASE)
    reference = _book(GraphData.from_dataset(edited), BASE)
    assert np.allclose(fast.table.score, reference.table.score)
    assert {r: v.blocked.tolist() for r, v in fast.verdicts.items()} == \
        {r: v.blocked.tolist() for r, v in reference.verdicts.items()}
    assert compare_books(reference, fast, AlertRules()) == []
    assert compare_books(_book(GraphData.from_dataset(ds), BASE), fast, AlertRules())  # moved
    removed = ds.designations[gone["designations"][0]]
    assert removed not in with_facts(shared, extra, lambda ref: ref).dataset.designations_of(
        removed.entity_id)
