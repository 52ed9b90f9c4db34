"""Kernels of the derivation: packed sorts against numpy's stable argsort, exact threshold
arithmetic on shares that are legally exactly at the threshold, and int32 index arrays."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskengine.derive.base import RegimeArrays
from riskengine.derive.kernel import meets_units, pair_order, sort_order, to_units
from riskengine.derive.reference import reference_regime
from riskengine.derive.verdicts import derive_all, derive_regime
from riskengine.graph import Graph
from riskengine.ruleset.models import OwnershipTest, RegimeParams
from tests.derive.build import RULES, graph
from tests.derive.test_properties import FIELDS, facts, params

CHECKS = settings(max_examples=100, deadline=None)


@CHECKS
@given(keys=st.lists(st.integers(0, 40), max_size=60), big=st.booleans())
def test_sort_order_is_a_stable_argsort(keys: list[int], big: bool) -> None:
    # big: a bound too large to pack key and position, the fallback path
    arr = np.asarray(keys, dtype=np.int64)
    found = sort_order(arr, 2**62 if big else 41)
    assert found.tolist() == np.argsort(arr, kind="stable").tolist()


@CHECKS
@given(pairs=st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), max_size=60),
       narrow=st.booleans())
def test_pair_order_sorts_by_major_then_minor_stably(pairs: list[tuple[int, int]],
                                                     narrow: bool) -> None:
    dtype = np.int32 if narrow else np.int64
    major = np.asarray([p[0] for p in pairs], dtype=dtype)
    minor = np.asarray([p[1] for p in pairs], dtype=dtype)
    for n in (10, 2**31 - 1):  # 2**31 - 1: two passes, the pair does not pack
        expected = sorted(range(len(pairs)), key=lambda k: (pairs[k], k))
        assert pair_order(major, minor, n).tolist() == expected


# Holdings that add up to exactly 50% (in floats some of these sums are 50.00000000000001 or
# 49.99999999999999), and ones just above and below.
EXACT = [[25.0, 25.0], [33.33, 16.67], [5.0] * 10, [12.5] * 4, [0.1] * 50 + [45.0],
         [16.666666667, 33.333333333], [20.0, 20.0, 10.0], [49.99, 0.01], [33.3, 16.7],
         [0.7] * 10 + [43.0], [1.1] * 20 + [28.0]]
OFFSET = {"exact": 0.0, "above": 0.01, "below": -0.01}


def _aggregate_facts(parts: list[float]) -> dict[str, Any]:
    # each part held by a different listed owner: they add up (OFAC 50% rule, EU)
    owners = [f"x{k}" for k in range(len(parts))]
    return {"owns": [(o, "a", p) for o, p in zip(owners, parts, strict=True)],
            "listings": [(o, "r") for o in owners]}


def _per_person_facts(parts: list[float]) -> dict[str, Any]:
    # one designated person: the first part directly, the others through entities it owns
    # 100% of (indirect holdings pass through majority-held entities and add up)
    via = [f"m{k}" for k in range(1, len(parts))]
    return {"owns": [("p", "a", parts[0]), *(("p", m, 100.0) for m in via),
                     *((m, "a", q) for m, q in zip(via, parts[1:], strict=True))],
            "listings": [("p", "r")]}


BUILD = {"aggregate": _aggregate_facts, "per_person": _per_person_facts}


@pytest.mark.parametrize("test", ["aggregate", "per_person"])
@pytest.mark.parametrize("inclusive", [True, False])
@CHECKS
@given(parts=st.sampled_from(EXACT), where=st.sampled_from(sorted(OFFSET)),
       data=st.data())
def test_legally_exact_shares_meet_the_threshold_exactly(
        test: OwnershipTest, inclusive: bool, parts: list[float], where: str,
        data: st.DataObject) -> None:
    shuffled = data.draw(st.permutations(parts))
    shuffled[-1] = round(shuffled[-1] + OFFSET[where], 9)
    g = graph(**BUILD[test](list(shuffled)))
    p = RegimeParams(ownership_test=test, threshold=50, inclusive=inclusive)
    found = derive_regime(g, "r", p)
    blocked = where == "above" or (where == "exact" and inclusive)
    assert bool(found.owned[g.index["a"]]) is blocked
    expected = reference_regime(g, "r", p)
    assert [getattr(found, f).tolist() for f in FIELDS] == \
        [getattr(expected, f).tolist() for f in FIELDS]


@pytest.mark.parametrize(("shares", "threshold", "inclusive", "expected"), [
    ([25.0, 25.0], 50, True, True),
    ([25.0, 25.0], 50, False, False),
    ([33.33, 16.67], 50, True, True),
    ([33.33, 16.67], 50, False, False),
    ([0.1] * 10, 1, True, True),
    ([0.0], 0, True, False),  # a zero holding never meets, even a zero threshold
    ([49.999999999], 50, True, False),
    ([50.000000001], 50, False, True),
])
def test_meets_units_on_exact_sums(shares: list[float], threshold: float, inclusive: bool,
                                   expected: bool) -> None:
    total = to_units(np.asarray(shares)).sum(keepdims=True)
    p = RegimeParams(threshold=threshold, inclusive=inclusive)
    assert bool(meets_units(total, p)[0]) is expected


def narrowed(g: Graph) -> Graph:
    """``g`` with int32 node index arrays in every edge family."""
    def narrow(e: Any) -> Any:
        return dataclasses.replace(e, src=e.src.astype(np.int32), dst=e.dst.astype(np.int32))
    return dataclasses.replace(g, ownership=narrow(g.ownership), control=narrow(g.control),
                               relation=narrow(g.relation))


def _lists(arrays: RegimeArrays) -> list[list[bool]]:
    return [getattr(arrays, f).tolist() for f in FIELDS]


@pytest.mark.parametrize("test", ["aggregate", "per_person", "none"])
@CHECKS
@given(data=st.data())
def test_int32_indices_give_the_same_verdicts(test: OwnershipTest, data: st.DataObject) -> None:
    g, p = graph(**data.draw(facts())), data.draw(params(test))
    assert _lists(derive_regime(narrowed(g), "r", p)) == _lists(derive_regime(g, "r", p))


@settings(max_examples=40, deadline=None)
@given(drawn=facts())
def test_derive_all_shares_one_index_and_matches_each_regime(drawn: dict[str, Any]) -> None:
    # listings under us and uk only: eu has none (skipped), every regime as derived alone
    listings = [(e, "us" if k % 2 else "uk") for k, (e, _) in enumerate(drawn["listings"])]
    g = graph(**{**drawn, "listings": listings})
    found = derive_all(narrowed(g), RULES)
    for code, arrays in found.items():
        assert _lists(arrays) == _lists(derive_regime(g, code, RULES.params(code, g.as_of)))
