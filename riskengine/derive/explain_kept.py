"""What the per-person explanation of one entity reads of the whole graph, made once per
graph and kept in its ``memo`` (the graph never changes): the designated holders' group
labels and partner keys and the joint-arrangement partner mask (made again per explained
entity they cost a pass over every designation and control edge); and the holders' S_G
worked out on the entity's neighbourhood only (``local_closure``), not on every ownership
edge (at a million entities, a large holder's S_G took half a second per explanation).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar, cast

import numpy as np

from riskengine.derive.aggregate import Shares, graph_index
from riskengine.derive.base import RegimeArrays
from riskengine.derive.kernel import Csr, csr_ptr, gather, group_closure, to_units
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


def local_closure(shares: Shares, seed: IntArray, groups: int, params: RegimeParams,
                  near: IntArray) -> IntArray:
    """``aggregate.least_fixpoint`` (no links) on the holdings into the entities ``near``
    alone (arrays the size of the neighbourhood, not of the graph): every seed and, of each
    S_G, its members in ``near``.

    Exact when ``near`` holds every owner (kept by the explanation) of each of its entities,
    as ``explain.ancestors`` does: whether an entity joins S_G depends only on the holdings
    of S_G's members in it, and each such member is a seed or (being blocked, so kept) an
    owner reaching v, that is in ``near``; by induction along the fixed point, S_G's members
    in ``near`` join the local closure too, and it never holds more (fewer holdings)."""
    n = max(shares.n, 1)
    nodes = np.union1d(near, seed % n)
    pos, owner = gather(shares.ptr, nodes)
    asset = shares.dst[pos].astype(np.int64)
    at = np.minimum(np.searchsorted(nodes, asset), nodes.shape[0] - 1)
    inside = nodes[at] == asset
    m = int(nodes.shape[0])
    held = Csr(csr_ptr(owner[inside], m), at[inside].astype(np.int32))
    local = (seed // n) * m + np.searchsorted(nodes, seed % n)
    found = group_closure(m, local, groups, held, to_units(shares.data[pos[inside]]), params,
                          None)
    return (found // m) * n + nodes[found % m]


def prepare(g: Graph, regimes: dict[str, tuple[RegimeArrays, RegimeParams]]) -> None:
    """Make now what the per-person explanations of ``g`` keep (a service warming up, so
    that its first such answer costs its neighbourhood too)."""
    for arrays, params in regimes.values():
        if params.ownership_test != "per_person" or not arrays.listed.any():
            continue
        holders(g, arrays, params)
        partner_mask(g, arrays, params)
        for bound in ("low", "high"):
            graph_index(g).shares(bound)
