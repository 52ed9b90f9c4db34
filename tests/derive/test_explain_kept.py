"""The per-person explanation on the entity's neighbourhood (``explain_kept.local_closure``)
is the one the whole-graph fixed point gives (``aggregate.least_fixpoint``, the reference),
evidence for evidence, for every entity of random graphs, partners and groups included."""

from __future__ import annotations

from unittest import mock

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from riskengine.derive import explain_kept
from riskengine.derive.aggregate import Shares, graph_index, least_fixpoint
from riskengine.derive.explain import explain_verdict
from riskengine.derive.verdicts import derive_regime
from riskengine.graph import IntArray
from riskengine.ruleset.models import RegimeParams
from tests.derive.build import graph
from tests.derive.test_properties import facts, params


def _whole(shares: Shares, seed: IntArray, groups: int, p: RegimeParams,
           _near: IntArray) -> IntArray:
    return least_fixpoint(seed, groups, p, shares, None).members


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_local_closure_explains_as_the_whole_graph(data: st.DataObject) -> None:
    g, p = graph(**data.draw(facts())), data.draw(params("per_person"))
    arrays = derive_regime(g, "r", p)
    local = [explain_verdict(g, arrays, p, i) for i in range(g.n)]
    with mock.patch.object(explain_kept, "local_closure", _whole):
        whole = [explain_verdict(g, arrays, p, i) for i in range(g.n)]
    assert local == whole


def test_local_closure_keeps_the_seeds_and_the_members_near() -> None:
    # e0 (designated) holds 60% of e1, which holds 60% of e2 and of e3: S_G = {e0..e3};
    # near e2: {e0, e1, e2} (e3 is not an owner of anything near)
    g = graph(owns=[("e0", "e1", 60.0), ("e1", "e2", 60.0), ("e1", "e3", 60.0)],
              listings=[("e0", "r")], extra=["e0", "e1", "e2", "e3"])
    p = RegimeParams(ownership_test="per_person", threshold=50.0, inclusive=False)
    shares, seed = graph_index(g).shares("low"), np.asarray([g.index["e0"]], dtype=np.int64)
    near = np.asarray(sorted(g.index[e] for e in ("e0", "e1", "e2")), dtype=np.int64)
    found = explain_kept.local_closure(shares, seed, 1, p, near)
    assert sorted(g.ids[int(k) % g.n] for k in found) == ["e0", "e1", "e2"]
    assert sorted(g.ids[int(k)] for k in _whole(shares, seed, 1, p, near)) == \
        ["e0", "e1", "e2", "e3"]
