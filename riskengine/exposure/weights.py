"""Exposure edges of one regime, hub damping and seed strengths, as arrays.

An exposure edge ``target <- source`` says the target is exposed to the source's sanctions
status. Every number comes from ``ScoringRules``:

* ownership owner -> asset with share s: ``asset <- owner`` weighs ``owned_by * s / 100`` and
  ``owner <- asset`` weighs ``owns * s / 100`` (s: exact share, midpoint of a range, or
  ``unknown_share_assumed``);
* control c -> d of kind k: ``d <- c`` weighs ``controlled_by[k]`` (0 when not configured),
  ``c <- d`` weighs ``controls``;
* relationship a - b of kind k, both directions: ``relationships[k].for_regime(r)`` times the
  status factor (an ended tie halves every ``ended_half_life_years``).

Several facts between the same ordered pair keep the strongest. Weights are clipped to
[0, 1]: path strengths then never grow along a path, which the propagation relies on.

``AllRegimes`` serves the whole-graph scorer: the candidate edges of every regime are sorted
and grouped by ordered pair once; a regime only gathers its weights and takes each group's
maximum (only relationship weights depend on the regime).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from riskengine.derive.base import RegimeArrays
from riskengine.derive.kernel import Index, group_starts, pair_order
from riskengine.domain import CONTROL_KINDS, RELATION_KINDS
from riskengine.graph import STATUS_CODES, BoolArray, FloatArray, Graph, IntArray
from riskengine.ruleset.models import ScoringRules

Positions = npt.NDArray[np.int32] | npt.NDArray[np.int64]

# Role of an exposure edge: which fact family it comes from and which way it reads.
OWNED_BY, OWNS, CONTROLLED_BY, CONTROLS, RELATION = range(5)
ROLE_NAMES = ("owned_by", "owns", "controlled_by", "controls", "relation")


@dataclass(frozen=True)
class ExposureEdges:
    """Deduplicated exposure edges ``target <- source`` of one regime.

    role: one of OWNED_BY .. RELATION; row: index into the Graph's edge family of that role
    (``g.ownership``, ``g.control`` or ``g.relation``), naming the fact behind the edge.
    """

    target: IntArray
    source: IntArray
    weight: FloatArray
    role: IntArray
    row: IntArray

    def __len__(self) -> int:
        return int(self.target.shape[0])

    def take(self, index: IntArray | BoolArray) -> ExposureEdges:
        """The edges selected by an index array or mask."""
        return ExposureEdges(self.target[index], self.source[index], self.weight[index],
                             self.role[index], self.row[index])


@dataclass(frozen=True)
class Seeds:
    """Seeds of one regime: where exposure starts and where every path stops."""

    mask: BoolArray
    strength: FloatArray


def share_pct(g: Graph, scoring: ScoringRules) -> FloatArray:
    """Share in percent used for exposure, per ownership edge of ``g``."""
    attrs = g.ownership.attrs
    mid = (attrs["low"].astype(np.float64) + attrs["high"].astype(np.float64)) / 2.0
    known = attrs["known"].astype(np.bool_)
    return np.asarray(np.where(known, mid, scoring.ownership.unknown_share_assumed),
                      dtype=np.float64)


def _edges(target: IntArray, source: IntArray, weight: FloatArray, role: int) -> ExposureEdges:
    rows = np.arange(target.shape[0], dtype=np.int64)
    roles = np.full(target.shape[0], role, dtype=np.int64)
    return ExposureEdges(target, source, np.asarray(weight, dtype=np.float64), roles, rows)


def ownership_weights(g: Graph, scoring: ScoringRules) -> tuple[FloatArray, FloatArray]:
    """(owned_by, owns) weight of every ownership edge."""
    pct = share_pct(g, scoring) / 100.0
    return (np.asarray(scoring.ownership.owned_by * pct, dtype=np.float64),
            np.asarray(scoring.ownership.owns * pct, dtype=np.float64))


def control_weights(g: Graph, scoring: ScoringRules) -> tuple[FloatArray, FloatArray]:
    """(controlled_by, controls) weight of every control edge."""
    by_kind = np.asarray([scoring.control.controlled_by.get(k, 0.0) for k in CONTROL_KINDS],
                         dtype=np.float64)
    kind = g.control.attrs["kind"].astype(np.int64)
    return (np.asarray(by_kind[kind], dtype=np.float64),
            np.full(len(g.control), scoring.control.controls, dtype=np.float64))


def ownership_edges(g: Graph, scoring: ScoringRules) -> list[ExposureEdges]:
    """Both directions of every ownership edge."""
    owned_by, owns = ownership_weights(g, scoring)
    own = g.ownership
    return [_edges(own.dst, own.src, owned_by, OWNED_BY), _edges(own.src, own.dst, owns, OWNS)]


def control_edges(g: Graph, scoring: ScoringRules) -> list[ExposureEdges]:
    """Both directions of every control edge."""
    controlled_by, controls = control_weights(g, scoring)
    ctl = g.control
    return [_edges(ctl.dst, ctl.src, controlled_by, CONTROLLED_BY),
            _edges(ctl.src, ctl.dst, controls, CONTROLS)]


def status_factor(g: Graph, scoring: ScoringRules) -> FloatArray:
    """Per relationship edge: active, prospective, or ended and fading with time."""
    st = scoring.status
    by_code = {"prospective": st.prospective, "active": st.active, "ended": st.ended}
    table = np.asarray([by_code[s] for s in STATUS_CODES], dtype=np.float64)
    code = g.relation.attrs["status"].astype(np.int64)
    years = g.relation.attrs["ended_years"].astype(np.float64)
    fade = np.where(code == STATUS_CODES.index("ended"),
                    0.5 ** (years / st.ended_half_life_years), 1.0)
    return np.asarray(table[code] * fade, dtype=np.float64)


def relation_edges(g: Graph, scoring: ScoringRules, regime: str) -> list[ExposureEdges]:
    """Both directions of every relationship edge, weighted for ``regime``."""
    rel = g.relation
    weight = relation_weights(g, scoring, regime)
    return [_edges(rel.dst, rel.src, weight, RELATION), _edges(rel.src, rel.dst, weight, RELATION)]


def _concat(parts: list[ExposureEdges]) -> ExposureEdges:
    return ExposureEdges(*(np.concatenate([getattr(p, f) for p in parts])
                           for f in ("target", "source", "weight", "role", "row")))


def strongest(edges: ExposureEdges, n: int) -> ExposureEdges:
    """One edge per ordered (target, source) pair: the highest weight; among equal weights the
    first candidate in input order (role, then direction, then row). Zero weights and
    self-loops are dropped; weights are clipped to 1. Sorted by (target, source)."""
    keep = np.flatnonzero((edges.weight > 0) & (edges.target != edges.source))
    order = pair_order(edges.target[keep], edges.source[keep], max(n, 1))
    key = edges.target[keep][order] * np.int64(max(n, 1)) + edges.source[keep][order]
    weight = np.minimum(edges.weight[keep[order]], 1.0)
    if key.shape[0] == 0:
        return edges.take(keep)
    starts = group_starts(key)
    top = np.repeat(np.maximum.reduceat(weight, starts), np.diff(np.r_[starts, key.shape[0]]))
    at_top = np.flatnonzero(weight == top)
    pick = at_top[group_starts(key[at_top])]
    e = edges.take(keep[order[pick]])
    return ExposureEdges(e.target, e.source, weight[pick], e.role, e.row)


def exposure_edges(g: Graph, scoring: ScoringRules, regime: str) -> ExposureEdges:
    """All exposure edges of ``regime``, deduplicated, sorted by (target, source). (The
    reference of ``ByTarget``, which sorts the candidates once for every regime.)"""
    parts = ownership_edges(g, scoring) + control_edges(g, scoring)
    return strongest(_concat(parts + relation_edges(g, scoring, regime)), g.n)


@dataclass(frozen=True)
class ByTarget:
    """The candidate exposure edges of every regime sorted once by (target, source), for
    ``exposure_edges`` of each regime without a sort of its own (the explained score reads
    the edges of up to five regimes: at 1M entities each sort took about 2.5 s).

    ``order``: candidate positions (ownership, control, then twice the relationship edges,
    as ``exposure_edges`` concatenates them; self-loops dropped), stably sorted by pair, so
    that within a pair they keep their input order; ``key``: ``target * n + source`` there.
    """

    candidates: ExposureEdges  # weights of ownership and control; relationships' are 0
    order: IntArray
    key: IntArray

    @classmethod
    def of(cls, g: Graph, scoring: ScoringRules) -> ByTarget:
        rel = g.relation
        zero = np.zeros(len(rel), dtype=np.float64)
        both = _concat([*ownership_edges(g, scoring), *control_edges(g, scoring),
                        _edges(rel.dst, rel.src, zero, RELATION),
                        _edges(rel.src, rel.dst, zero, RELATION)])
        loose = np.flatnonzero(both.target != both.source)
        order = loose[pair_order(both.target[loose], both.source[loose], max(g.n, 1))]
        key = both.target[order].astype(np.int64) * np.int64(max(g.n, 1)) + both.source[order]
        return cls(both, order, key)

    def edges(self, g: Graph, scoring: ScoringRules, regime: str) -> ExposureEdges:
        """``exposure_edges(g, scoring, regime)``, the same arrays."""
        rel = relation_weights(g, scoring, regime)
        fixed = self.candidates.weight[:self.candidates.weight.shape[0] - 2 * rel.shape[0]]
        weight = np.concatenate([fixed, rel, rel])[self.order]
        pos = np.flatnonzero(weight > 0)
        key, weight = self.key[pos], np.minimum(weight[pos], 1.0)
        if key.shape[0] == 0:
            return self.candidates.take(self.order[pos])
        starts = group_starts(key)
        top = np.repeat(np.maximum.reduceat(weight, starts),
                        np.diff(np.r_[starts, key.shape[0]]))
        at_top = np.flatnonzero(weight == top)
        pick = at_top[group_starts(key[at_top])]
        e = self.candidates.take(self.order[pos[pick]])
        return ExposureEdges(e.target, e.source, weight[pick], e.role, e.row)


def relation_weights(g: Graph, scoring: ScoringRules, regime: str) -> FloatArray:
    """Weight of each relationship edge of ``g`` for ``regime`` (before clipping)."""
    by_kind = np.asarray(
        [scoring.relationships[k].for_regime(regime) if k in scoring.relationships else 0.0
         for k in RELATION_KINDS], dtype=np.float64)
    return np.asarray(by_kind[g.relation.attrs["kind"].astype(np.int64)]
                      * status_factor(g, scoring), dtype=np.float64)


@dataclass(frozen=True)
class AllRegimes:
    """The candidate exposure edges of every regime, grouped once by ordered pair.

    Candidates are ownership, control and twice the relationship edges, in that order
    (self-loops dropped); ``pick`` lists them sorted by (source, target), ``starts`` are the
    first positions of each pair there, ``ptr`` the CSR by source over the pairs."""

    n: int
    fixed: FloatArray  # ownership and control candidate weights (all regimes)
    pick: Positions  # int32 (int64 past 2^31 candidates or entities)
    starts: Positions
    ptr: IntArray
    target: Index

    @classmethod
    def of(cls, g: Graph, scoring: ScoringRules) -> AllRegimes:
        """Sort the candidates of ``g`` (one sort for every regime), in int32 where it fits:
        at 20M entities / 100M candidates the int64 way held about 8 GB at once."""
        n = max(g.n, 1)
        target, source = _ends(g, "dst"), _ends(g, "src")
        if n >= 2 ** 31 or target.shape[0] >= 2 ** 31:  # past int32: the int64 way
            return cls._of_wide(g, scoring)
        order = _stable_order(target, n)
        order = order[_stable_order(source[order], n)]  # by source, then target: stable
        src, dst = source[order], target[order]
        del source, target
        loose = src != dst  # self-loops dropped after the sort: the same order of the rest
        pick, src, dst = order[loose], src[loose], dst[loose]
        del order, loose
        starts = _pair_starts(src, dst)
        ptr = np.zeros(g.n + 1, dtype=np.int64)
        np.cumsum(np.bincount(src[starts], minlength=g.n), out=ptr[1:])
        return cls(g.n, _fixed(g, scoring), pick, starts, ptr, dst[starts])

    @classmethod
    def _of_wide(cls, g: Graph, scoring: ScoringRules) -> AllRegimes:
        """``of`` with int64 positions and keys (graphs past 2^31 entities or candidates)."""
        target = _ends(g, "dst").astype(np.int64)
        source = _ends(g, "src").astype(np.int64)
        kept = np.flatnonzero(target != source)
        order = pair_order(source[kept], target[kept], max(g.n, 1))
        src, dst = source[kept][order], target[kept][order]
        starts = group_starts(src * np.int64(max(g.n, 1)) + dst)
        ptr = np.zeros(g.n + 1, dtype=np.int64)
        np.cumsum(np.bincount(src[starts], minlength=g.n), out=ptr[1:])
        return cls(g.n, _fixed(g, scoring), kept[order], starts, ptr, dst[starts])

    def weights(self, g: Graph, scoring: ScoringRules, regime: str) -> FloatArray:
        """Per pair (``target``, CSR order): the strongest candidate weight clipped to 1."""
        rel = relation_weights(g, scoring, regime)
        weight = np.concatenate([self.fixed, rel, rel])[self.pick]
        if not weight.shape[0]:
            return weight
        return np.asarray(np.minimum(np.maximum.reduceat(weight, self.starts), 1.0),
                          dtype=np.float64)

    def degree(self) -> IntArray:
        """``degree(g)`` read off the pairs (each ordered pair of neighbours once, both
        directions of every family): no sort of its own."""
        return np.diff(self.ptr).astype(np.int64)


def _ends(g: Graph, end: str) -> npt.NDArray[np.int32]:
    """One end of every candidate (``end``: "dst" for targets, "src" for sources), in the
    candidates' order, int32: ownership edges then their reverses, control edges then their
    reverses (as ``ownership_edges`` and ``control_edges``), relationships both ways."""
    own, ctl, rel = g.ownership, g.control, g.relation
    other = "src" if end == "dst" else "dst"
    parts = [getattr(own, end), getattr(own, other), getattr(ctl, end), getattr(ctl, other),
             getattr(rel, end), getattr(rel, other)]
    return np.concatenate(parts, dtype=np.int32, casting="same_kind")


def _fixed(g: Graph, scoring: ScoringRules) -> FloatArray:
    """Ownership and control candidate weights, in the candidates' order."""
    return np.concatenate([np.zeros(0), *ownership_weights(g, scoring),
                           *control_weights(g, scoring)])


_BLOCK = 1 << 22  # positions packed a block at a time (no int64 range of every candidate)


def _stable_order(keys: npt.NDArray[np.int32], bound: int) -> npt.NDArray[np.int32]:
    """Stable argsort of non-negative ``keys`` below ``bound`` (< 2^31, as is len(keys)),
    as int32: key and position packed in one int64 sorted in place (``kernel.sort_order``
    with no second full-size array)."""
    m = int(keys.shape[0])
    bits = max((m - 1).bit_length(), 1)
    packed = keys.astype(np.int64)
    packed <<= np.int64(bits)
    for lo in range(0, m, _BLOCK):
        packed[lo:lo + _BLOCK] |= np.arange(lo, min(lo + _BLOCK, m), dtype=np.int64)
    packed.sort()
    packed &= np.int64((1 << bits) - 1)
    return packed.astype(np.int32)


def _pair_starts(src: npt.NDArray[np.int32], dst: npt.NDArray[np.int32]
                 ) -> npt.NDArray[np.int32]:
    """Where a new (src, dst) pair starts in pairs sorted by (src, dst)."""
    fresh = np.ones(src.shape[0], dtype=np.bool_)
    fresh[1:] = (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])
    return np.flatnonzero(fresh).astype(np.int32)


def degree(g: Graph) -> IntArray:
    """Distinct neighbours of each entity over all ownership, control and relationship edges
    in force in ``g`` (either direction, any regime, self-loops ignored)."""
    src = np.concatenate([g.ownership.src, g.control.src, g.relation.src])
    dst = np.concatenate([g.ownership.dst, g.control.dst, g.relation.dst])
    a, b = np.concatenate([src, dst]), np.concatenate([dst, src])
    pairs = np.sort(a[a != b] * np.int64(max(g.n, 1)) + b[a != b])
    pairs = pairs[group_starts(pairs)]
    return np.bincount(pairs // max(g.n, 1), minlength=g.n).astype(np.int64)


def damping(g: Graph, scoring: ScoringRules, known: IntArray | None = None) -> FloatArray:
    """Hub damping: 1 up to the reference degree, then (reference / degree) ** exponent
    (``known``: ``degree(g)``, when the caller has it)."""
    hub = scoring.hub_damping
    deg = (degree(g) if known is None else known).astype(np.float64)
    ratio = hub.reference_degree / np.maximum(deg, 1.0)
    return np.asarray(np.where(deg <= hub.reference_degree, 1.0, ratio ** hub.exponent),
                      dtype=np.float64)


def pass_factor(g: Graph, scoring: ScoringRules, known: IntArray | None = None) -> FloatArray:
    """What an intermediary multiplies a path's strength by: decay x its hub damping
    (``known``: ``degree(g)``, when the caller has it)."""
    return np.asarray(scoring.decay * damping(g, scoring, known), dtype=np.float64)


def seeds(verdict: RegimeArrays, scoring: ScoringRules) -> Seeds:
    """Blocked parties seed 1.0, possibly (not definitely) blocked ones ``possibly_blocked``."""
    blocked = verdict.blocked
    possibly = np.asarray(verdict.possibly, dtype=np.bool_) & ~blocked
    strength = np.where(blocked, 1.0, np.where(possibly, scoring.possibly_blocked, 0.0))
    return Seeds(np.asarray(blocked | possibly, dtype=np.bool_),
                 np.asarray(strength, dtype=np.float64))
