"""Per-regime verdict arrays: the output of the whole-graph derivation."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from riskengine.domain import Designation, Source
from riskengine.graph import BoolArray


@dataclass(frozen=True)
class Affiliates:
    """An export-control ownership test's result (``ruleset.models.AffiliatesRule``).

    seed: parties on the rule's lists with holdings; caught: entities owned by them to the
    threshold, directly or indirectly, in the aggregate (not on the lists themselves);
    suspended: the rule is suspended on the date (flagged, not scored)."""

    seed: BoolArray
    caught: BoolArray
    suspended: bool = False


@dataclass(frozen=True)
class RegimeArrays:
    """Verdicts of one regime for every entity of a Graph (same order as ``Graph.ids``).

    listed: an asset-freeze designation in force.
    owned: blocked through ownership, on lower-bound shares ("definitely").
    controlled: blocked through a control edge this regime counts (and not owned/listed).
    possibly: blocked on upper-bound shares (unknown share = 100%); superset of blocked.
    """

    regime: str
    listed: BoolArray
    owned: BoolArray
    controlled: BoolArray
    possibly: BoolArray
    affiliates: Affiliates | None = None  # export-control exposure, never blocking

    @cached_property
    def blocked(self) -> BoolArray:
        """listed | owned | controlled (kept: explanations ask for it many times)."""
        return np.asarray(self.listed | self.owned | self.controlled, dtype=np.bool_)

    def status(self, i: int) -> str:
        if self.listed[i]:
            return "listed"
        if self.owned[i]:
            return "owned"
        if self.controlled[i]:
            return "controlled"
        return "clear"


# --- words shared by the explanations -------------------------------------------------


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
