"""The dry run's reuse of known tie exposure (``exposure.reuse.updated_ties``) against its
reference, ``tie_cents`` of the proposed side computed from scratch: equal in every cent on
random graphs with random edits (facts added and removed, seeds changed, scoring fields
changed), and a seed far from every edit is never propagated again."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskengine.derive.base import RegimeArrays
from riskengine.exposure import reuse
from riskengine.exposure.reuse import Side, updated_ties
from riskengine.exposure.score import tie_cents
from riskengine.graph import BoolArray, Graph
from tests.exposure.helpers import arrays, dataset, graph, rules

REGIMES = ("us", "eu")
KINDS = ("technology_licence", "joint_venture", "component_supply", "officer")
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@contextmanager
def limit(value: float) -> Iterator[None]:
    """``reuse.PARTIAL_LIMIT`` set for a block (1.0: the partial update always taken)."""
    kept = reuse.PARTIAL_LIMIT
    reuse.PARTIAL_LIMIT = value
    try:
        yield
    finally:
        reuse.PARTIAL_LIMIT = kept


def _facts(draw: st.DrawFn, ids: list[str]) -> tuple[list[Any], list[Any]]:
    node = st.sampled_from(ids)
    share = st.sampled_from([None, 10.0, 30.0, 50.0, 60.0, 100.0])
    owns = draw(st.lists(st.tuples(node, node, share), max_size=len(ids)))
    ties = draw(st.lists(st.tuples(node, node, st.sampled_from(KINDS)), max_size=len(ids)))
    return owns, ties


def _verdicts(draw: st.DrawFn, g: Graph, ids: list[str]) -> dict[str, RegimeArrays]:
    some = st.lists(st.sampled_from(ids), max_size=3)
    return {r: arrays(g, r, draw(some), (), draw(some)) for r in REGIMES}


def _touched(g: Graph, *names: tuple[Any, ...]) -> BoolArray:
    mask = np.zeros(g.n, dtype=np.bool_)
    for fact in names:
        for ref in fact[:2]:
            mask[g.index[ref]] = True
    return mask


SCORING_EDITS: list[dict[str, Any]] = [
    {}, {"unblocked_cap": 40.0}, {"other_listing": 0.2}, {"decay": 0.8},
    {"regime_weights": {"us": 0.9, "eu": 0.3, "uk": 0.4}}, {"possibly_blocked": 0.3},
    {"max_depth": 2}]


@st.composite
def edits(draw: st.DrawFn) -> tuple[Side, Side, BoolArray]:
    """(old side, new side, the entities the facts added or removed name)."""
    ids = [f"e{i}" for i in range(draw(st.integers(3, 24)))]
    owns, ties = _facts(draw, ids)
    more_owns, more_ties = _facts(draw, ids)
    gone = draw(st.lists(st.integers(0, max(len(ties) - 1, 0)), max_size=2)) if ties else []
    kept_ties = [t for k, t in enumerate(ties) if k not in gone]
    old_g = graph(dataset(ids, owns=owns, relations=ties, listings=[(ids[0], "us")]))
    new_g = graph(dataset(ids, owns=owns + more_owns, relations=kept_ties + more_ties,
                          listings=[(ids[0], "us")]))
    old_v = _verdicts(draw, old_g, ids)
    new_v = old_v if draw(st.booleans()) else _verdicts(draw, new_g, ids)
    depth = draw(st.integers(1, 4))
    old_s = rules(max_depth=depth)
    new_s = rules(**{"max_depth": depth, **draw(st.sampled_from(SCORING_EDITS))})
    moved = [*more_owns, *more_ties, *(ties[k] for k in gone)]
    return Side(old_g, old_v, old_s), Side(new_g, new_v, new_s), _touched(new_g, *moved)


def _same(found: dict[str, Any], want: dict[str, Any]) -> None:
    assert list(found) == list(want)
    for key, cents in want.items():
        assert np.array_equal(found[key], cents), key


@PROPERTY
@given(edits(), st.sampled_from([1.0, reuse.PARTIAL_LIMIT]))
def test_updated_ties_equal_tie_cents_from_scratch(case: tuple[Side, Side, BoolArray],
                                                   partial_limit: float) -> None:
    old, new, touched = case
    known = tie_cents(old.graph, old.verdicts, old.scoring)
    with limit(partial_limit):
        found = updated_ties(old, new, known, touched)
    _same(found, tie_cents(new.graph, new.verdicts, new.scoring))


def _chains(extra: list[tuple[str, str, str]]) -> Side:
    """Two separate chains, each starting at a listed party: a0-a1-a2-a3 and b0-...-b5."""
    ids = [f"a{i}" for i in range(4)] + [f"b{i}" for i in range(6)]
    ties = [(f"a{i}", f"a{i + 1}", "officer") for i in range(3)]
    ties += [(f"b{i}", f"b{i + 1}", "component_supply") for i in range(5)]
    g = graph(dataset(ids, relations=ties + extra, listings=[("a0", "us"), ("b0", "us")]))
    return Side(g, {"us": arrays(g, "us")}, rules())


def test_a_seed_far_from_the_edit_is_not_propagated_again(monkeypatch: Any) -> None:
    """A tie added at the far end of chain a: b0 (another seed, out of reach) is not
    propagated again, a0 is; the cents are those from scratch."""
    old, new = _chains([]), _chains([("a3", "a2", "joint_venture")])
    counted: list[dict[str, BoolArray]] = []

    def spy(g: Graph, verdicts: Any, scoring: Any, among: Any = None) -> Any:
        counted.append(among)
        return tie_cents(g, verdicts, scoring, among)

    known = tie_cents(old.graph, old.verdicts, old.scoring)
    monkeypatch.setattr(reuse, "tie_cents", spy)
    with limit(1.0):
        found = updated_ties(old, new, known, _touched(new.graph, ("a3", "a2")))
    _same(found, tie_cents(new.graph, new.verdicts, new.scoring))
    assert counted and all(among is not None for among in counted)  # no whole propagation
    for among in counted:
        assert among["us"][new.graph.index["a0"]] and not among["us"][new.graph.index["b0"]]


def test_an_unchanged_regime_is_not_propagated_at_all(monkeypatch: Any) -> None:
    """Only a band moved: every regime's cents are the known ones, nothing propagated."""
    old = _chains([])
    new = Side(old.graph, old.verdicts, rules(unblocked_cap=50.0))
    known = tie_cents(old.graph, old.verdicts, old.scoring)

    def never(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("propagated")

    monkeypatch.setattr(reuse, "tie_cents", never)
    found = updated_ties(old, new, known, np.zeros(old.graph.n, dtype=np.bool_))
    assert list(found) == list(known) and all(found[k] is known[k] for k in known)
