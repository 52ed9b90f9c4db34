"""The tie_exposure contributions of one explained score: the strongest ties with their
paths, the weaker ones summed.

An entity of a large graph can be exposed to hundreds of blocked parties, most of them far
and faint. Every tie's strength is worked out (arrays over the entity's neighbourhood), and
the ``explained_paths`` of most points (ties broken by regime, then by the blocked party's
id) are explained in full: the path shown, its facts read and cited. The rest are summed
into one contribution per regime that says how many there are and their range. The cents
are those of each tie, summed, so the contributions still add up to the score exactly and
each regime's tie_exposure total is the whole-graph one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from riskengine.derive.base import RegimeArrays
from riskengine.exposure import explain, factors
from riskengine.exposure.paths import Search, Strengths, paths_to, strengths
from riskengine.exposure.weights import ExposureEdges
from riskengine.result import PathItem
from riskengine.ruleset.models import ScoringRules

SearchOf = Callable[[str, RegimeArrays], tuple[ExposureEdges, Search]]


@dataclass(frozen=True)
class TiePart:
    """A tie_exposure contribution in the making: cents, detail, path, regime."""

    cents: int
    detail: str
    path: tuple[PathItem, ...]
    regime: str


@dataclass(frozen=True)
class _Tie:
    regime: str
    seed: int
    strength: float
    cents: int


@dataclass(frozen=True)
class _Regime:
    verdict: RegimeArrays
    edges: ExposureEdges
    search: Search
    found: Strengths


def _ties(scoring: ScoringRules, r: str, found: Strengths) -> list[_Tie]:
    pairs = found.by_seed()
    cents = factors.to_cents(factors.tie_exposure(
        scoring, r, np.asarray([s for _, s in pairs], dtype=np.float64))).tolist()
    return [_Tie(r, b, s, c) for (b, s), c in zip(pairs, cents, strict=True)]


def _chosen(ties: list[_Tie], ids: Sequence[str], limit: int) -> tuple[list[_Tie], list[_Tie]]:
    """(shown in full, summed): the ``limit`` ties of most cents, then by regime and seed id
    (0: all shown)."""
    ordered = sorted(ties, key=lambda t: (-t.cents, t.regime, ids[t.seed]))
    cut = len(ordered) if limit == 0 else limit
    return ordered[:cut], ordered[cut:]


def _span(low: str, high: str) -> str:
    return low if low == high else f"{low} to {high}"


def summary(scoring: ScoringRules, r: str, rest: list[_Tie]) -> TiePart:
    """One contribution for the ties of regime ``r`` not shown one by one."""
    strength = _span(*(explain.number(f(t.strength for t in rest)) for f in (min, max)))
    points = _span(*(f"{f(t.cents for t in rest) / 100:.2f}" for f in (min, max)))
    weight = f"{r} weight {explain.number(scoring.regime_weight(r))}"
    if len(rest) == 1:
        what = f"1 weaker tie under {r}, not listed: path strength {strength} x {weight}"
    else:
        what = (f"{len(rest)} weaker ties under {r} (each to another blocked or possibly "
                f"blocked party), summed, not listed one by one: path strengths {strength} x "
                f"{weight}, {points} points each")
    shown = scoring.explained_paths
    told = "the strongest tie is" if shown == 1 else f"the {shown} strongest ties are"
    return TiePart(sum(t.cents for t in rest), f"{what} ({told} listed in full)", (), r)


def tie_parts(listings: explain.Listings, verdicts: dict[str, RegimeArrays],
              scoring: ScoringRules, i: int, search_of: SearchOf) -> list[TiePart]:
    """The tie_exposure contributions of entity ``i`` (see the module docstring)."""
    g, regimes, ties = listings.g, dict[str, _Regime](), list[_Tie]()
    for r, v in sorted(verdicts.items()):
        if not (v.blocked.any() or np.any(v.possibly)):
            continue  # no blocked party under r: no exposure to it
        edges, search = search_of(r, v)
        regimes[r] = _Regime(v, edges, search, strengths(search, i))
        ties += _ties(scoring, r, regimes[r].found)
    shown, rest = _chosen(ties, g.ids, scoring.explained_paths)
    found = [(r, x, path) for r, x in regimes.items()
             for path in paths_to(x.search, g.ids, x.found,
                                  {t.seed for t in shown if t.regime == r})]
    explain.read_cited(g, ((x.edges, path) for _, x, path in found))  # one batch
    cents = {(t.regime, t.seed): t.cents for t in shown}
    parts = [TiePart(cents[(r, path.seed)],
                     explain.tie_detail(g, x.edges, path, x.verdict, scoring, listings),
                     explain.path_items(listings, x.edges, path, x.verdict), r)
             for r, x, path in found]
    return parts + [summary(scoring, r, [t for t in rest if t.regime == r])
                    for r in sorted({t.regime for t in rest})]
