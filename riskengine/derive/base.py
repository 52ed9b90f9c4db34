"""Per-regime verdict arrays: the output of the whole-graph derivation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from riskengine.graph import BoolArray


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

    @property
    def blocked(self) -> BoolArray:
        return np.asarray(self.listed | self.owned | self.controlled, dtype=np.bool_)

    def status(self, i: int) -> str:
        if self.listed[i]:
            return "listed"
        if self.owned[i]:
            return "owned"
        if self.controlled[i]:
            return "controlled"
        return "clear"
