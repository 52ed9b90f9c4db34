"""Compact builders for exposure tests: datasets from tuples, rules, regime arrays."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import numpy as np

from riskengine.derive.base import RegimeArrays
from riskengine.domain import (
    Control,
    Dataset,
    Designation,
    Entity,
    Ownership,
    Relationship,
    Share,
    Source,
)
from riskengine.graph import Graph, GraphData
from riskengine.ruleset.models import (
    Band,
    ControlWeights,
    HubDamping,
    RelationWeight,
    ScoringRules,
)

AS_OF = date(2024, 1, 1)
SRC = Source(source="test")


def _share(share: float | tuple[float, float] | None) -> Share:
    if share is None:
        return Share.unknown()
    if isinstance(share, tuple):
        return Share(low=share[0], high=share[1])
    return Share.exact(share)


def dataset(entities: Iterable[str], owns: Iterable[tuple[Any, ...]] = (),
            controls: Iterable[tuple[Any, ...]] = (), relations: Iterable[tuple[Any, ...]] = (),
            listings: Iterable[tuple[Any, ...]] = ()) -> Dataset:
    """entities: ids (name = id upper-cased); owns: (owner, asset, pct | (lo, hi) | None);
    controls: (controller, controlled, kind); relations: (a, b, kind[, status[, ended_on]]);
    listings: (entity, regime[, measure[, program]])."""
    return Dataset(
        entities=tuple(Entity(id=e, name=e.upper()) for e in entities),
        ownerships=tuple(Ownership(id=f"o{k}", owner=o, asset=a, share=_share(s), source=SRC)
                         for k, (o, a, s) in enumerate(owns)),
        controls=tuple(Control(id=f"c{k}", controller=c, controlled=d, kind=kind, source=SRC)
                       for k, (c, d, kind) in enumerate(controls)),
        relationships=tuple(_relation(k, r) for k, r in enumerate(relations)),
        designations=tuple(_designation(k, d) for k, d in enumerate(listings)),
    )


def _relation(k: int, row: tuple[Any, ...]) -> Relationship:
    a, b, kind, *rest = row
    status = rest[0] if rest else "active"
    ended_on = rest[1] if len(rest) > 1 else None
    return Relationship(id=f"r{k}", a=a, b=b, kind=kind, status=status, valid_to=ended_on,
                        source=SRC)


def _designation(k: int, row: tuple[Any, ...]) -> Designation:
    entity, regime, *rest = row
    measure = rest[0] if rest else "asset_freeze"
    program = rest[1] if len(rest) > 1 else "TEST-PROGRAM"
    return Designation(id=f"d{k}", entity_id=entity, regime=regime, authority="AUTH",
                       list_name="LIST", program=program, measure=measure,
                       listed_from=date(2022, 6, 28), source=SRC)


def graph(ds: Dataset, as_of: date = AS_OF) -> Graph:
    """The dataset's graph as of ``as_of``."""
    return GraphData.from_dataset(ds).at(as_of)


def arrays(g: Graph, regime: str, owned: Iterable[str] = (), controlled: Iterable[str] = (),
           possibly: Iterable[str] = ()) -> RegimeArrays:
    """Verdict arrays of one regime: listed from the graph, the rest from entity ids.
    ``possibly`` is made a superset of blocked, as the derivation guarantees."""
    def flags(names: Iterable[str]) -> np.ndarray[Any, np.dtype[np.bool_]]:
        wanted = set(names)
        return np.asarray([eid in wanted for eid in g.ids], dtype=np.bool_)

    listed = g.listed.get(regime, np.zeros(g.n, dtype=np.bool_))
    own, ctl = flags(owned), flags(controlled)
    return RegimeArrays(regime, listed, own, ctl, listed | own | ctl | flags(possibly))


def rules(**changes: Any) -> ScoringRules:
    """Scoring rules for tests; keyword arguments replace fields."""
    base: dict[str, Any] = {
        "scale": 100.0, "blocked_score": 100.0, "unblocked_cap": 95.0,
        "possibly_blocked": 0.8, "other_listing": 0.5, "max_depth": 3, "decay": 0.5,
        "min_strength": 0.001, "regime_weights": {"us": 0.5, "eu": 0.3, "uk": 0.4},
        "default_regime_weight": 0.1,
        "hub_damping": HubDamping(reference_degree=8, exponent=0.5),
        "control": ControlWeights(controlled_by={"board_appointment": 0.6,
                                                 "dominant_influence": 0.9}, controls=0.4),
        "relationships": {
            "technology_licence": RelationWeight(weight=0.6),
            "joint_venture": RelationWeight(weight=0.8, regimes={"eu": 0.4}),
            "component_supply": RelationWeight(weight=0.5),
            "officer": RelationWeight(weight=1.0),
        },
        "bands": (Band(name="blocked", min_score=100), Band(name="severe", min_score=60),
                  Band(name="high", min_score=35), Band(name="medium", min_score=15),
                  Band(name="low", min_score=1), Band(name="none", min_score=0)),
    }
    return ScoringRules(**{**base, **changes})
