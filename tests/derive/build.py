"""Compact test graphs: a Dataset from tuples, every fact from Source(source="test").

    owns:     (owner, asset, share) or (owner, asset, share, valid_from, valid_to)
              share: 30 exact, (25, 60) a range, None unknown
    controls: (controller, controlled, kind) or (..., kind, valid_from, valid_to)
    listings: (entity, regime) or (entity, regime, listed_from, listed_to[, measure])

Entity ids are the names used in the tuples; the entity's name is the id in capitals.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from riskengine.derive.base import RegimeArrays
from riskengine.domain import Control, Dataset, Designation, Entity, Ownership, Share, Source
from riskengine.graph import Graph, GraphData
from riskengine.ruleset.models import Regime, RegimeParams, RegimeRules

AS_OF = date(2024, 7, 3)
SRC = Source(source="test", note="test fact")
ShareSpec = float | tuple[float, float] | None

# OFAC 50 Percent Rule (FAQ 398, 401): 50% or more, aggregated; control alone never blocks.
US = RegimeParams(ownership_test="aggregate", threshold=50, inclusive=True,
                  note="OFAC FAQ 398")
# EU: aggregated ownership, from 2024-07-03 "50% or more"; control blocks (Council guidance).
EU_CONTROL = ("board_appointment", "dominant_influence", "voting_agreement", "management")
EU = RegimeParams(ownership_test="aggregate", threshold=50, inclusive=True,
                  control_kinds=EU_CONTROL)
EU_BEFORE = RegimeParams(ownership_test="aggregate", threshold=50, inclusive=False,
                         control_kinds=EU_CONTROL)
# UK (OFSI): more than 50%, per designated person; joint arrangements aggregate; control blocks.
UK = RegimeParams(ownership_test="per_person", threshold=50, inclusive=False,
                  control_kinds=EU_CONTROL, joint_arrangements_aggregate=True)
NONE = RegimeParams(ownership_test="none")
TESTS = {"aggregate": US, "per_person": UK, "none": NONE}

RULES = RegimeRules(regimes=(
    Regime(code="us", name="United States", periods=(US,)),
    Regime(code="eu", name="European Union", periods=(
        EU_BEFORE.model_copy(update={"valid_to": date(2024, 7, 3)}),
        EU.model_copy(update={"valid_from": date(2024, 7, 3)}),
    )),
    Regime(code="uk", name="United Kingdom", periods=(UK,)),
))


def share(spec: ShareSpec) -> Share:
    """30 -> exact, (25, 60) -> range, None -> unknown."""
    if spec is None:
        return Share.unknown()
    if isinstance(spec, tuple):
        return Share(low=spec[0], high=spec[1])
    return Share.exact(spec)


def _dates(row: Sequence[Any], at: int) -> tuple[date | None, date | None]:
    return (row[at], row[at + 1]) if len(row) > at else (None, None)


def _ids(rows: Iterable[Sequence[Any]], width: int) -> list[str]:
    return [str(x) for row in rows for x in row[:width]]


def dataset(owns: Sequence[Sequence[Any]] = (), controls: Sequence[Sequence[Any]] = (),
            listings: Sequence[Sequence[Any]] = (), extra: Sequence[str] = ()) -> Dataset:
    """A Dataset of the given facts; entities are every id mentioned, in order."""
    ids = dict.fromkeys([*_ids(owns, 2), *_ids(controls, 2), *_ids(listings, 1), *extra])
    return Dataset(
        entities=tuple(Entity(id=e, name=e.upper(), sources=(SRC,)) for e in ids),
        ownerships=tuple(
            Ownership(id=f"o{k}", owner=r[0], asset=r[1], share=share(r[2]), source=SRC,
                      valid_from=_dates(r, 3)[0], valid_to=_dates(r, 3)[1])
            for k, r in enumerate(owns)),
        controls=tuple(
            Control(id=f"c{k}", controller=r[0], controlled=r[1], kind=r[2], source=SRC,
                    valid_from=_dates(r, 3)[0], valid_to=_dates(r, 3)[1])
            for k, r in enumerate(controls)),
        designations=tuple(
            Designation(id=f"d{k}", entity_id=r[0], regime=r[1], authority=r[1].upper(),
                        list_name="TEST", program="PROG", source=SRC,
                        listed_from=_dates(r, 2)[0], listed_to=_dates(r, 2)[1],
                        measure=r[4] if len(r) > 4 else "asset_freeze")
            for k, r in enumerate(listings)),
    )


def graph(owns: Sequence[Sequence[Any]] = (), controls: Sequence[Sequence[Any]] = (),
          listings: Sequence[Sequence[Any]] = (), as_of: date = AS_OF,
          extra: Sequence[str] = ()) -> Graph:
    """The Graph of ``dataset(...)`` as of ``as_of``."""
    return GraphData.from_dataset(dataset(owns, controls, listings, extra)).at(as_of)


def statuses(g: Graph, arrays: RegimeArrays) -> dict[str, str]:
    """Entity id -> listed | owned | controlled | possibly | clear."""
    out = {}
    for i, eid in enumerate(g.ids):
        status = arrays.status(i)
        out[eid] = "possibly" if status == "clear" and arrays.possibly[i] else status
    return out
