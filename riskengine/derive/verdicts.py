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
from riskengine.derive.base import RegimeArrays
from riskengine.derive.kernel import Kernel
from riskengine.derive.per_person import derive_per_person
from riskengine.domain import Designation, Source
from riskengine.graph import Graph
from riskengine.result import RegimeVerdict
from riskengine.ruleset.models import RegimeParams, RegimeRules

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
        found[code] = derive_regime(g, code, params, kernel)
    return found


def verdict_flags(code: str, verdict: RegimeVerdict) -> list[str]:
    """Review flags for a person: possible ownership, unknown shares, control not blocking.

    Each flag is ``"<regime>: <evidence detail>"``; unknown shares end with ": review".
    """
    return [f"{code}: {ev.detail}{REVIEW_SUFFIX.get(ev.kind, '')}"
            for ev in verdict.evidence if ev.kind in FLAGGED]


def pct(low: float, high: float | None = None) -> str:
    """'50.01%', or '25-60%' for a range."""
    if high is None or round(low, 4) == round(high, 4):
        return f"{round(low, 4):g}%"
    return f"{round(low, 4):g}-{round(high, 4):g}%"


def cite(source: Source) -> str:
    """Source citation plus its note."""
    return f"{source.cite()}: {source.note}" if source.note else source.cite()


def listing_label(d: Designation) -> str:
    """'OFAC SDN RUSSIA-EO14024 since 2022-06-28'."""
    text = " ".join(p for p in (d.authority, d.list_name, d.program or "") if p)
    text = text or f"{d.regime.upper()} listing"
    since = d.since()
    return f"{text}{',' if d.listed_from_basis == 'first_edition' else ''} {since}" if since \
        else text
