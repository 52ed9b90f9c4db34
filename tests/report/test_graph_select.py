"""Which ties the exposure graph draws: the two breadth-first passes against an
enumeration of every walk, the caps, and that every drawn tie is a fact of the data."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from riskengine.graph import Graph
from riskengine.report.graph_select import (
    FAMILIES,
    Caps,
    family_arrays,
    qualifying,
    select,
)
from tests.report.helpers import graph_of, verdicts_of


def walk_reference(g: Graph, blocked: set[int], focus: int, depth: int) -> set[tuple[int, int]]:
    """(family number, row) of every tie on a walk of at most ``depth`` hops from ``focus``
    to a blocked party through unblocked parties only, and of the focus's own ties: every
    walk enumerated."""
    steps: list[tuple[int, int, tuple[int, int]]] = []
    for k, name in enumerate(FAMILIES):
        f = family_arrays(g)[name]
        for r in range(len(f)):
            a, b = int(f.src[r]), int(f.dst[r])
            steps += [(a, b, (k, r)), (b, a, (k, r))]
    found = {key for a, _b, key in steps if a == focus}

    def walk(at: int, used: list[tuple[int, int]], left: int) -> None:
        if at in blocked and used:
            found.update(used)
            return
        if left == 0 or (at in blocked and at != focus):
            return
        for a, b, key in steps:
            if a == at:
                walk(b, [*used, key], left - 1)

    walk(focus, [], depth)
    return found


TIES = st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7), st.sampled_from(["own", "rel"]))
                .filter(lambda t: t[0] != t[1]), max_size=14)


@settings(max_examples=150, deadline=None)
@given(ties=TIES, blocked=st.sets(st.integers(0, 7), max_size=3), focus=st.integers(0, 7),
       depth=st.integers(1, 4))
def test_qualifying_ties_are_those_on_walks_to_blocked_parties(
        ties: list[tuple[int, int, str]], blocked: set[int], focus: int, depth: int) -> None:
    g = graph_of(8, ties)
    verdicts = verdicts_of(8, blocked)
    _u, _v, fam, row = qualifying(g, verdicts["us"].blocked, focus, depth)
    got = set(zip(fam.tolist(), row.tolist(), strict=True))
    assert got == walk_reference(g, blocked, focus, depth)


@settings(max_examples=150, deadline=None)
@given(ties=TIES, blocked=st.sets(st.integers(0, 7), max_size=3), focus=st.integers(0, 7),
       per_node=st.integers(1, 4), most=st.integers(1, 8))
def test_caps_hold_and_every_drawn_tie_is_in_the_data(
        ties: list[tuple[int, int, str]], blocked: set[int], focus: int, per_node: int,
        most: int) -> None:
    g = graph_of(8, ties)
    caps = Caps(max_depth=3, ties_per_node=per_node, max_nodes=most)
    sel = select(g, verdicts_of(8, blocked), focus, caps)
    drawn = {p.index for p in sel.parties}
    assert len(drawn) == len(sel.parties) <= most
    assert sel.parties[0].index == focus
    for p in sel.parties:
        assert sum(1 for q in sel.parties if q.via == p.index) <= per_node
    allowed = walk_reference(g, blocked, focus, 3)
    for link in sel.links:
        f = family_arrays(g)[link.family]
        assert (int(f.src[link.row]), int(f.dst[link.row])) == (link.src, link.dst)
        assert (FAMILIES.index(link.family), link.row) in allowed
        assert {link.src, link.dst} <= drawn


@settings(max_examples=100, deadline=None)
@given(ties=TIES, blocked=st.sets(st.integers(0, 7), max_size=3), focus=st.integers(0, 7))
def test_uncapped_drawing_holds_every_qualifying_tie(
        ties: list[tuple[int, int, str]], blocked: set[int], focus: int) -> None:
    g = graph_of(8, ties)
    sel = select(g, verdicts_of(8, blocked), focus, Caps(3, 100, 100))
    drawn = {(FAMILIES.index(link.family), link.row) for link in sel.links}
    assert drawn == walk_reference(g, blocked, focus, 3)
    assert all(p.more == 0 for p in sel.parties)


def test_a_hub_is_capped_and_counts_what_it_leaves_out() -> None:
    n = 401  # e0 ties to 400 suppliers, one of them blocked
    g = graph_of(n, [(0, k, "rel") for k in range(1, n)])
    sel = select(g, verdicts_of(n, {250}), 0, Caps(3, 12, 60))
    assert len(sel.parties) == 13
    assert sel.parties[0].more == n - 1 - 12
    assert "e250" in {p.id for p in sel.parties[:2]}  # the blocked one is drawn first
