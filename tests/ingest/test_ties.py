"""Tie history of list editions: new, kept, ended, renewed (pure planner)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from riskengine.domain import Control, Dataset, Ownership, Relationship, Share, Source
from riskengine.ingest.ties import plan_ties

SRC = Source(source="ofac-sdn", record_id="1")
ED1, ED2, ED3 = date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)


def own(tie_id: str = "t1", **changes: Any) -> Ownership:
    base: dict[str, Any] = {"id": tie_id, "owner": "a", "asset": "b", "share": Share.unknown(),
                            "source": SRC}
    return Ownership(**(base | changes))


def plan(incoming: list[Ownership], stored: list[Ownership], on: date
         ) -> tuple[list[tuple[str, date | None, date | None]], dict[str, int]]:
    result = plan_ties(Dataset(ownerships=tuple(incoming)), Dataset(ownerships=tuple(stored)), on)
    rows = [(t.id, t.valid_from, t.valid_to) for t in result.rows["ownerships"]]
    return rows, {k: v for k, v in result.counts.items() if v}


CASES = [
    ("first-seen", [own()], [], ED1, [("t1", None, None)], {"ties_new": 1}),
    ("kept", [own()], [own()], ED2, [("t1", None, None)], {"ties_kept": 1}),
    ("kept-keeps-stored-start", [own()], [own(valid_from=ED1)], ED2, [("t1", ED1, None)],
     {"ties_kept": 1}),
    ("gone-is-ended", [], [own()], ED2, [("t1", None, ED2)], {"ties_ended": 1}),
    ("ended-not-before-its-start", [], [own(valid_from=ED3)], ED2, [("t1", ED3, ED3)],
     {"ties_ended": 1}),
    ("already-ended-stays", [], [own(valid_to=ED2)], ED3, [], {}),
    ("back-again-is-renewed", [own()], [own(valid_to=ED2)], ED3,
     [("t1@2024-03-01", ED3, None)], {"ties_renewed": 1}),
    ("renewed-twice-keeps-latest-open", [own()],
     [own(valid_to=ED2), own("t1@2024-03-01", valid_from=ED3)], date(2024, 4, 1),
     [("t1@2024-03-01", ED3, None)], {"ties_kept": 1}),
    ("end-stated-by-the-source", [own(valid_to=ED2)], [own(valid_to=ED2)], ED3,
     [("t1", None, ED2)], {"ties_kept": 1}),
]


@pytest.mark.parametrize(("name", "incoming", "stored", "on", "rows", "counts"), CASES,
                         ids=[c[0] for c in CASES])
def test_plan_ties(name: str, incoming: list[Ownership], stored: list[Ownership], on: date,
                   rows: list[tuple[str, date | None, date | None]],
                   counts: dict[str, int]) -> None:
    assert plan(incoming, stored, on) == (rows, counts), name


def test_every_kind_is_planned() -> None:
    ctl = Control(id="c1", controller="a", controlled="b", kind="trust", source=SRC)
    rel = Relationship(id="r1", a="a", b="b", kind="officer", source=SRC)
    stored = Dataset(controls=(ctl,), relationships=(rel,))
    result = plan_ties(Dataset(relationships=(rel,)), stored, ED2)
    assert [t.valid_to for t in result.rows["controls"]] == [ED2]
    assert [t.valid_to for t in result.rows["relationships"]] == [None]
    assert (result.counts["ties_ended"], result.counts["ties_kept"]) == (1, 1)
