"""Scores: every entity at once (``score_all``, arrays only) or one entity with its
explanation (``score_entity``). Both give the same score for the same entity, to the cent.

Points are counted in whole cents (``factors.to_cents``): each contribution is rounded, then
added up, so ``score == round(sum(points), 2)`` holds exactly.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar, cast

import numpy as np

from riskengine.derive.base import RegimeArrays
from riskengine.derive.export import AFFILIATE
from riskengine.exposure import explain, factors, ffi, pool
from riskengine.exposure.paths import Search
from riskengine.exposure.propagate import Out, spread_cents
from riskengine.exposure.tie_parts import tie_parts
from riskengine.exposure.weights import (
    AllRegimes,
    ByTarget,
    ExposureEdges,
    Seeds,
    pass_factor,
    relation_weights,
    seeds,
)
from riskengine.graph import BoolArray, FloatArray, Graph, IntArray
from riskengine.result import Contribution, EntityRef, PathItem, RegimeVerdict, ScoreResult
from riskengine.ruleset.models import ScoringRules


@dataclass(frozen=True)
class ScoreTable:
    """Scores of every entity of a Graph, in ``ids`` order; ``band`` indexes ``band_names``.

    ``parts``: cents per contribution key (``factor`` or ``factor:regime``: blocked:us,
    possibly_blocked:eu, other_listing:fr, tie_exposure:uk, cap, override), only keys with a
    non-zero entry; per entity they add up to ``score`` in cents."""

    ids: Sequence[str]
    score: FloatArray
    blocked_any: BoolArray
    band: IntArray
    band_names: tuple[str, ...]
    parts: dict[str, IntArray] = field(default_factory=dict)

    def band_of(self, i: int) -> str:
        """Band name of entity ``i``."""
        return self.band_names[int(self.band[i])]


Parts = dict[str, IntArray]


def _flag_parts_cents(g: Graph, verdicts: dict[str, RegimeArrays], scoring: ScoringRules
                      ) -> Parts:
    """Cents of the possibly_blocked and other_listing factors, per key and entity."""
    parts: Parts = {}
    for r, v in sorted(verdicts.items()):
        cents = factors.to_cents(factors.possibly_blocked(scoring, r))
        parts[f"possibly_blocked:{r}"] = np.where(v.possibly, cents, 0).astype(np.int64)
    for r, flags in sorted(g.listed_other.items()):
        cents = factors.to_cents(factors.other_listing(scoring, r))
        parts[f"other_listing:{r}"] = np.where(flags, cents, 0).astype(np.int64)
    for r, v in sorted(verdicts.items()):
        if v.affiliates is not None and not v.affiliates.suspended:
            cents = factors.to_cents(factors.export_affiliate(scoring, r))
            parts[f"export_affiliate:{r}"] = np.where(v.affiliates.caught, cents,
                                                      0).astype(np.int64)
    rules = scoring.ffi_secondary
    banks, _ = ffi.exposed_ffis(g, rules)
    cents = factors.to_cents(factors.ffi_military_base(scoring, rules.regime))
    parts[f"ffi_military_base:{rules.regime}"] = np.where(banks, cents, 0).astype(np.int64)
    return parts


def tie_cents(g: Graph, verdicts: dict[str, RegimeArrays], scoring: ScoringRules,
              among: dict[str, BoolArray] | None = None, workers: int | None = None
              ) -> Parts:
    """Cents of the tie_exposure factor per regime (``tie_exposure:r``), summed over seeds,
    per entity; blocked entities not yet zeroed. With ``among``, each regime named there
    counts only the exposure from its seeds in that mask (every seed still stops every
    path: the cents of each (entity, seed) pair do not depend on the other seeds counted),
    and the regimes not named there are left out.

    The exposure edges are sorted once for all regimes; a regime without seeds (nothing
    blocked or possibly blocked) has no exposure and is not propagated. Groups of seeds are
    propagated on ``workers`` threads (default ``EXPOSURE_WORKERS``; the same cents for any
    number: ``exposure.pool``)."""
    live = {r: seeds(v, scoring) for r, v in sorted(verdicts.items())
            if among is None or r in among}
    counted = {r: s.mask & among[r] if among is not None else s.mask for r, s in live.items()}
    if not any(m.any() for m in counted.values()):
        return {f"tie_exposure:{r}": np.zeros(g.n, dtype=np.int64) for r in live}
    shared = AllRegimes.of(g, scoring)
    passes = pass_factor(g, scoring, shared.degree())
    threads = EXPOSURE_WORKERS if workers is None else workers
    return {f"tie_exposure:{r}": _exposure_cents(g, (shared, passes), s, (r, scoring),
                                                 counted[r], threads)
            for r, s in live.items()}


# Seeds propagated together: memory grows with seeds x entities they reach within
# max_depth (on a dense 1M-entity register 5,000 seeds at once took 11 GB); the cents of
# each (entity, seed) pair are summed, so any grouping gives the same result.
SEEDS_AT_ONCE = 256
# Threads propagating groups of seeds at once (numpy runs without the GIL): the machine's
# two cores by default; any number gives the same cents (``exposure.pool``).
EXPOSURE_WORKERS = 2


def _exposure_cents(g: Graph, edges: tuple[AllRegimes, FloatArray], s: Seeds,
                    rule: tuple[str, ScoringRules], counted: BoolArray,
                    workers: int) -> IntArray:
    """Cents of one regime ``rule[0]``'s tie exposure per entity from the seeds
    ``counted`` (zeros without), propagated from ``SEEDS_AT_ONCE`` seeds at a time on
    ``workers`` threads (every seed of ``s`` still stops every path)."""
    if not counted.any():
        return np.zeros(g.n, dtype=np.int64)
    (shared, passes), (r, scoring) = edges, rule
    out = Out(shared.ptr, shared.target, shared.weights(g, scoring, r))
    every = np.flatnonzero(counted)
    limits = (scoring.max_depth, scoring.min_strength)

    def points(strength: FloatArray) -> IntArray:
        return factors.to_cents(factors.tie_exposure(scoring, r, strength))

    def group(some: IntArray) -> pool.Task:
        return lambda total: spread_cents(out, (some, s.strength[some]), passes, limits,
                                          s.mask, points, total)

    return pool.summed(g.n, [group(every[start:start + SEEDS_AT_ONCE])
                             for start in range(0, every.shape[0], SEEDS_AT_ONCE)], workers)


def _capped(total: IntArray, scoring: ScoringRules, is_blocked: bool) -> IntArray:
    """Cents of the cap factor for each total (0 where no cap applies)."""
    raw = factors.cap(scoring, total / 100.0, is_blocked)
    limit = scoring.blocked_score if is_blocked else scoring.unblocked_cap
    return np.where(total / 100.0 > limit, factors.to_cents(raw), 0).astype(np.int64)


def _blocked_parts_cents(g: Graph, verdicts: dict[str, RegimeArrays],
                         scoring: ScoringRules) -> tuple[IntArray, Parts]:
    """Number of regimes blocking each entity, and the cents of one blocked contribution
    per such regime."""
    count = np.zeros(g.n, dtype=np.int64)
    parts: Parts = {}
    for r, v in sorted(verdicts.items()):
        count += v.blocked
        cents = factors.to_cents(factors.blocked(scoring, r))
        parts[f"blocked:{r}"] = np.where(v.blocked, cents, 0).astype(np.int64)
    return count, parts


def _total(parts: Parts, n: int) -> IntArray:
    total = np.zeros(n, dtype=np.int64)
    for cents in parts.values():
        total += cents
    return total


def part_cents(g: Graph, verdicts: dict[str, RegimeArrays], scoring: ScoringRules,
               ties: Parts | None = None) -> tuple[BoolArray, Parts]:
    """(blocked under any regime, cents per contribution key): a blocked entity has its
    blocked contributions and the cap when several regimes block it; any other entity its
    flag and tie contributions and the cap above ``unblocked_cap``. Arrays only. ``ties``:
    ``tie_cents`` of these very inputs, when the caller has them."""
    n_blocked, blocked = _blocked_parts_cents(g, verdicts, scoring)
    blocked_any = np.asarray(n_blocked > 0, dtype=np.bool_)
    tied = tie_cents(g, verdicts, scoring) if ties is None else ties
    free = _flag_parts_cents(g, verdicts, scoring) | tied
    free = {k: np.where(blocked_any, 0, c) for k, c in free.items()}
    cap = np.where(blocked_any & (n_blocked > 1),
                   _capped(_total(blocked, g.n), scoring, True),
                   np.where(blocked_any, 0, _capped(_total(free, g.n), scoring, False)))
    parts = blocked | free | {"cap": cap.astype(np.int64)}
    return blocked_any, {k: c for k, c in parts.items() if c.any()}


def score_all(g: Graph, verdicts: dict[str, RegimeArrays], scoring: ScoringRules,
              ties: Parts | None = None) -> ScoreTable:
    """Score every entity of ``g`` from the per-regime verdicts. Arrays only.

    Exposure is propagated for the regimes in ``verdicts`` (unless ``ties`` gives their
    ``tie_cents``); non-blocking listings count for every regime in ``g.listed_other``."""
    blocked_any, parts = part_cents(g, verdicts, scoring, ties)
    score = np.asarray(_total(parts, g.n) / 100.0, dtype=np.float64)
    band = factors.band_index(scoring, score, blocked_any)
    return ScoreTable(g.ids, score, blocked_any, band, tuple(b.name for b in scoring.bands),
                      parts)


@dataclass(frozen=True)
class _Part:
    """A contribution in the making: points in cents."""

    factor: str
    cents: int
    detail: str
    path: tuple[PathItem, ...] = ()
    regime: str | None = None

    def contribution(self) -> Contribution:
        return Contribution(factor=self.factor, points=self.cents / 100.0, detail=self.detail,
                            path=self.path, regime=self.regime)


def _cents(points: float | FloatArray) -> int:
    return int(factors.to_cents(points).reshape(-1)[0])


def _weights(scoring: ScoringRules, r: str, factor: float) -> str:
    return (f"{scoring.scale:g} x {r} weight {explain.number(scoring.regime_weight(r))}"
            f" x {explain.number(factor)}")


def _why(listings: explain.Listings, v: RegimeArrays, i: int,
         verdict: RegimeVerdict | None) -> tuple[str, tuple[PathItem, ...]]:
    """Why entity i is blocked: a manual status override, its designations, else the
    verdict's own evidence."""
    evidence = list(verdict.evidence if verdict else ())
    manual = [e for e in evidence if e.kind == "manual_status"]
    if v.listed[i] and not manual:
        path = listings.items(i, v.regime, blocking=True)
        return "; ".join(item.label for item in path), path
    evidence = manual or [e for e in evidence if e.kind == v.status(i)]
    return (evidence[0].detail, evidence[0].path) if evidence else ("", ())


def _blocked_parts(listings: explain.Listings, verdicts: dict[str, RegimeArrays],
                   scoring: ScoringRules, i: int,
                   regime_verdicts: dict[str, RegimeVerdict]) -> list[_Part]:
    parts = []
    for r, v in sorted(verdicts.items()):
        if v.blocked[i]:
            why, path = _why(listings, v, i, regime_verdicts.get(r))
            detail = f"blocked under {r} ({v.status(i)})" + (f": {why}" if why else "")
            parts.append(_Part("blocked", _cents(factors.blocked(scoring, r)), detail, path, r))
    return parts


def _flag_parts(listings: explain.Listings, verdicts: dict[str, RegimeArrays],
                scoring: ScoringRules, i: int, regime_verdicts: dict[str, RegimeVerdict]
                ) -> list[_Part]:
    parts = []
    for r, v in sorted(verdicts.items()):
        if v.possibly[i]:
            detail = (f"possibly blocked under {r} (blocked if shares of unknown or ranged"
                      " size are at their upper bound):"
                      f" {_weights(scoring, r, scoring.possibly_blocked)}")
            parts.append(_Part("possibly_blocked",
                               _cents(factors.possibly_blocked(scoring, r)), detail, (), r))
    for r, flags in sorted(listings.g.listed_other.items()):
        if flags[i]:
            path = listings.items(i, r, blocking=False)
            named = "; ".join(item.label for item in path) or "listed"
            detail = (f"non-blocking listing under {r} ({named}):"
                      f" {_weights(scoring, r, scoring.other_listing)}")
            parts.append(_Part("other_listing", _cents(factors.other_listing(scoring, r)),
                               detail, path, r))
    return parts + _affiliate_parts(verdicts, scoring, i, regime_verdicts) + \
        _ffi_parts(listings.g, scoring, i)


def _ffi_parts(g: Graph, scoring: ScoringRules, i: int) -> list[_Part]:
    """The ffi_military_base contribution of entity ``i``, if it is a financial institution
    tied to Russia's military-industrial base (EO 14114)."""
    rules = scoring.ffi_secondary
    kept = g.memo.get(("ffi", id(rules)))  # the whole-graph pass, when a caller made it
    if kept is not None:
        banks, base = _exposed_ffis(g, scoring)
        exposed = bool(banks[i])
    else:  # one explained score (a cold `score`): its neighbourhood only
        exposed, base = ffi.exposed_ffi_at(g, rules, i)
    if not exposed:
        return []
    why, path = ffi.explain_ffi(g, rules, i, base)
    detail = f"{why}: {_weights(scoring, rules.regime, rules.weight)}"
    return [_Part("ffi_military_base", _cents(factors.ffi_military_base(scoring, rules.regime)),
                  detail, path, rules.regime)]


def _exposed_ffis(g: Graph, scoring: ScoringRules) -> tuple[BoolArray, BoolArray]:
    """``ffi.exposed_ffis``: whole-graph work, kept with the graph per rules (``g.memo``)."""
    rules = scoring.ffi_secondary
    return _kept(g, ("ffi", id(rules)), (rules,), lambda: ffi.exposed_ffis(g, rules))


def _affiliate_parts(verdicts: dict[str, RegimeArrays], scoring: ScoringRules, i: int,
                     regime_verdicts: dict[str, RegimeVerdict]) -> list[_Part]:
    """One export_affiliate contribution per regime whose export-control ownership test
    (not suspended) catches entity ``i``, with the verdict's evidence path to the listing."""
    parts = []
    for r, v in sorted(verdicts.items()):
        if v.affiliates is None or v.affiliates.suspended or not v.affiliates.caught[i]:
            continue
        found = [e for e in (regime_verdicts[r].evidence if r in regime_verdicts else ())
                 if e.kind == "non_blocking" and e.detail.startswith(AFFILIATE)]
        why = found[0].detail if found else "owned by export-control listed parties"
        detail = f"{why}: {_weights(scoring, r, scoring.export_affiliate)}"
        parts.append(_Part("export_affiliate", _cents(factors.export_affiliate(scoring, r)),
                           detail, found[0].path if found else (), r))
    return parts


T = TypeVar("T")


def _kept(g: Graph, key: tuple[object, ...], owners: tuple[object, ...],
          make: Callable[[], T]) -> T:
    """``make()`` kept in ``g.memo`` under ``key`` while the objects ``owners`` (whose ids
    are in the key) are the same ones."""
    found = g.memo.get(key)
    if isinstance(found, tuple) and len(found) == 2 and all(
            a is b for a, b in zip(found[0], owners, strict=True)):
        return cast(T, found[1])
    made = make()
    g.memo[key] = (owners, made)
    return made


def _search(g: Graph, scoring: ScoringRules, r: str, v: RegimeArrays
            ) -> tuple[ExposureEdges, Search]:
    """The exposure edges and path search of regime ``r``: whole-graph work, done once per
    graph, rules and verdicts (``Graph.memo``), not once per explained score."""
    by_target = _kept(g, ("by-target", id(scoring)), (scoring,),
                      lambda: ByTarget.of(g, scoring))
    # regimes whose relationship weights are the same have the same edges: made once
    same = _kept(g, ("edges-key", id(scoring), r), (scoring,),
                 lambda: _edges_key(g, scoring, r))
    edges = _kept(g, ("edges", id(scoring), same), (scoring,),
                  lambda: by_target.edges(g, scoring, r))
    passes = _kept(g, ("passes", id(scoring)), (scoring,), lambda: pass_factor(g, scoring))
    search = _kept(g, ("search", id(scoring), r, id(v)), (scoring, v), lambda: Search.build(
        edges, seeds(v, scoring), passes, scoring.max_depth, scoring.min_strength))
    return edges, search


def _edges_key(g: Graph, scoring: ScoringRules, r: str) -> str:
    """Digest of regime ``r``'s relationship weights (whole-graph work: kept per graph and
    rules by ``_search``, not made again per explained score)."""
    return hashlib.sha256(relation_weights(g, scoring, r).tobytes()).hexdigest()


def prepare(g: Graph, verdicts: dict[str, RegimeArrays], scoring: ScoringRules) -> None:
    """Build the whole-graph indexes explained scores of ``g`` use (kept in ``g.memo``), so
    that the first explained score costs its neighbourhood too (a service warming up)."""
    for r, v in sorted(verdicts.items()):
        if v.blocked.any() or np.any(v.possibly):
            _search(g, scoring, r, v)
    _exposed_ffis(g, scoring)


def _tie_parts(listings: explain.Listings, verdicts: dict[str, RegimeArrays],
               scoring: ScoringRules, i: int) -> list[_Part]:
    """The tie_exposure contributions (``tie_parts``: the strongest in full, the rest summed)."""
    g = listings.g
    return [_Part("tie_exposure", t.cents, t.detail, t.path, t.regime)
            for t in tie_parts(listings, verdicts, scoring, i,
                               lambda r, v: _search(g, scoring, r, v))]


def _cap_part(parts: list[_Part], scoring: ScoringRules, is_blocked: bool) -> list[_Part]:
    total = np.asarray([sum(p.cents for p in parts)], dtype=np.int64)
    limit = scoring.blocked_score if is_blocked else scoring.unblocked_cap
    if is_blocked and len(parts) > 1:
        detail = (f"blocked under {len(parts)} regimes: the score is the blocked score"
                  f" {limit:g}, not the sum")
    elif not is_blocked and total[0] / 100.0 > limit:
        detail = f"capped at {limit:g}: higher scores are reserved for blocked entities"
    else:
        return []
    return [_Part("cap", int(_capped(total, scoring, is_blocked)[0]), detail)]


def _ordered(parts: list[_Part]) -> tuple[Contribution, ...]:
    """Points descending (then factor, regime, detail), the cap last."""
    body = sorted((p for p in parts if p.factor != "cap"),
                  key=lambda p: (-p.cents, p.factor, p.regime or "", p.detail))
    return tuple(p.contribution() for p in [*body, *(p for p in parts if p.factor == "cap")])


def score_entity(g: Graph, verdicts: dict[str, RegimeArrays], scoring: ScoringRules, i: int,
                 regime_verdicts: dict[str, RegimeVerdict]) -> ScoreResult:
    """Score entity ``i`` of ``g`` with every contribution explained; same score as
    ``score_all``. ``regime_verdicts`` go into the result as they are; flags are left empty."""
    listings = explain.Listings(g)
    parts = _blocked_parts(listings, verdicts, scoring, i, regime_verdicts)
    is_blocked = bool(parts)
    if not is_blocked:
        parts = _flag_parts(listings, verdicts, scoring, i, regime_verdicts)
        parts += _tie_parts(listings, verdicts, scoring, i)
    parts += _cap_part(parts, scoring, is_blocked)
    score = sum(p.cents for p in parts) / 100.0
    entity = EntityRef(id=g.ids[i], name=explain.name(g, i))
    return ScoreResult(entity=entity, as_of=g.as_of, score=score,
                       band=scoring.band(score, is_blocked), regimes=regime_verdicts,
                       contributions=_ordered(parts), flags=())
