"""The per-person ownership test (UK, OFSI guidance on ownership and control).

Holdings of different designated persons are not added up. Each designated person, or each
group of designated persons linked by a joint arrangement (when the regime says so), is a
holder G tested alone:

* S_G: least set containing G where an entity joins when the members of S_G together hold
  a share in it meeting the threshold. A person's indirect holdings therefore pass only
  through entities it holds a majority in, and they add to its direct holdings.
* K_G: least set where an entity joins when a counted control edge reaches it from S_G or
  K_G, or when a single member of K_G holds a share in it meeting the threshold.

owned = union of (S_G minus G) minus the listed; controlled = union of K_G minus the listed
and the owned. All S_G are computed at once: a groups x entities sparse membership matrix is
iterated with sparse products (see ``aggregate.least_fixpoint``). K_G is plain reachability
(no shares are added up), and reachability from a union is the union of reachabilities, so
the union of all K_G is computed as one set: everything reached from the union of the S_G by
a counted control edge, then onwards by control edges and single qualifying holdings.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse.csgraph import connected_components

from riskengine.derive.aggregate import (
    JOINT_ARRANGEMENT,
    Matrices,
    Sparse,
    contains,
    flags,
    least_fixpoint,
    listed_mask,
    matrix,
    meeting,
    step,
)
from riskengine.derive.base import RegimeArrays
from riskengine.graph import BoolArray, Graph, IntArray
from riskengine.ruleset.models import RegimeParams


def group_labels(g: Graph, listed: BoolArray, params: RegimeParams) -> IntArray:
    """Group number (0..m-1) of each listed entity, in index order.

    Listed entities connected by joint_arrangement control edges with both ends listed form
    one group when ``params.joint_arrangements_aggregate``; otherwise each is its own group.
    """
    members = np.flatnonzero(listed)
    if not params.joint_arrangements_aggregate:
        return np.arange(members.shape[0], dtype=np.int64)
    ctl = g.control
    mask = (ctl.attrs["kind"] == JOINT_ARRANGEMENT) & listed[ctl.src] & listed[ctl.dst]
    links = matrix(ctl.src[mask], ctl.dst[mask], np.ones(int(mask.sum())), (g.n, g.n))
    _, labels = connected_components(links, directed=True, connection="weak")
    _, groups = np.unique(labels[members], return_inverse=True)
    return np.asarray(groups, dtype=np.int64).reshape(-1)


def holder_seed(g: Graph, listed: BoolArray, params: RegimeParams) -> tuple[IntArray, int]:
    """Sorted pair keys ``group * n + entity`` of the designated holders, and the group count."""
    groups = group_labels(g, listed, params)
    count = int(groups.max()) + 1 if groups.size else 0
    return np.sort(groups * g.n + np.flatnonzero(listed)), count


def blocked_by(g: Graph, listed: BoolArray, holders: tuple[IntArray, int],
               params: RegimeParams, shares: Sparse, control: Sparse
               ) -> tuple[BoolArray, BoolArray]:
    """(owned, controlled) entity flags for one share bound (lower or upper)."""
    seed, count = holders
    held_by = least_fixpoint(seed, count, params, shares, None).members
    owned = flags(g.n, held_by[~contains(seed, held_by)] % g.n) & ~listed
    first, _ = step(np.unique(held_by % g.n), 1, control)
    links = control + meeting(shares, params)
    reached = least_fixpoint(first, 1, params, None, links).members
    return owned, flags(g.n, reached) & ~listed & ~owned


def derive_per_person(g: Graph, code: str, params: RegimeParams) -> RegimeArrays:
    """UK test: each designated holder alone; indirect holdings via majority-held entities."""
    listed = listed_mask(g, code)
    mats, holders = Matrices.build(g, params), holder_seed(g, listed, params)
    owned, controlled = blocked_by(g, listed, holders, params, mats.low, mats.control)
    high_owned, high_controlled = blocked_by(g, listed, holders, params, mats.high, mats.control)
    possibly = listed | owned | controlled | high_owned | high_controlled
    return RegimeArrays(code, listed, owned, controlled, possibly)
