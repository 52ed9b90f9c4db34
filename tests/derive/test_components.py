"""``per_person.components`` (weakly connected components, our own numpy) against networkx
on random small graphs."""

from __future__ import annotations

import networkx as nx
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from riskengine.derive.per_person import components

edges = st.integers(1, 30).flatmap(
    lambda n: st.tuples(st.just(n), st.lists(st.tuples(st.integers(0, n - 1),
                                                         st.integers(0, n - 1)), max_size=40)))


@settings(max_examples=300, deadline=None)
@given(edges)
def test_components_equal_networkx(case: tuple[int, list[tuple[int, int]]]) -> None:
    n, pairs = case
    a = np.array([p[0] for p in pairs], dtype=np.int64)
    b = np.array([p[1] for p in pairs], dtype=np.int64)
    labels = components(n, a, b)
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from(pairs)
    expected = np.empty(n, dtype=np.int64)
    for part in nx.connected_components(g):
        expected[list(part)] = min(part)
    assert labels.tolist() == expected.tolist()
