"""The per-person ownership test (UK, OFSI guidance on ownership and control).

Holdings of different designated persons are not added up. Each designated person, or each
group of designated persons linked by a joint arrangement (when the regime says so), is a
holder G tested alone:

* S_G: least set containing G where an entity joins when the members of S_G together hold
  a share in it meeting the threshold. A person's indirect holdings therefore pass only
  through entities it holds a majority in, and they add to its direct holdings.
* K_G: least set where an entity joins when a counted control edge reaches it from S_G or
  K_G, or when a single member of K_G holds a share in it meeting the threshold.

With ``joint_arrangement_partners`` (UK, Sch. 1 para 3) S_G starts from G and the
joint-arrangement partners of its members, designated or not: the partners' shares count as
G's. owned = union of (S_G minus G minus partners G does not itself hold enough of) minus the
listed; controlled = union of K_G minus the listed
and the owned. All S_G are computed at once as pairs ``group * n + entity`` grown from a
frontier over the ownership CSR (``kernel.group_closure``). K_G is plain reachability (no
shares are added up), and reachability from a union is the union of reachabilities, so the
union of all K_G is computed as one dense set: everything reached from the union of the S_G
by a counted control edge, then onwards by control edges and single qualifying holdings.
"""

from __future__ import annotations

import numpy as np

from riskengine.derive.aggregate import JOINT_ARRANGEMENT, flags, listed_mask
from riskengine.derive.base import RegimeArrays
from riskengine.derive.kernel import Csr, Kernel, closure, group_closure, meets_units
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
    if not mask.any():
        return np.arange(members.shape[0], dtype=np.int64)
    labels = components(g.n, ctl.src[mask].astype(np.int64), ctl.dst[mask].astype(np.int64))
    _, groups = np.unique(labels[members], return_inverse=True)
    return np.asarray(groups, dtype=np.int64).reshape(-1)


def components(n: int, a: IntArray, b: IntArray) -> IntArray:
    """Weakly connected component of each of ``n`` nodes under the edges ``a[i]-b[i]``:
    the least node index of its component. Each round joins every edge's ends under the
    lesser label, then follows labels to their roots (pointer jumping), until no edge joins
    two labels. (Our own few lines rather than scipy's csgraph: importing scipy costs a
    cold ``score`` about 0.15 s.)"""
    labels = np.arange(n, dtype=np.int64)
    while True:
        la, lb = labels[a], labels[b]
        if not (la != lb).any():
            return labels
        low = np.minimum(la, lb)
        np.minimum.at(labels, np.maximum(la, lb), low)
        while not np.array_equal(labels, jumped := labels[labels]):
            labels = jumped


def partner_keys(g: Graph, listed: BoolArray, params: RegimeParams, groups: IntArray
                 ) -> IntArray:
    """Sorted pair keys ``group * n + partner`` of the joint-arrangement partners of each
    designated holder outside its own group, designated or not, when
    ``params.joint_arrangement_partners`` (UK Russia Regulations 2019, Sch. 1 para 3 via
    reg. 7: each party to a joint arrangement is treated as holding the shares of both).
    A partner's holdings then count as the holder's; the partner itself is not owned by it
    unless the holder's holdings in it meet the test (``blocked_by``)."""
    if not params.joint_arrangement_partners:
        return np.zeros(0, dtype=np.int64)
    ctl = g.control
    ja = ctl.attrs["kind"] == JOINT_ARRANGEMENT
    ends = np.concatenate((ctl.src[ja], ctl.dst[ja])).astype(np.int64)
    other = np.concatenate((ctl.dst[ja], ctl.src[ja])).astype(np.int64)
    group_of = np.full(g.n, -1, dtype=np.int64)
    group_of[np.flatnonzero(listed)] = groups
    keep = listed[ends] & (ends != other) & (group_of[other] != group_of[ends])
    return np.unique(group_of[ends[keep]] * np.int64(g.n) + other[keep])


def holder_seed(g: Graph, listed: BoolArray, params: RegimeParams
                ) -> tuple[IntArray, int, IntArray]:
    """Sorted pair keys ``group * n + entity`` of the designated holders and their
    joint-arrangement partners, the group count, and the partner keys alone."""
    groups = group_labels(g, listed, params)
    count = int(groups.max()) + 1 if groups.size else 0
    partners = partner_keys(g, listed, params, groups)
    designated = groups * np.int64(g.n) + np.flatnonzero(listed)
    return np.union1d(designated, partners), count, partners


def _held_partners(k: Kernel, held_by: IntArray, partners: IntArray, units: IntArray,
                   params: RegimeParams) -> IntArray:
    """The partner keys whose group's holdings in the partner meet the test (a partner the
    holder majority-owns is owned by it). Few partners: one pass over their owners."""
    h, n = k.holdings, max(k.n, 1)
    found = []
    for key in partners.tolist():
        group, partner = divmod(key, n)
        into = np.flatnonzero(h.asset == partner)
        mine = np.isin(group * n + h.owner[into].astype(np.int64), held_by)
        if meets_units(np.asarray([units[into[mine]].sum()], dtype=np.int64), params)[0]:
            found.append(key)
    return np.asarray(found, dtype=np.int64)


def blocked_by(k: Kernel, listed: BoolArray, holders: tuple[IntArray, int, IntArray],
               params: RegimeParams, bound: str) -> tuple[BoolArray, BoolArray]:
    """(owned, controlled) entity flags for one share bound ('low' or 'high')."""
    seed, count, partners = holders
    h, n = k.holdings, max(k.n, 1)
    units = h.units(bound)
    held_by = group_closure(k.n, seed, count, Csr(h.ptr, h.asset), units, params)
    held = _held_partners(k, held_by, partners, units, params)
    joined = np.concatenate((held_by[~np.isin(held_by, seed)], held))
    owned = flags(k.n, joined % n) & ~listed
    counted = k.links.counted(params.control_kinds)
    # a partner's shares count as the holder's, its control edges do not (unless owned)
    controllers = held_by[~np.isin(held_by, np.setdiff1d(partners, held))]
    first = flags(k.n, k.controlled_by(np.unique(controllers % n).astype(np.int32), counted))
    reached, _ = closure(k, first, units, params, counted, single=True)
    return owned, reached & ~listed & ~owned


def derive_per_person(g: Graph, code: str, params: RegimeParams,
                      kernel: Kernel | None = None) -> RegimeArrays:
    """UK test: each designated holder alone; indirect holdings via majority-held entities.
    ``kernel``: the Graph's edge indexes when several regimes share them."""
    listed = listed_mask(g, code)
    if not listed.any():
        return RegimeArrays(code, listed, listed.copy(), listed.copy(), listed.copy())
    k, holders = kernel or Kernel.of(g), holder_seed(g, listed, params)
    owned, controlled = blocked_by(k, listed, holders, params, "low")
    high_owned, high_controlled = blocked_by(k, listed, holders, params, "high")
    possibly = listed | owned | controlled | high_owned | high_controlled
    return RegimeArrays(code, listed, owned, controlled, possibly)
