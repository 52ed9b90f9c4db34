"""Whole-graph arrays the per-person explanation reads, made once per graph and kept in its
``memo`` (the graph never changes): the designated holders' group labels and partner keys,
the joint-arrangement partner mask, and the ownership CSR with shares in units. Made again
per explained entity they cost a pass over every designation and every ownership edge (tens
of milliseconds at a million entities) for an answer that needs a neighbourhood.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar, cast

import numpy as np

from riskengine.derive.aggregate import Shares, graph_index
from riskengine.derive.base import RegimeArrays
from riskengine.derive.kernel import Csr, group_closure, to_units
from riskengine.derive.per_person import group_labels, partner_keys
from riskengine.graph import BoolArray, Graph, IntArray
from riskengine.ruleset.models import RegimeParams

T = TypeVar("T")


def _kept(g: Graph, key: tuple[object, ...], owners: tuple[object, ...],
          make: Callable[[], T]) -> T:
    """``make()`` kept in ``g.memo`` under ``key`` while ``owners`` are the same objects."""
    found = g.memo.get(key)
    if isinstance(found, tuple) and len(found) == 2 and len(found[0]) == len(owners) and all(
            a is b for a, b in zip(found[0], owners, strict=True)):
        return cast(T, found[1])
    made = make()
    g.memo[key] = (owners, made)
    return made


@dataclass(frozen=True)
class Holders:
    """The designated holders of one regime: listed entities, their group labels (in index
    order) and the partner keys ``group * n + partner`` (``per_person``)."""

    listed: IntArray
    labels: IntArray
    partners: IntArray


def holders(g: Graph, arrays: RegimeArrays, params: RegimeParams) -> Holders:
    """``Holders`` of ``arrays``' regime on ``g`` under ``params`` (kept)."""
    def make() -> Holders:
        labels = group_labels(g, arrays.listed, params)
        return Holders(np.flatnonzero(arrays.listed), labels,
                       partner_keys(g, arrays.listed, params, labels))

    return _kept(g, ("derive.explain.holders", arrays.regime), (arrays, params), make)


def partner_mask(g: Graph, arrays: RegimeArrays, params: RegimeParams) -> BoolArray:
    """Joint-arrangement partners of designated holders, as a mask (kept)."""
    def make() -> BoolArray:
        found = np.zeros(g.n, dtype=np.bool_)
        found[holders(g, arrays, params).partners % g.n] = True
        return found

    return _kept(g, ("derive.explain.partners", arrays.regime), (arrays, params), make)


def _held(g: Graph, shares: Shares) -> tuple[Csr, IntArray]:
    return _kept(g, ("derive.explain.held", id(shares)), (shares,),
                 lambda: (shares.csr(), to_units(shares.data)))


def closure(g: Graph, shares: Shares, seed: IntArray, groups: int, params: RegimeParams
            ) -> IntArray:
    """``aggregate.least_fixpoint`` on ``shares`` without links: the sorted member keys,
    with the CSR and share units of ``shares`` kept (made once per graph and bound)."""
    held, units = _held(g, shares)
    return group_closure(shares.n, seed, groups, held, units, params, None)


def prepare(g: Graph, regimes: dict[str, tuple[RegimeArrays, RegimeParams]]) -> None:
    """Make now what the per-person explanations of ``g`` keep (a service warming up, so
    that its first such answer costs its neighbourhood too)."""
    for arrays, params in regimes.values():
        if params.ownership_test != "per_person" or not arrays.listed.any():
            continue
        holders(g, arrays, params)
        partner_mask(g, arrays, params)
        for bound in ("low", "high"):
            _held(g, graph_index(g).shares(bound))
