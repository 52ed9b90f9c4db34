"""Small graphs for the drawing tests: entities e0..en-1 and ties between them, with the
blocked parties given directly as verdict arrays."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np

from riskengine.derive.base import RegimeArrays
from riskengine.domain import Dataset, Entity, Ownership, Relationship, Share, Source
from riskengine.graph import Graph, GraphData

DAY = date(2024, 6, 1)
SRC = Source(source="test")


def graph_of(n: int, ties: Sequence[tuple[int, int, str]]) -> Graph:
    """``ties``: (from, to, "own" | "rel"), each its own fact."""
    own = [Ownership(id=f"o{k}", owner=f"e{a}", asset=f"e{b}", share=Share(low=30, high=30),
                     source=SRC) for k, (a, b, f) in enumerate(ties) if f == "own"]
    rel = [Relationship(id=f"r{k}", a=f"e{a}", b=f"e{b}", kind="component_supply",
                        source=SRC) for k, (a, b, f) in enumerate(ties) if f == "rel"]
    ents = tuple(Entity(id=f"e{i}", name=f"Party {i}") for i in range(n))
    ds = Dataset(entities=ents, ownerships=tuple(own), relationships=tuple(rel))
    return GraphData.from_dataset(ds).at(DAY)


def verdicts_of(n: int, blocked: set[int]) -> dict[str, RegimeArrays]:
    listed = np.zeros(n, dtype=np.bool_)
    listed[list(blocked)] = True
    none = np.zeros(n, dtype=np.bool_)
    return {"us": RegimeArrays("us", listed, none.copy(), none.copy(), listed.copy())}
