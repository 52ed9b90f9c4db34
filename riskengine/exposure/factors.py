"""Scoring factors. Each factor is a small function; its docstring is the description users
see (``FACTORS`` lists them for the CLI).

Factors return raw points and work on numpy arrays as well as on one-element arrays, so the
whole-graph scorer and the single-entity explainer share the very same float operations.
Points are then rounded to whole cents (``to_cents``) before they are added up, which makes
``score == round(sum(points), 2)`` exact and independent of summation order.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from riskengine.graph import BoolArray, FloatArray, IntArray
from riskengine.ruleset.models import ScoringRules


def blocked(scoring: ScoringRules, regime: str) -> float:
    """Blocked under a regime (listed, or owned or controlled by blocked parties): the entity
    gets the blocked score, once per regime; a cap brings several regimes back to it."""
    return scoring.blocked_score


def possibly_blocked(scoring: ScoringRules, regime: str) -> float:
    """Possibly blocked under a regime (blocked if shares of unknown or ranged size are at
    their upper bound): scale x regime weight x the possibly-blocked factor."""
    return scoring.scale * scoring.regime_weight(regime) * scoring.possibly_blocked


def other_listing(scoring: ScoringRules, regime: str) -> float:
    """A non-blocking listing in force under a regime (sectoral sanctions, export-control
    lists): scale x regime weight x the other-listing factor."""
    return scoring.scale * scoring.regime_weight(regime) * scoring.other_listing


def export_affiliate(scoring: ScoringRules, regime: str) -> float:
    """Owned by parties on an export-control list to the threshold of an export-control
    ownership test in force (BIS 50% Affiliates rule): the same licence requirements as a
    listed party, scored like a non-blocking listing: scale x regime weight x the
    export-affiliate factor. Never blocked; not scored while the rule is suspended."""
    return scoring.scale * scoring.regime_weight(regime) * scoring.export_affiliate


def ffi_military_base(scoring: ScoringRules, regime: str) -> float:
    """A financial institution tied to Russia's military-industrial base (a party designated
    under EO 14024; EO 14114 secondary-sanctions risk for foreign financial institutions),
    once: scale x regime weight x the FFI weight."""
    return scoring.scale * scoring.regime_weight(regime) * scoring.ffi_secondary.weight


def tie_exposure(scoring: ScoringRules, regime: str, strength: FloatArray) -> FloatArray:
    """Ties to a party blocked under a regime, through ownership, control and business
    relationships (secondary-sanctions exposure): scale x regime weight x the strength of the
    best path, which multiplies the tie weights, decays per hop and is damped at hubs."""
    return np.asarray((scoring.scale * scoring.regime_weight(regime)) * strength,
                      dtype=np.float64)


def cap(scoring: ScoringRules, total: FloatArray, is_blocked: bool) -> FloatArray:
    """Keeps the score within bounds: a blocked entity scores exactly the blocked score, an
    entity blocked nowhere at most the unblocked cap."""
    limit = scoring.blocked_score if is_blocked else scoring.unblocked_cap
    return np.asarray(limit - total, dtype=np.float64)


FACTORS: dict[str, Callable[..., object]] = {
    f.__name__: f for f in (blocked, possibly_blocked, other_listing, export_affiliate,
                            ffi_military_base, tie_exposure, cap)
}


def to_cents(points: FloatArray | float) -> IntArray:
    """Points rounded to two decimals, as whole cents."""
    return np.rint(np.asarray(points, dtype=np.float64) * 100.0).astype(np.int64)


def band_index(scoring: ScoringRules, score: FloatArray, is_blocked: BoolArray) -> IntArray:
    """Index into ``scoring.bands`` for every score: vectorised ``ScoringRules.band``."""
    last = len(scoring.bands) - 1
    index = np.full(score.shape[0], last, dtype=np.int64)
    for pos in range(last, 0, -1):
        index[score >= scoring.bands[pos].min_score] = pos
    index[is_blocked] = 0
    return index
