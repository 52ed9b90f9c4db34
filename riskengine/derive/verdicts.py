"""Per-regime blocking verdicts for a whole graph, their wording, and review flags.

``derive_regime`` picks the ownership test of the regime's parameters:

* aggregate (OFAC 50% rule, EU): ``aggregate.derive_aggregate``;
* per_person (UK, OFSI): ``per_person.derive_per_person``;
* none: only a listing blocks.

``derive_all`` indexes the graph's edges once (``kernel.Kernel``) for every regime.
"""

from __future__ import annotations

import numpy as np

from riskengine.derive.aggregate import derive_aggregate, listed_mask
from riskengine.derive.base import RegimeArrays, cite, listing_label, pct
from riskengine.derive.export import with_affiliates
from riskengine.derive.kernel import Kernel
from riskengine.derive.per_person import derive_per_person
from riskengine.graph import Graph
from riskengine.result import RegimeVerdict
from riskengine.ruleset.models import RegimeParams, RegimeRules

__all__ = ["FLAGGED", "REVIEW_SUFFIX", "cite", "derive_all", "derive_regime", "listing_label",
           "pct", "regime_codes", "verdict_flags"]

REVIEW_SUFFIX = {"unknown_share": ": review", "listing_date_unknown": ": review",
                 "ambiguous_ownership": ": review"}
FLAGGED = ("possibly_owned", "unknown_share", "control_not_blocking", "listing_date_unknown",
           "ambiguous_ownership")


def derive_regime(g: Graph, code: str, params: RegimeParams,
                  kernel: Kernel | None = None) -> RegimeArrays:
    """Blocked/possibly blocked flags of every entity of ``g`` under regime ``code``
    (``kernel``: the graph's edge indexes, when several regimes share them)."""
    if params.ownership_test == "aggregate":
        return derive_aggregate(g, code, params, kernel)
    if params.ownership_test == "per_person":
        return derive_per_person(g, code, params, kernel)
    listed = listed_mask(g, code)
    return RegimeArrays(code, listed, np.zeros_like(listed), np.zeros_like(listed), listed.copy())


def regime_codes(g: Graph, rules: RegimeRules) -> list[str]:
    """Configured regimes plus every regime with a listing in ``g``, sorted."""
    return sorted({r.code for r in rules.regimes} | set(g.listed) | set(g.listed_other))


def derive_all(g: Graph, rules: RegimeRules) -> dict[str, RegimeArrays]:
    """Verdict arrays of every regime (unconfigured codes use ``rules.default``)."""
    found: dict[str, RegimeArrays] = {}
    kernel: Kernel | None = None
    for code in regime_codes(g, rules):
        params = rules.params(code, g.as_of)
        if kernel is None and params.ownership_test != "none" and listed_mask(g, code).any():
            kernel = Kernel.of(g)
        found[code] = with_affiliates(g, derive_regime(g, code, params, kernel), params, kernel)
    return found


def verdict_flags(code: str, verdict: RegimeVerdict) -> list[str]:
    """Review flags for a person: possible ownership, unknown shares, control not blocking.

    Each flag is ``"<regime>: <evidence detail>"``; unknown shares end with ": review".
    """
    return [f"{code}: {ev.detail}{REVIEW_SUFFIX.get(ev.kind, '')}"
            for ev in verdict.evidence if ev.kind in FLAGGED]
