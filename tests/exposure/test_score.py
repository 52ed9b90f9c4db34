"""The explained ScoreResult: path items, labels, details, tie-breaking, time effects."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from riskengine.domain import Dataset, Source
from riskengine.exposure.explain import number
from riskengine.exposure.score import score_all, score_entity
from riskengine.result import Evidence, PathItem, RegimeVerdict, ScoreResult
from tests.exposure.helpers import AS_OF, arrays, dataset, graph, rules

IDS = ["x", "a", "b", "k"]
LISTING = PathItem(type="listing", id="d0", label="AUTH LIST TEST-PROGRAM since 2022-06-28",
                   source="test")


def explain(ds: Dataset, extra: dict[str, dict[str, list[str]]] | None = None,
            as_of: date = AS_OF, entity: str = "x", **changes: Any) -> ScoreResult:
    g = graph(ds, as_of)
    extra = extra or {}
    verdicts = {r: arrays(g, r, **extra.get(r, {})) for r in {"us", "eu", *g.listed, *extra}}
    return score_entity(g, verdicts, rules(**changes), g.index[entity], {})


def _entity(eid: str) -> PathItem:
    return PathItem(type="entity", id=eid, label=eid.upper())


def _edge(eid: str, label: str) -> PathItem:
    return PathItem(type="edge", id=eid, label=label, source="test")


def test_direct_tie_is_explained() -> None:
    ds = dataset(IDS, relations=[("x", "k", "technology_licence")], listings=[("k", "us")])
    (c,) = explain(ds).contributions
    assert c.detail == ("technology_licence (active) with K, blocked under us (listed):"
                        " path strength 0.60 x us weight 0.50")
    assert c.path == (_entity("x"), _edge("r0", "technology_licence (active) with"),
                      _entity("k"), LISTING)


def test_two_hop_tie_is_explained_hop_by_hop() -> None:
    ds = dataset(IDS, owns=[("a", "x", 60.0)], relations=[("a", "k", "technology_licence")],
                 listings=[("k", "us")])
    (c,) = explain(ds).contributions
    assert c.detail == ("owned 60% by A, which is technology_licence (active) with K,"
                        " blocked under us (listed): path strength 0.18 x us weight 0.50")
    assert [p.id for p in c.path] == ["x", "o0", "a", "r0", "k", "d0"]


# (case id, facts between x and k, label of the edge item)
LABELS: list[tuple[str, dict[str, Any], str]] = [
    ("owned", {"owns": [("k", "x", 47.0)]}, "owned 47% by"),
    ("owns", {"owns": [("x", "k", 60.0)]}, "owns 60% of"),
    ("share range", {"owns": [("k", "x", (20.0, 30.0))]}, "owned 20-30% by"),
    ("unknown share", {"owns": [("k", "x", None)]}, "owned (share unknown) by"),
    ("controlled", {"controls": [("k", "x", "board_appointment")]},
     "controlled (board_appointment) by"),
    ("controls", {"controls": [("x", "k", "management")]}, "controls (management)"),
    ("prospective", {"relations": [("x", "k", "officer", "prospective")]},
     "officer (prospective) with"),
    ("ended", {"relations": [("k", "x", "component_supply", "ended", date(2020, 1, 1))]},
     "component_supply (ended 4.0 years ago) with"),
]


@pytest.mark.parametrize(("facts", "label"), [c[1:] for c in LABELS],
                         ids=[c[0] for c in LABELS])
def test_edge_labels(facts: dict[str, Any], label: str) -> None:
    (c,) = explain(dataset(IDS, listings=[("k", "us")], **facts)).contributions
    assert c.path[1].label == label
    assert c.detail.startswith(f"{label} K, blocked under us (listed)")


# (case id, extra verdicts making k a seed, listing item label, status in the detail)
SEEDS = [
    ("owned", {"eu": {"owned": ["k"]}}, "blocked under eu: owned by listed parties",
     "blocked under eu (owned)"),
    ("controlled", {"eu": {"controlled": ["k"]}},
     "blocked under eu: controlled by listed parties", "blocked under eu (controlled)"),
    ("possibly", {"eu": {"possibly": ["k"]}},
     "possibly blocked under eu: owned by listed parties if shares of unknown or ranged size"
     " are at their upper bound", "possibly blocked under eu"),
]


@pytest.mark.parametrize(("extra", "label", "status"), [c[1:] for c in SEEDS],
                         ids=[c[0] for c in SEEDS])
def test_why_a_seed_is_blocked(extra: dict[str, dict[str, list[str]]], label: str,
                               status: str) -> None:
    ds = dataset(IDS, relations=[("x", "k", "officer")])
    (c,) = explain(ds, extra).contributions
    assert c.path[-1] == PathItem(type="listing", id="k", label=label)
    assert f"K, {status}: path strength" in c.detail


# (case id, relations, rule changes, entity ids of the path shown)
TIES: list[tuple[str, list[tuple[str, ...]], dict[str, Any], list[str]]] = [
    ("equal strength: fewer hops",
     [("x", "k", "component_supply"), ("x", "a", "officer"), ("a", "k", "officer")], {},
     ["x", "k"]),
    ("equal strength and hops: smaller ids",
     [("x", "b", "officer"), ("b", "k", "officer"), ("x", "a", "officer"),
      ("a", "k", "officer")], {}, ["x", "a", "k"]),
    ("higher strength beats fewer hops",
     [("x", "k", "component_supply"), ("x", "b", "officer"), ("b", "k", "officer")],
     {"decay": 0.8}, ["x", "b", "k"]),
]


@pytest.mark.parametrize(("relations", "changes", "path"), [c[1:] for c in TIES],
                         ids=[c[0] for c in TIES])
def test_path_tie_breaking(relations: list[tuple[str, ...]], changes: dict[str, Any],
                           path: list[str]) -> None:
    ds = dataset(IDS, relations=relations, listings=[("k", "us")])
    (c,) = explain(ds, **changes).contributions
    assert [p.id for p in c.path if p.type == "entity"] == path


def test_ended_ties_fade_with_time() -> None:
    ds = dataset(IDS, relations=[("x", "k", "officer", "ended", date(2023, 1, 1))],
                 listings=[("k", "us")])
    # officer 1.0 x ended 0.3 x 0.5 ** (years / 2) x 100 x us weight 0.5
    scores = [explain(ds, as_of=date(y, 1, 1)).score for y in (2023, 2025, 2027, 2035)]
    assert scores == [15.0, 7.5, 3.75, 0.23]


def test_prospective_ties_weigh_less_than_active_ones() -> None:
    scores = [explain(dataset(IDS, relations=[("x", "k", "officer", status)],
                              listings=[("k", "us")])).score
              for status in ("active", "prospective")]
    assert scores == [50.0, 20.0]


def test_citation_and_notes_of_the_fact() -> None:
    ds = dataset(IDS, relations=[("x", "k", "officer")], listings=[("k", "us")])
    src = Source(source="ftm", record_id="R-1", published=date(2023, 5, 1), note="filing")
    rel = ds.relationships[0].model_copy(update={"source": src, "note": "director"})
    (c,) = explain(ds.model_copy(update={"relationships": (rel,)})).contributions
    assert c.path[1].source == "ftm #R-1 (2023-05-01); filing; director"


def test_blocked_entity_result() -> None:
    ds = dataset(IDS, relations=[("x", "k", "officer")], listings=[("x", "us")])
    verdict = RegimeVerdict(status="listed", blocked=True, possibly_blocked=True,
                            evidence=(Evidence(kind="listed", detail="listed"),))
    g = graph(ds)
    result = score_entity(g, {"us": arrays(g, "us")}, rules(), 0, {"us": verdict})
    assert (result.entity.id, result.entity.name, result.score, result.band, result.flags) == (
        "x", "X", 100.0, "blocked", ())
    assert result.regimes == {"us": verdict}
    (c,) = result.contributions
    assert (c.detail, c.path) == (
        "blocked under us (listed): AUTH LIST TEST-PROGRAM since 2022-06-28", (LISTING,))
    assert result.to_json_dict()["score"] == 100.0


def test_blocked_through_ownership_cites_the_verdict_evidence() -> None:
    g = graph(dataset(IDS, owns=[("k", "x", 60.0)], listings=[("k", "eu")]))
    path = (PathItem(type="entity", id="k", label="K"), PathItem(type="edge", id="o0",
                                                                label="owns 60% of"))
    verdict = RegimeVerdict(status="owned", blocked=True, possibly_blocked=True, evidence=(
        Evidence(kind="owned", detail="60% owned by listed K", path=path),))
    result = score_entity(g, {"eu": arrays(g, "eu", owned=["x"])}, rules(), 0, {"eu": verdict})
    (c,) = result.contributions
    assert (c.factor, c.detail, c.path) == (
        "blocked", "blocked under eu (owned): 60% owned by listed K", path)


def test_other_listing_detail_names_the_listing() -> None:
    ds = dataset(IDS, listings=[("x", "eu", "sectoral")])
    (c,) = explain(ds).contributions
    assert c.detail == ("non-blocking listing under eu (AUTH LIST TEST-PROGRAM since"
                        " 2022-06-28): 100 x eu weight 0.30 x 0.50")
    assert c.path == (LISTING,)


def test_score_table() -> None:
    ds = dataset(IDS, relations=[("x", "k", "officer")], listings=[("k", "us")])
    g = graph(ds)
    table = score_all(g, {"us": arrays(g, "us")}, rules())
    assert table.ids == tuple(IDS)
    assert table.score.tolist() == [50.0, 0.0, 0.0, 100.0]
    assert table.blocked_any.tolist() == [False, False, False, True]
    assert [table.band_of(i) for i in range(4)] == ["high", "none", "none", "blocked"]


def test_empty_graph() -> None:
    g = graph(dataset([]))
    table = score_all(g, {"us": arrays(g, "us")}, rules())
    assert (table.ids, table.score.tolist(), table.band.tolist()) == ((), [], [])


@pytest.mark.parametrize(("value", "text"), [(0.6, "0.60"), (0.125, "0.125"),
                                             (0.0444444, "0.0444"), (0.0012, "0.0012")])
def test_numbers_in_details(value: float, text: str) -> None:
    assert number(value) == text
