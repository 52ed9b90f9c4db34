"""Which parties and ties the exposure graph of one entity draws (pure; arrays).

The drawing answers "why is this entity exposed": the entity, its own ties, and every tie
on a walk of at most ``max_depth`` hops from it to a blocked party (blocked under any
regime) that steps through no other blocked party before its end. Walks rather than
simple paths, because exposure propagates along walks (``exposure.propagate``), and the
first blocked party ends a walk because that is where exposure is seeded. A tie u-v is on
such a walk exactly when ``reach[u] + 1 + to_blocked[v] <= max_depth`` with ``u`` the entity
or unblocked (``reach``: hops from the entity through unblocked parties; ``to_blocked``:
hops to the nearest blocked party): two breadth-first passes over the edge arrays, whatever
the graph's size. ``tests/report`` checks this against an enumeration of every walk.

A hub stays readable: each party introduces at most ``ties_per_node`` new parties (those on
the score's evidence paths first, then blocked ones, then by name) and the drawing holds at
most ``max_nodes``; what is left out is counted on the party as "+N more".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from riskengine.derive.base import RegimeArrays
from riskengine.graph import EdgeArrays, Graph
from riskengine.result import PathItem, ScoreResult

FAMILIES = ("ownership", "control", "relation")
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Caps:
    """How much one drawing holds (``ruleset.report.ReportRules`` gives the figures)."""

    max_depth: int = 3
    ties_per_node: int = 12
    max_nodes: int = 60


@dataclass(frozen=True)
class Party:
    """A drawn party: ``layer`` hops from the entity in the drawing, ``via`` the party that
    introduced it, ``status`` regime -> listed/owned/controlled where blocked, ``possibly``
    the regimes where it may be blocked, ``more`` its tied parties left out."""

    index: int
    id: str
    name: str
    layer: int
    via: int | None
    status: tuple[tuple[str, str], ...] = ()
    possibly: tuple[str, ...] = ()
    more: int = 0


@dataclass(frozen=True)
class Link:
    """A drawn tie: row ``row`` of the graph's ``family`` arrays, from ``src`` to ``dst``
    (graph indices, in the fact's direction)."""

    family: str
    row: int
    src: int
    dst: int


@dataclass(frozen=True)
class Selection:
    """What to draw: parties in drawing order (the entity first) and ties between them."""

    focus: int
    parties: tuple[Party, ...]
    links: tuple[Link, ...]
    included: int = 0  # ties qualifying before the caps
    on_path: frozenset[str] = field(default_factory=frozenset)  # entity ids on evidence paths


def family_arrays(g: Graph) -> dict[str, EdgeArrays]:
    return {"ownership": g.ownership, "control": g.control, "relation": g.relation}


def blocked_any(g: Graph, verdicts: dict[str, RegimeArrays]) -> BoolArray:
    found = np.zeros(g.n, dtype=np.bool_)
    for v in verdicts.values():
        found |= v.blocked
    return found


def _both_ways(g: Graph) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Every tie in both directions: (from, to, family number, row)."""
    fams = family_arrays(g)
    u = [a for f in FAMILIES for a in (fams[f].src, fams[f].dst)]
    v = [a for f in FAMILIES for a in (fams[f].dst, fams[f].src)]
    fam = [np.full(len(fams[f]), k, dtype=np.int64) for k, f in enumerate(FAMILIES)
           for _ in (0, 1)]
    row = [np.arange(len(fams[f]), dtype=np.int64) for f in FAMILIES for _ in (0, 1)]
    return (np.concatenate(u).astype(np.int64), np.concatenate(v).astype(np.int64),
            np.concatenate(fam), np.concatenate(row))


def hops(n: int, u: IntArray, v: IntArray, start: BoolArray, passable: BoolArray,
         most: int) -> IntArray:
    """Hops from the ``start`` parties to each party (``most + 1``: farther), stepping on
    from ``passable`` parties only (breadth first over the edge arrays)."""
    far = most + 1
    dist = np.full(n, far, dtype=np.int64)
    dist[start] = 0
    for step in range(most):
        moving = (dist[u] == step) & passable[u] & (dist[v] > step + 1)
        if not moving.any():
            break
        dist[v[moving]] = step + 1
    return dist


def qualifying(g: Graph, blocked: BoolArray, focus: int, depth: int
               ) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """The directed tie steps (from, to, family, row) on a walk to a blocked party, and the
    entity's own ties (see the module docstring)."""
    u, v, fam, row = _both_ways(g)
    is_focus = np.zeros(g.n, dtype=np.bool_)
    is_focus[focus] = True
    passable = ~blocked | is_focus
    reach = hops(g.n, u, v, is_focus, passable, depth)
    to_blocked = hops(g.n, u, v, blocked, np.ones(g.n, dtype=np.bool_), depth)
    ok = (passable[u] & (reach[u] + 1 + to_blocked[v] <= depth)) | (u == focus)
    return u[ok], v[ok], fam[ok], row[ok]


def path_weights(result: ScoreResult | None) -> tuple[dict[str, float], frozenset[str]]:
    """Edge id -> the most points of a contribution whose path runs over it (0 for edges on
    verdict evidence only), and the entity ids on those paths."""
    if result is None:
        return {}, frozenset()
    weights: dict[str, float] = {}
    entities: set[str] = set()
    paths: list[tuple[float, Sequence[PathItem]]] = [(c.points, c.path)
                                                     for c in result.contributions]
    paths += [(0.0, e.path) for v in result.regimes.values() for e in v.evidence]
    for points, path in paths:
        for item in path:
            if item.type == "edge":
                weights[item.id] = max(weights.get(item.id, 0.0), points)
            elif item.type == "entity":
                entities.add(item.id)
    return weights, frozenset(entities)


def _status(verdicts: dict[str, RegimeArrays], i: int) -> tuple[tuple[str, str], ...]:
    return tuple((code, v.status(i)) for code, v in sorted(verdicts.items()) if v.blocked[i])


def _possibly(verdicts: dict[str, RegimeArrays], i: int) -> tuple[str, ...]:
    return tuple(code for code, v in sorted(verdicts.items())
                 if v.possibly[i] and not v.blocked[i])


def select(g: Graph, verdicts: dict[str, RegimeArrays], focus: int, caps: Caps,
           result: ScoreResult | None = None) -> Selection:
    """The parties and ties to draw for graph entity ``focus`` (module docstring)."""
    blocked = blocked_any(g, verdicts)
    u, v, fam, row = qualifying(g, blocked, focus, caps.max_depth)
    _weights, on_path = path_weights(result)
    neighbours = _neighbours(u, v)
    names = g.dataset.names

    def rank(j: int) -> tuple[bool, bool, str, str]:
        return (g.ids[j] not in on_path, not blocked[j], names[j] or "", g.ids[j])

    layer, via = _spread(focus, neighbours, rank, caps)
    parties = tuple(Party(j, g.ids[j], names[j] or g.ids[j], layer[j], via.get(j),
                          _status(verdicts, j), _possibly(verdicts, j),
                          len(neighbours.get(j, set()) - layer.keys()))
                    for j in sorted(layer, key=lambda j: (layer[j], rank(j))))
    links = _links(g, u, v, fam, row, layer.keys())
    return Selection(focus, parties, links, len(_distinct(fam, row)), on_path)


def _neighbours(u: IntArray, v: IntArray) -> dict[int, set[int]]:
    found: dict[int, set[int]] = {}
    for a, b in zip(u.tolist(), v.tolist(), strict=True):
        if a != b:
            found.setdefault(a, set()).add(b)
            found.setdefault(b, set()).add(a)
    return found


Rank = Callable[[int], tuple[bool, bool, str, str]]


def _spread(focus: int, neighbours: dict[int, set[int]], rank: Rank, caps: Caps
            ) -> tuple[dict[int, int], dict[int, int]]:
    """Breadth first from ``focus`` over the qualifying ties, each party introducing at most
    ``ties_per_node`` new ones, at most ``max_nodes`` in all: layer and introducer of each."""
    layer, via, queue = {focus: 0}, {}, [focus]
    for a in queue:  # the queue grows while it is read
        fresh = sorted((b for b in neighbours.get(a, ()) if b not in layer), key=rank)
        room = min(caps.ties_per_node, caps.max_nodes - len(layer))
        for b in fresh[:max(room, 0)]:
            layer[b], via[b] = layer[a] + 1, a
            queue.append(b)
    return layer, via


def _distinct(fam: IntArray, row: IntArray) -> set[tuple[int, int]]:
    return set(zip(fam.tolist(), row.tolist(), strict=True))


def _links(g: Graph, u: IntArray, v: IntArray, fam: IntArray, row: IntArray,
           drawn: Iterable[int]) -> tuple[Link, ...]:
    keep = np.zeros(g.n, dtype=np.bool_)
    keep[list(drawn)] = True
    both = keep[u] & keep[v]
    fams = family_arrays(g)
    chosen = sorted(_distinct(fam[both], row[both]))
    return tuple(Link(FAMILIES[f], r, int(fams[FAMILIES[f]].src[r]),
                      int(fams[FAMILIES[f]].dst[r])) for f, r in chosen)
