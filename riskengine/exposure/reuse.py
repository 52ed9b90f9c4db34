"""Tie exposure under proposed rules from the exposure known under the current ones (the
dry run, issue 16): the same cents ``tie_cents`` gives from scratch, propagating only from the
seeds an edit can reach. Arrays only.

A regime's tie cents are a sum over its seeds b of the cents of each (entity, seed) pair, and
a pair's strength is its best path from b (``propagate``: every seed stops every path; the
pairs of one seed do not depend on which other seeds are propagated with it). When the
regime's exposure rules are the same on both sides (every scoring field but those that
weigh only other factors; the regime's own weight included), a seed's paths and their
strengths can differ only if they come within reach of a *touched* entity: an end of a fact
added or removed (its edges, and its hub degree), or an entity whose seed status or seed
strength differs (a path stops at a seed). A path has at most ``max_depth`` hops, so a seed
farther than that from every touched entity (any tie, either direction) reaches what it
reached before, with the same float operations. Only the seeds near a touched entity are
propagated again: on the old side, their cents taken out; on the new side, added.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from riskengine.derive.base import RegimeArrays
from riskengine.exposure.score import Parts, tie_cents
from riskengine.exposure.weights import seeds
from riskengine.graph import BoolArray, Graph
from riskengine.ruleset.models import ScoringRules

# Fields of ScoringRules that weigh other factors only (never a tie path's strength or its
# points); every other field, present or future, must be equal for cents to be reused.
OTHER_FACTORS = frozenset({"blocked_score", "unblocked_cap", "other_listing",
                           "export_affiliate", "ffi_secondary", "bands", "regime_weights",
                           "default_regime_weight", "explained_paths"})
# Above this share of a regime's seeds near a touched entity, the regime is propagated from
# scratch (two partial propagations would cost more than one whole one).
PARTIAL_LIMIT = 0.5


@dataclass(frozen=True)
class Side:
    """One scoring: its graph (as of the day), verdicts, scoring rules."""

    graph: Graph
    verdicts: dict[str, RegimeArrays]
    scoring: ScoringRules


def same_exposure_rules(old: ScoringRules, new: ScoringRules, regime: str) -> bool:
    """Whether ``regime``'s tie exposure is computed with the same numbers under both."""
    a, b = (s.model_dump(exclude=set(OTHER_FACTORS)) for s in (old, new))
    return a == b and old.regime_weight(regime) == new.regime_weight(regime)


def near(g: Graph, start: BoolArray, hops: int) -> BoolArray:
    """Entities at most ``hops`` ties (any family, either direction) from one of ``start``."""
    found = np.asarray(start, dtype=np.bool_).copy()
    families = (g.ownership, g.control, g.relation)
    for _ in range(hops):
        grown = found.copy()
        for f in families:
            grown[f.dst[found[f.src]]] = True
            grown[f.src[found[f.dst]]] = True
        if (grown == found).all():
            break
        found = grown
    return found


def _again(old: Side, new: Side, r: str, touched: BoolArray) -> BoolArray | None:
    """The seeds (either side) to propagate again for regime ``r``; None: all of them."""
    if r not in old.verdicts or not same_exposure_rules(old.scoring, new.scoring, r):
        return None
    a, b = seeds(old.verdicts[r], old.scoring), seeds(new.verdicts[r], new.scoring)
    moved: BoolArray = touched | (a.mask != b.mask) | (a.strength != b.strength)
    if not moved.any():
        return moved
    either = a.mask | b.mask
    again: BoolArray = near(new.graph, moved, new.scoring.max_depth) & either
    return None if int(again.sum()) > PARTIAL_LIMIT * int(either.sum()) else again


def updated_ties(old: Side, new: Side, old_ties: Parts, touched: BoolArray) -> Parts:
    """``tie_cents`` of ``new`` from ``old_ties`` (``tie_cents`` of ``old``). The graphs must
    have the same entities, and ``touched`` mark every entity a fact added or removed
    between them names (none: the same graph)."""
    if old.graph.ids != new.graph.ids:
        return tie_cents(new.graph, new.verdicts, new.scoring)
    plans = {r: None if f"tie_exposure:{r}" not in old_ties else _again(old, new, r, touched)
             for r in sorted(new.verdicts)}
    whole = {r: new.verdicts[r] for r, again in plans.items() if again is None}
    partial = {r: again for r, again in plans.items() if again is not None and again.any()}
    found = tie_cents(new.graph, whole, new.scoring) if whole else {}
    out = {f"tie_exposure:{r}": old_ties[f"tie_exposure:{r}"] for r, again in plans.items()
           if again is not None and not again.any()}
    if partial:
        taken = tie_cents(old.graph, _only(old, partial), old.scoring, among=partial)
        added = tie_cents(new.graph, _only(new, partial), new.scoring, among=partial)
        out |= {k: old_ties[k] - taken[k] + added[k] for k in added}
    return {k: v for k, v in sorted((found | out).items())}


def _only(side: Side, regimes: dict[str, BoolArray]) -> dict[str, RegimeArrays]:
    return {r: side.verdicts[r] for r in regimes}
