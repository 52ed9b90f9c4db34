"""Evidence of one entity's verdict: kinds, details, paths back to the listing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from riskengine.derive.explain import explain_verdict
from riskengine.derive.verdicts import derive_regime, listing_label
from riskengine.domain import Designation, Source
from riskengine.engine import evaluate, score
from riskengine.graph import GraphData
from riskengine.result import RegimeVerdict
from riskengine.ruleset.loader import load_rules
from riskengine.ruleset.models import RegimeParams
from tests.conftest import ROOT
from tests.derive.build import AS_OF, EU, UK, US, dataset, graph

SSI_DAY = date(2014, 7, 16)
LISTING = "TEST PROG"  # build.py: authority = regime code in capitals, list TEST, program PROG
Expected = list[tuple[str, str, list[str]]]


def explain(params: RegimeParams, code: str, facts: dict[str, Any], entity: str) -> RegimeVerdict:
    g = graph(**facts)
    return explain_verdict(g, derive_regime(g, code, params), params, g.index[entity])


def summary(verdict: RegimeVerdict) -> Expected:
    return [(e.kind, e.detail, [p.label for p in e.path]) for e in verdict.evidence]


CASES: list[tuple[str, RegimeParams, str, dict[str, Any], str, str, Expected]] = [
    # A listed entity: one evidence per designation in force, [entity, listing].
    ("listed", US, "us",
     {"listings": [("x", "us", date(2022, 6, 28), None), ("x", "us"), ("x", "eu")]}, "x",
     "listed",
     [("listed", f"listed: US {LISTING}", ["X", f"US {LISTING}"]),
      ("listed", f"listed: US {LISTING} since 2022-06-28",
       ["X", f"US {LISTING} since 2022-06-28"])]),
    # OFAC FAQ 401: aggregated 50.01%, one path per blocked owner.
    ("owned-aggregate", US, "us",
     {"owns": [("x", "a", 25), ("y", "a", 25.01)], "listings": [("x", "us"), ("y", "us")]}, "a",
     "owned",
     [("owned", "owned 50.01% by blocked parties (US: 50% or more, aggregated); owned 25% by X",
       ["A", "owned 25% by", "X", f"US {LISTING}"]),
      ("owned", "owned 50.01% by blocked parties (US: 50% or more, aggregated);"
       " owned 25.01% by Y", ["A", "owned 25.01% by", "Y", f"US {LISTING}"])]),
    # OFAC FAQ 401: the chain walks back to the listing, shortest path first.
    ("owned-chain", US, "us",
     {"owns": [("x", "a", 50), ("a", "b", 50), ("y", "b", 10)],
      "listings": [("x", "us"), ("y", "us")]}, "b", "owned",
     [("owned", "owned 60% by blocked parties (US: 50% or more, aggregated); owned 10% by Y",
       ["B", "owned 10% by", "Y", f"US {LISTING}"]),
      ("owned", "owned 60% by blocked parties (US: 50% or more, aggregated); owned 50% by A",
       ["B", "owned 50% by", "A", "owned 50% by", "X", f"US {LISTING}"])]),
    # EU: control by appointing the board blocks.
    ("controlled-eu", EU, "eu",
     {"controls": [("x", "a", "board_appointment")], "listings": [("x", "eu")]}, "a",
     "controlled",
     [("controlled", "controlled by blocked X (board_appointment)",
       ["A", "controlled by (board_appointment)", "X", f"EU {LISTING}"])]),
    # OFAC FAQ 398: control alone does not block; reported as exposure.
    ("faq398", US, "us",
     {"controls": [("x", "a", "board_appointment")], "listings": [("x", "us")]}, "a", "clear",
     [("control_not_blocking", "controlled by blocked X (board_appointment) without 50%"
       " ownership; US does not block on control alone (OFAC FAQ 398): treat as exposure",
       ["A", "controlled by (board_appointment)", "X", f"US {LISTING}"])]),
    # A range: possibly blocked, the range named.
    ("range", EU, "eu", {"owns": [("x", "a", (25, 60))], "listings": [("x", "eu")]}, "a",
     "clear",
     [("possibly_owned", "possibly blocked: ownership share 25-60% of A by blocked X (range)",
       ["A", "owned 25-60% by", "X", f"EU {LISTING}"])]),
    # Two holders together possibly reach the threshold: the aggregated range is stated.
    ("range-aggregate", US, "us",
     {"owns": [("x", "a", 30), ("y", "a", (10, 30))], "listings": [("x", "us"), ("y", "us")]},
     "a", "clear",
     [("possibly_owned", "possibly blocked: 40-60% of A held by blocked or possibly blocked"
       " parties together (US: 50% or more, aggregated)", []),
      ("possibly_owned", "possibly blocked: ownership share 10-30% of A by blocked Y (range)",
       ["A", "owned 10-30% by", "Y", f"US {LISTING}"])]),
    # An unknown share of a blocked owner: possibly blocked, review.
    ("unknown", US, "us", {"owns": [("x", "a", None)], "listings": [("x", "us")]}, "a", "clear",
     [("unknown_share", "unknown share of A held by blocked X",
       ["A", "owned unknown share by", "X", f"US {LISTING}"])]),
    # Possibly blocked passes on through a possibly blocked owner.
    ("possibly-owner", US, "us",
     {"owns": [("x", "a", (25, 60)), ("a", "b", 60)], "listings": [("x", "us")]}, "b", "clear",
     [("possibly_owned", "possibly blocked: ownership share 60% of B by possibly blocked A",
       ["B", "owned 60% by", "A", "owned 25-60% by", "X", f"US {LISTING}"])]),
    # UK: P's direct 25% and 30% through its majority-held A: 55%, per person.
    ("uk-indirect", UK, "uk",
     {"owns": [("p", "a", 60), ("a", "b", 30), ("p", "b", 25)], "listings": [("p", "uk")]},
     "b", "owned",
     [("owned", "owned 55% by designated P (UK: more than 50%, per person); owned 25% by P",
       ["B", "owned 25% by", "P", f"UK {LISTING}"]),
      ("owned", "owned 55% by designated P (UK: more than 50%, per person); owned 30% by A",
       ["B", "owned 30% by", "A", "owned 60% by", "P", f"UK {LISTING}"])]),
    # UK: a joint arrangement makes P and Q one holder.
    ("uk-joint", UK, "uk",
     {"owns": [("p", "a", 30), ("q", "a", 30)], "controls": [("p", "q", "joint_arrangement")],
      "listings": [("p", "uk"), ("q", "uk")]}, "a", "owned",
     [("owned", "owned 60% by designated P and Q (joint arrangement) (UK: more than 50%,"
       " per person); owned 30% by P", ["A", "owned 30% by", "P", f"UK {LISTING}"]),
      ("owned", "owned 60% by designated P and Q (joint arrangement) (UK: more than 50%,"
       " per person); owned 30% by Q", ["A", "owned 30% by", "Q", f"UK {LISTING}"])]),
    # UK: a majority holding of a controlled entity blocks too.
    ("uk-controlled-holding", UK, "uk",
     {"controls": [("p", "a", "board_appointment")], "owns": [("a", "b", 60)],
      "listings": [("p", "uk")]}, "b", "controlled",
     [("controlled", "owned 60% by controlled A (UK: more than 50%, per person)",
       ["B", "owned 60% by", "A", "controlled by (board_appointment)", "P", f"UK {LISTING}"])]),
    # UK, possibly: P's unknown share of Q (listed) might make Q majority-held by P, so P's
    # 10% and Q's 50.01% of A might add up (more than 60% here).
    ("uk-possibly-through-unknown", UK.model_copy(update={"threshold": 60.0}), "uk",
     {"owns": [("p", "a", 10), ("p", "q", None), ("q", "a", 50.01)],
      "listings": [("p", "uk"), ("q", "uk")]}, "a", "clear",
     [("possibly_owned", "possibly blocked: up to 60.01% held by designated P on the upper"
       " bounds of shares (UK: more than 60%, per person); owned 10% by P",
       ["A", "owned 10% by", "P", f"UK {LISTING}"]),
      ("possibly_owned", "possibly blocked: up to 60.01% held by designated P on the upper"
       " bounds of shares (UK: more than 60%, per person); owned 50.01% by Q",
       ["A", "owned 50.01% by", "Q", "owned unknown share by", "P", f"UK {LISTING}"])]),
    # Nothing to say about an entity with no ties to a listing.
    ("clear", US, "us", {"owns": [("a", "b", 60)]}, "b", "clear", []),
    # A sectoral listing (OFAC SSI) does not block: said as what it is.
    ("sectoral", US, "us", {"listings": [("x", "us", SSI_DAY, None, "sectoral")]}, "x", "clear",
     [("non_blocking", f"not blocked; sectoral: US {LISTING} since 2014-07-16",
       ["X", f"US {LISTING} since 2014-07-16"])]),
    # Listed and on an export-control list: the listing first, the other one after it.
    ("listed-and-export-control", US, "us",
     {"listings": [("x", "us"), ("x", "us", None, None, "export_control")]}, "x", "listed",
     [("listed", f"listed: US {LISTING}", ["X", f"US {LISTING}"]),
      ("non_blocking", f"also; export control: US {LISTING}", ["X", f"US {LISTING}"])]),
    # Another regime's sectoral listing and an ended one are not evidence here.
    ("sectoral-elsewhere-or-ended", US, "us",
     {"listings": [("x", "eu", None, None, "sectoral"),
                   ("x", "us", SSI_DAY, date(2020, 1, 1), "sectoral")]}, "x", "clear", []),
]


@pytest.mark.parametrize(("params", "code", "facts", "entity", "status", "expected"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_evidence(params: RegimeParams, code: str, facts: dict[str, Any], entity: str,
                  status: str, expected: Expected) -> None:
    verdict = explain(params, code, facts, entity)
    assert verdict.status == status
    assert verdict.blocked == (status != "clear")
    assert summary(verdict) == expected


@pytest.mark.parametrize(("facts", "possibly"), [
    ({"owns": [("x", "a", (25, 60))], "listings": [("x", "us")]}, True),
    ({"owns": [("x", "a", 20)], "listings": [("x", "us")]}, False),
])
def test_possibly_flag(facts: dict[str, Any], possibly: bool) -> None:
    verdict = explain(US, "us", facts, "a")
    assert (verdict.possibly_blocked, verdict.blocked) == (possibly, False)


def test_evidence_cites_the_original_fact() -> None:
    verdict = explain(US, "us", {"owns": [("x", "a", 50)], "listings": [("x", "us")]}, "a")
    edge = verdict.evidence[0].path[1]
    assert (edge.type, edge.id, edge.source) == ("edge", "o0", "test: test fact")


@pytest.mark.parametrize(("fields", "label"), [
    ({"authority": "OFAC", "list_name": "SDN", "program": "RUSSIA-EO14024",
      "listed_from": date(2022, 6, 28)}, "OFAC SDN RUSSIA-EO14024 since 2022-06-28"),
    ({"authority": "HMT", "list_name": "", "program": None}, "HMT"),
    ({}, "UK listing"),
])
def test_listing_label(fields: dict[str, Any], label: str) -> None:
    d = Designation(id="d", entity_id="x", regime="uk", source=Source(source="test"), **fields)
    assert listing_label(d) == label


def test_non_blocking_evidence_agrees_with_the_score() -> None:
    """The listings a verdict names as non-blocking are those the score's other_listing
    contribution counts, regime by regime."""
    rules = load_rules(ROOT / "rules")
    facts = dataset(listings=[("x", "us", SSI_DAY, None, "sectoral"),
                              ("x", "us", None, None, "export_control"),
                              ("x", "uk", None, None, "sectoral")])
    result = score(evaluate(GraphData.from_dataset(facts), rules, AS_OF), "x")
    named = {code: sorted(p.id for e in v.evidence if e.kind == "non_blocking"
                          for p in e.path if p.type == "listing")
             for code, v in result.regimes.items()}
    scored = {c.regime: sorted(p.id for p in c.path) for c in result.contributions
              if c.factor == "other_listing"}
    assert {code: ids for code, ids in named.items() if ids} == scored
    assert sorted(scored) == ["uk", "us"]


def test_possible_control_through_a_joint_arrangement_partner_reaches_the_listing() -> None:
    # e1 controls e0 and is possibly owned by e0 (unknown share), whose joint-arrangement
    # partner e2 is designated: e0's evidence goes on from e1 to e2's listing (found by
    # hypothesis in test_every_verdict_is_explained; the walk alone stopped at e1)
    g = graph(owns=[("e0", "e1", None)],
              controls=[("e0", "e2", "joint_arrangement"), ("e1", "e0", "board_appointment")],
              listings=[("e2", "r")], extra=["e0", "e1", "e2"])
    p = RegimeParams(ownership_test="per_person", threshold=25.0, inclusive=False,
                     control_kinds=("board_appointment",), joint_arrangement_partners=True)
    verdict = explain_verdict(g, derive_regime(g, "r", p), p, g.index["e0"])
    assert [(e.kind, [i.id for i in e.path]) for e in verdict.evidence] == [
        ("possibly_owned", ["e0", "c1", "e1", "o0", "e0", "c0", "e2", "d0"])]
