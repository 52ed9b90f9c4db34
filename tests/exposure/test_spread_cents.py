"""``spread_cents`` (the whole-graph score's kernel: cents summed per entity, no merge of the
steps) against ``spread`` followed by a sum per node, on random small graphs, from random
groups of seeds (every seed still stopping every path)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from riskengine.exposure import factors
from riskengine.exposure.propagate import Out, adjacency, spread, spread_cents
from riskengine.exposure.weights import (
    AllRegimes,
    Seeds,
    degree,
    exposure_edges,
    pass_factor,
    seeds,
)
from tests.exposure.test_properties import PROPERTY, Case, cases


def _out(case: Case, r: str) -> Out:
    edges = exposure_edges(case.g, case.scoring, r)
    adj = adjacency(edges.source, case.g.n)
    return Out(adj.indptr, edges.target[adj.order], edges.weight[adj.order])


@PROPERTY
@given(cases(), st.data())
def test_cents_are_the_sum_of_the_strongest_rows(case: Case, data: st.DataObject) -> None:
    passes = pass_factor(case.g, case.scoring)
    limits = (case.scoring.max_depth, case.scoring.min_strength)
    for r, v in case.verdicts.items():
        s = seeds(v, case.scoring)
        every = np.flatnonzero(s.mask)
        some = every[np.asarray(data.draw(st.lists(st.booleans(), min_size=every.size,
                                                   max_size=every.size)), dtype=np.bool_)]
        mask = np.zeros(case.g.n, dtype=np.bool_)
        mask[some] = True
        out = _out(case, r)
        reach = spread(out, case.g.n, Seeds(mask, s.strength), passes, *limits, stop=s.mask)

        def cents(strength: np.ndarray, r: str = r) -> np.ndarray:
            return factors.to_cents(factors.tie_exposure(case.scoring, r, strength))

        want = np.zeros(case.g.n, dtype=np.int64)
        np.add.at(want, reach.node, cents(reach.strength))
        got = np.zeros(case.g.n, dtype=np.int64)
        spread_cents(out, (some, s.strength[some]), passes, limits, s.mask, cents, got)
        assert got.tolist() == want.tolist()


@PROPERTY
@given(cases())
def test_degree_read_off_the_shared_pairs_is_the_degree(case: Case) -> None:
    assert AllRegimes.of(case.g, case.scoring).degree().tolist() == degree(case.g).tolist()
