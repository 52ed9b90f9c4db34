"""Scoring factors: hand-computed points on small graphs, as a table.

Rules (tests/exposure/helpers.rules): scale 100, regime weights us 0.5 / eu 0.3 / other 0.1,
possibly_blocked 0.8, other_listing 0.5, decay 0.5, technology_licence 0.6,
joint_venture 0.8 (eu 0.4), component_supply 0.5, officer 1.0, owned_by 1, owns 0.5.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from riskengine.exposure.factors import FACTORS, band_index
from riskengine.exposure.score import score_all, score_entity
from tests.exposure.helpers import arrays, dataset, graph, rules

Facts = dict[str, Any]
Verdicts = dict[str, dict[str, list[str]]]
Expected = list[tuple[str, str | None, float]]

# (case id, facts, extra verdicts {regime: {owned|controlled|possibly: [ids]}},
#  expected contributions of x in order (factor, regime, points), score, band)
CASES: list[tuple[str, Facts, Verdicts, Expected, float, str]] = [
    ("listed", {"listings": [("x", "us")]}, {},
     [("blocked", "us", 100.0)], 100.0, "blocked"),
    ("blocked under two regimes: capped to the blocked score",
     {"listings": [("x", "us"), ("x", "eu")]}, {},
     [("blocked", "eu", 100.0), ("blocked", "us", 100.0), ("cap", None, -100.0)], 100.0,
     "blocked"),
    ("owned under one regime, exposure ignored",
     {"relations": [("x", "k", "officer")], "listings": [("k", "us")]},
     {"eu": {"owned": ["x"]}}, [("blocked", "eu", 100.0)], 100.0, "blocked"),
    ("possibly blocked: 100 x 0.5 x 0.8", {}, {"us": {"possibly": ["x"]}},
     [("possibly_blocked", "us", 40.0)], 40.0, "high"),
    ("sectoral listing: 100 x 0.3 x 0.5", {"listings": [("x", "eu", "sectoral")]}, {},
     [("other_listing", "eu", 15.0)], 15.0, "medium"),
    ("direct licence with a listed party: 100 x 0.5 x 0.6",
     {"relations": [("x", "k", "technology_licence")], "listings": [("k", "us")]}, {},
     [("tie_exposure", "us", 30.0)], 30.0, "medium"),
    ("regime override: joint venture 0.4 under eu, 0.8 under us",
     {"relations": [("x", "k", "joint_venture")], "listings": [("k", "us"), ("k", "eu")]}, {},
     [("tie_exposure", "us", 40.0), ("tie_exposure", "eu", 12.0)], 52.0, "high"),
    ("owned 47% by a listed party (below the threshold)",
     {"owns": [("k", "x", 47.0)], "listings": [("k", "us")]}, {},
     [("tie_exposure", "us", 23.5)], 23.5, "medium"),
    ("owner exposed to its listed asset: 0.5 x 60%",
     {"owns": [("x", "k", 60.0)], "listings": [("k", "us")]}, {},
     [("tie_exposure", "us", 15.0)], 15.0, "medium"),
    ("two hops: 0.6 x 0.6 x decay 0.5",
     {"owns": [("a", "x", 60.0)], "relations": [("a", "k", "technology_licence")],
      "listings": [("k", "us")]}, {},
     [("tie_exposure", "us", 9.0)], 9.0, "low"),
    ("one contribution per blocked party",
     {"relations": [("x", "k", "technology_licence"), ("x", "j", "component_supply")],
      "listings": [("k", "us"), ("j", "us")]}, {},
     [("tie_exposure", "us", 30.0), ("tie_exposure", "us", 25.0)], 55.0, "high"),
    ("seed blocked through ownership counts like a listed one",
     {"relations": [("x", "k", "technology_licence")]}, {"eu": {"owned": ["k"]}},
     [("tie_exposure", "eu", 18.0)], 18.0, "medium"),
    ("possibly blocked seed: 0.8 x 0.6 x 100 x 0.5",
     {"relations": [("x", "k", "technology_licence")]}, {"us": {"possibly": ["k"]}},
     [("tie_exposure", "us", 24.0)], 24.0, "medium"),
    ("regime without a weight: default 0.1",
     {"relations": [("x", "k", "technology_licence")], "listings": [("k", "ca")]}, {},
     [("tie_exposure", "ca", 6.0)], 6.0, "low"),
    ("each contribution rounded to the cent: 12.345% x 50",
     {"owns": [("k", "x", 12.345)], "listings": [("k", "us")]}, {},
     [("tie_exposure", "us", 6.17)], 6.17, "low"),
    ("unblocked cap",
     {"relations": [("x", "k", "officer")], "listings": [("k", "us"), ("x", "eu", "sectoral")]},
     {"us": {"possibly": ["x"]}, "eu": {"possibly": ["x"]}},
     [("tie_exposure", "us", 50.0), ("possibly_blocked", "us", 40.0),
      ("possibly_blocked", "eu", 24.0), ("other_listing", "eu", 15.0), ("cap", None, -34.0)],
     95.0, "severe"),
    ("nothing at all", {}, {}, [], 0.0, "none"),
]


def _run(facts: Facts, extra: Verdicts) -> tuple[float, Any]:
    g = graph(dataset(["x", "a", "k", "j"], **facts))
    regimes = {"us", "eu", *extra, *g.listed, *g.listed_other}
    verdicts = {r: arrays(g, r, **extra.get(r, {})) for r in regimes}
    table = score_all(g, verdicts, rules())
    return float(table.score[0]), score_entity(g, verdicts, rules(), 0, {})


@pytest.mark.parametrize(("facts", "extra", "expected", "score", "band"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_factor_points(facts: Facts, extra: Verdicts, expected: Expected, score: float,
                       band: str) -> None:
    table_score, result = _run(facts, extra)
    got = [(c.factor, c.regime, c.points) for c in result.contributions]
    assert got == expected
    assert (result.score, table_score, result.band) == (score, score, band)


@pytest.mark.parametrize(("score", "blocked", "band"), [
    (100.0, True, "blocked"), (0.0, True, "blocked"), (95.0, False, "severe"),
    (60.0, False, "severe"), (59.99, False, "high"), (15.0, False, "medium"),
    (1.0, False, "low"), (0.99, False, "none"), (0.0, False, "none")])
def test_band_index_matches_the_rules(score: float, blocked: bool, band: str) -> None:
    scoring = rules()
    index = band_index(scoring, np.asarray([score]), np.asarray([blocked]))
    assert scoring.bands[int(index[0])].name == band == scoring.band(score, blocked)


def test_every_factor_is_listed_with_a_description() -> None:
    assert sorted(FACTORS) == ["blocked", "cap", "export_affiliate", "ffi_military_base",
                               "other_listing", "possibly_blocked", "tie_exposure"]
    assert all(len((f.__doc__ or "").split()) > 8 for f in FACTORS.values())
