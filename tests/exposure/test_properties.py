"""Properties on random small graphs (cycles, parallel facts, self-loops included):
whole-graph and single-entity scores agree to the cent, both agree with a brute-force
enumeration of simple paths, and contributions always add up to the score."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskengine.derive.base import RegimeArrays
from riskengine.domain import Dataset
from riskengine.exposure.propagate import propagate
from riskengine.exposure.score import ScoreTable, score_all, score_entity
from riskengine.exposure.weights import (
    AllRegimes,
    ByTarget,
    exposure_edges,
    pass_factor,
    seeds,
)
from riskengine.graph import Graph
from riskengine.result import ScoreResult
from riskengine.ruleset.models import (
    ControlWeights,
    HubDamping,
    OwnershipWeights,
    RelationWeight,
    ScoringRules,
)
from tests.exposure import reference
from tests.exposure.helpers import AS_OF, arrays, dataset, graph, rules

CONTROL_KINDS = ("board_appointment", "dominant_influence", "management")
RELATION_KINDS = ("technology_licence", "joint_venture", "component_supply", "officer",
                  "financing")
REGIMES = ("us", "eu")
PROPERTY = settings(max_examples=80, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@dataclass(frozen=True)
class Case:
    ds: Dataset
    g: Graph
    verdicts: dict[str, RegimeArrays]
    scoring: ScoringRules


@st.composite
def cases(draw: st.DrawFn) -> Case:
    ids = [f"e{i}" for i in range(draw(st.integers(2, 8)))]
    node = st.sampled_from(ids)
    share = st.one_of(st.none(), st.sampled_from([10.0, 25.0, 40.0, 50.0, 60.0, 100.0]),
                      st.sampled_from([(10.0, 30.0), (50.0, 100.0)]))
    relation = st.tuples(node, node, st.sampled_from(RELATION_KINDS),
                         st.sampled_from(["active", "prospective", "ended"]),
                         st.sampled_from([None, date(2023, 1, 1), date(2020, 7, 1)]))
    ds = dataset(
        ids,
        owns=draw(st.lists(st.tuples(node, node, share), max_size=10)),
        controls=draw(st.lists(st.tuples(node, node, st.sampled_from(CONTROL_KINDS)),
                               max_size=4)),
        relations=draw(st.lists(relation, max_size=10)),
        listings=draw(st.lists(st.tuples(node, st.sampled_from(REGIMES),
                                         st.sampled_from(["asset_freeze", "sectoral"])),
                               max_size=3)),
    )
    g = graph(ds)
    few, some = st.lists(node, max_size=1), st.lists(node, max_size=2)
    verdicts = {r: arrays(g, r, draw(few), draw(few), draw(some)) for r in REGIMES}
    return Case(ds, g, verdicts, draw(st.one_of(scorings(), scorings(FLAT))))


# Few distinct weights: equal path strengths (ties) become common.
FLAT: dict[str, Any] = {
    "ownership": OwnershipWeights(owned_by=1.0, owns=1.0, unknown_share_assumed=50.0),
    "control": ControlWeights(controlled_by={"board_appointment": 1.0}, controls=0.5),
    "relationships": {k: RelationWeight(weight=0.5) for k in RELATION_KINDS[:3]},
}


def scorings(fixed: dict[str, Any] | None = None) -> st.SearchStrategy[ScoringRules]:
    params: dict[str, Any] = {
        "max_depth": st.integers(1, 4),
        "decay": st.sampled_from([0.5, 0.8, 1.0]),
        # not 0.001: products of the test weights hit it exactly, and which side of the
        # threshold a float lands on then depends on the order of multiplication
        "min_strength": st.sampled_from([0.0, 0.00107, 0.0437]),
        "possibly_blocked": st.sampled_from([0.8, 0.3]),
        "hub_damping": st.builds(HubDamping, reference_degree=st.integers(1, 6),
                                 exponent=st.sampled_from([0.5, 1.0])),
        "unblocked_cap": st.sampled_from([95.0, 40.0]),
    }
    return st.fixed_dictionaries(params).map(lambda p: rules(**p, **(fixed or {})))


def _all(case: Case) -> tuple[ScoreTable, list[ScoreResult]]:
    table = score_all(case.g, case.verdicts, case.scoring)
    results = [score_entity(case.g, case.verdicts, case.scoring, i, {}) for i in range(case.g.n)]
    return table, results


@PROPERTY
@given(cases())
def test_score_all_and_score_entity_agree_to_the_cent(case: Case) -> None:
    table, results = _all(case)
    assert [r.score for r in results] == table.score.tolist()
    assert [r.band for r in results] == [table.band_of(i) for i in range(case.g.n)]


def _summed(result: ScoreResult) -> dict[str, int]:
    """Cents per contribution key (factor or factor:regime) of an explained result."""
    found: dict[str, int] = {}
    for c in result.contributions:
        key = f"{c.factor}:{c.regime}" if c.regime else c.factor
        found[key] = found.get(key, 0) + round(c.points * 100)
    return {k: v for k, v in found.items() if v}


@PROPERTY
@given(cases())
def test_stored_parts_are_the_explained_contributions_summed(case: Case) -> None:
    table, results = _all(case)
    for i, result in enumerate(results):
        parts = {k: int(c[i]) for k, c in table.parts.items() if c[i]}
        assert parts == _summed(result)
        assert sum(parts.values()) == round(table.score[i] * 100)


@PROPERTY
@given(cases())
def test_contributions_add_up_to_the_score(case: Case) -> None:
    for result in _all(case)[1]:
        points = [c.points for c in result.contributions]
        assert result.score == round(sum(points), 2)
        assert all(p == round(p, 2) for p in points)
        body = [c.points for c in result.contributions if c.factor != "cap"]
        assert body == sorted(body, reverse=True)
        assert "cap" not in [c.factor for c in result.contributions[:-1]]


@PROPERTY
@given(cases())
def test_propagation_matches_brute_force(case: Case) -> None:
    passes = pass_factor(case.g, case.scoring)
    for r, v in case.verdicts.items():
        reach = propagate(exposure_edges(case.g, case.scoring, r), case.g.n,
                          seeds(v, case.scoring), passes, case.scoring.max_depth,
                          case.scoring.min_strength)
        got = {(case.g.ids[x], case.g.ids[b]): s for x, b, s in
               zip(reach.node.tolist(), reach.seed.tolist(), reach.strength.tolist(),
                   strict=True)}
        want = reference.strengths(case.ds, case.scoring, v, AS_OF)
        assert got.keys() == want.keys()
        for key, s in want.items():
            assert got[key] == pytest.approx(s, rel=1e-9)


@PROPERTY
@given(cases())
def test_scores_match_brute_force(case: Case) -> None:
    other = {r: flags.tolist() for r, flags in case.g.listed_other.items()}
    want = reference.score(case.ds, case.scoring, case.verdicts, other, AS_OF)
    table = score_all(case.g, case.verdicts, case.scoring)
    for i, eid in enumerate(case.g.ids):
        expected, n_parts = want[eid]
        # each part may round the other way when its float differs in the last bit
        assert table.score[i] == pytest.approx(expected, abs=0.01 * n_parts + 1e-9)


def _entities(result: ScoreResult, factor: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(c.regime or "", tuple(p.id for p in c.path if p.type == "entity"))
            for c in result.contributions if c.factor == factor]


@PROPERTY
@given(cases())
def test_shown_path_is_the_best_simple_path_with_ties_broken(case: Case) -> None:
    ref = {r: reference.all_paths(case.ds, case.scoring, v, AS_OF)
           for r, v in case.verdicts.items()}
    for result in _all(case)[1]:
        for regime, nodes in _entities(result, "tie_exposure"):
            assert len(set(nodes)) == len(nodes)
            candidates = ref[regime][(nodes[0], nodes[-1])]
            top = max(p.strength for p in candidates)
            ties = [p for p in candidates if p.strength >= top * (1 - 1e-9)]
            best = min(ties, key=lambda p: (len(p.nodes), p.nodes))
            assert nodes == best.nodes


def _narrowed(g: Graph) -> Graph:
    """``g`` with int32 node index arrays in every edge family."""
    def narrow(e: Any) -> Any:
        return replace(e, src=e.src.astype(np.int32), dst=e.dst.astype(np.int32))
    return replace(g, ownership=narrow(g.ownership), control=narrow(g.control),
                   relation=narrow(g.relation))


@PROPERTY
@given(cases())
def test_int32_indices_give_the_same_scores(case: Case) -> None:
    want = score_all(case.g, case.verdicts, case.scoring)
    got = score_all(_narrowed(case.g), case.verdicts, case.scoring)
    assert got.score.tolist() == want.score.tolist()
    assert {k: v.tolist() for k, v in got.parts.items()} == \
        {k: v.tolist() for k, v in want.parts.items()}


@PROPERTY
@given(cases(), st.booleans())
def test_edges_sorted_once_for_all_regimes_are_each_regimes_edges(case: Case,
                                                                  narrow: bool) -> None:
    g = _narrowed(case.g) if narrow else case.g
    shared = AllRegimes.of(g, case.scoring)
    source = np.repeat(np.arange(g.n), np.diff(shared.ptr))
    for r in (*REGIMES, "zz"):
        w = shared.weights(g, case.scoring, r)
        got = {(int(t), int(s)): float(x) for t, s, x in
               zip(shared.target, source, w, strict=True) if x > 0}
        e = exposure_edges(g, case.scoring, r)
        assert got == dict(zip(zip(e.target.tolist(), e.source.tolist(), strict=True),
                               e.weight.tolist(), strict=True))


@PROPERTY
@given(cases(), st.booleans())
def test_candidates_sorted_once_give_each_regimes_exposure_edges(case: Case,
                                                                 narrow: bool) -> None:
    # ByTarget (one sort for every regime, read by the explained score) against
    # exposure_edges (a sort per regime): the same edges, weights, roles and rows, in order.
    g = _narrowed(case.g) if narrow else case.g
    shared = ByTarget.of(g, case.scoring)
    for r in (*REGIMES, "zz"):
        got, want = shared.edges(g, case.scoring, r), exposure_edges(g, case.scoring, r)
        for field in ("target", "source", "weight", "role", "row"):
            assert getattr(got, field).tolist() == getattr(want, field).tolist(), field


@PROPERTY
@given(cases(), st.integers(1, 3))
def test_seeds_propagated_in_groups_give_the_same_scores(case: Case, group: int) -> None:
    """Whole-graph exposure from a few seeds at a time (to bound memory) equals all at once:
    every seed still stops every path."""
    import riskengine.exposure.score as score_module

    together = score_all(case.g, case.verdicts, case.scoring)
    before = score_module.SEEDS_AT_ONCE
    score_module.SEEDS_AT_ONCE = group
    try:
        grouped = score_all(case.g, case.verdicts, case.scoring)
    finally:
        score_module.SEEDS_AT_ONCE = before
    assert np.array_equal(grouped.score, together.score)
    assert grouped.parts.keys() == together.parts.keys()
    assert all(np.array_equal(grouped.parts[k], together.parts[k]) for k in together.parts)


@PROPERTY
@given(cases(), st.booleans())
def test_candidates_sorted_in_int32_as_in_int64(case: Case, narrow: bool) -> None:
    # AllRegimes.of (int32 positions, self-loops dropped after the sort) against its int64
    # way (self-loops dropped first, pair keys): the same arrays, value for value.
    g = _narrowed(case.g) if narrow else case.g
    lean, wide = AllRegimes.of(g, case.scoring), AllRegimes._of_wide(g, case.scoring)
    for name in ("fixed", "pick", "starts", "ptr", "target"):
        assert getattr(lean, name).tolist() == getattr(wide, name).tolist(), name
    assert lean.pick.dtype == np.int32
