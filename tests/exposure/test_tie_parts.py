"""The tie_exposure contributions of an explained score with ``explained_paths``: the
strongest ties in full (the same as with every path shown), the rest summed per regime, every
total unchanged (the whole-graph parts, the score)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from riskengine.exposure.score import score_all, score_entity
from riskengine.result import Contribution, ScoreResult
from tests.exposure.helpers import arrays, dataset, graph, rules
from tests.exposure.test_properties import PROPERTY, Case, _summed, cases


def _seed(c: Contribution) -> str:
    """The blocked party a listed tie reaches: the last entity of its path."""
    return [p.id for p in c.path if p.type == "entity"][-1]


def _ties(result: ScoreResult) -> list[Contribution]:
    return [c for c in result.contributions if c.factor == "tie_exposure"]


def _explained(case: Case, limit: int, i: int) -> ScoreResult:
    scoring = case.scoring.model_copy(update={"explained_paths": limit})
    return score_entity(case.g, case.verdicts, scoring, i, {})


@PROPERTY
@given(cases(), st.integers(0, 3))
def test_strongest_ties_in_full_the_rest_summed_totals_unchanged(case: Case, limit: int
                                                                 ) -> None:
    table = score_all(case.g, case.verdicts, case.scoring)
    for i in range(case.g.n):
        full, cut = _explained(case, 0, i), _explained(case, limit, i)
        assert cut.score == full.score == table.score[i]
        assert _summed(cut) == _summed(full)  # per factor:regime, as the stored parts
        every = sorted(_ties(full), key=lambda c: (-c.points, c.regime or "", _seed(c)))
        shown = every if limit == 0 else every[:limit]
        assert [c for c in _ties(cut) if c.path] == [c for c in full.contributions if c in shown]
        rest = every[len(shown):]
        summed = {c.regime: c for c in _ties(cut) if not c.path}
        assert summed.keys() == {c.regime for c in rest}
        for r, c in summed.items():
            mine = [t for t in rest if t.regime == r]
            assert round(c.points * 100) == sum(round(t.points * 100) for t in mine)
            assert c.detail.startswith(f"{len(mine)} weaker tie")
        body = [c.points for c in cut.contributions if c.factor != "cap"]
        assert body == sorted(body, reverse=True)


K1 = ("us", 30.0, "technology_licence (active) with K1, blocked under us (listed): path"
      " strength 0.60 x us weight 0.50")
K2 = ("us", 25.0, "component_supply (active) with K2, blocked under us (listed): path strength"
      " 0.50 x us weight 0.50")
K4 = ("us", 25.0, "component_supply (active) with K4, blocked under us (listed): path strength"
      " 0.50 x us weight 0.50")
K3 = ("eu", 12.0, "joint_venture (active) with K3, blocked under eu (listed): path strength"
      " 0.40 x eu weight 0.30")
# (explained_paths, the tie_exposure contributions in order: regime, points, detail)
SUMMARIES: list[tuple[int, list[tuple[str, float, str]]]] = [
    (0, [K1, K2, K4, K3]),
    (1, [("us", 50.0, "2 weaker ties under us (each to another blocked or possibly blocked"
                      " party), summed, not listed one by one: path strengths 0.50 x us"
                      " weight 0.50, 25.00 points each (the strongest tie is listed in full)"),
         K1,
         ("eu", 12.0, "1 weaker tie under eu, not listed: path strength 0.40 x eu weight 0.30"
                      " (the strongest tie is listed in full)")]),
    (2, [K1,
         ("us", 25.0, "1 weaker tie under us, not listed: path strength 0.50 x us weight 0.50"
                      " (the 2 strongest ties are listed in full)"),
         K2,  # as many points as K4: the smaller id is listed
         ("eu", 12.0, "1 weaker tie under eu, not listed: path strength 0.40 x eu weight 0.30"
                      " (the 2 strongest ties are listed in full)")]),
    (4, [K1, K2, K4, K3]),
]


@pytest.mark.parametrize(("limit", "ties"), SUMMARIES)
def test_summary_names_how_many_and_their_range(limit: int,
                                                ties: list[tuple[str, float, str]]) -> None:
    ds = dataset(["x", "k1", "k2", "k3", "k4"],
                 relations=[("x", "k1", "technology_licence"), ("x", "k2", "component_supply"),
                            ("x", "k3", "joint_venture"), ("x", "k4", "component_supply")],
                 listings=[("k1", "us"), ("k2", "us"), ("k3", "eu"), ("k4", "us")])
    g = graph(ds)
    verdicts = {r: arrays(g, r) for r in ("us", "eu")}
    result = score_entity(g, verdicts, rules(explained_paths=limit), g.index["x"], {})
    assert [(c.regime, c.points, c.detail) for c in _ties(result)] == ties
    assert result.score == 92.0
