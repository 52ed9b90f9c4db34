"""Identifiers have validity periods from the editions that state them (``union_entity``)."""

from __future__ import annotations

from datetime import date

import pytest

from riskengine.domain import Entity, Identifier, Source
from riskengine.ingest.editions import union_entity

D1, D2, D3 = date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)


def rec(*values: str, source: str = "ofac-sdn") -> Entity:
    return Entity(id="ofac:1", name="A", sources=(Source(source=source),),
                  identifiers=tuple(Identifier(scheme="inn", value=v) for v in values))


def periods(entity: Entity) -> list[tuple[str, date | None, date | None]]:
    return [(i.value, i.stated_from, i.stated_to) for i in entity.identifiers]


def test_first_edition_dates_its_identifiers() -> None:
    assert periods(union_entity(None, rec("1111111111"), D1)) == [("1111111111", D1, None)]


@pytest.mark.parametrize(
    ("editions", "expected"),
    [
        # still stated: keeps its first date
        ([("1111111111",), ("1111111111",)], [("1111111111", D1, None)]),
        # corrected in the next edition: the old one ends there, the new one starts
        ([("1111111111",), ("2222222222",)],
         [("2222222222", D2, None), ("1111111111", D1, D2)]),
        # ended, then stated again: a new period
        ([("1111111111",), (), ("1111111111",)], [("1111111111", D3, None)]),
        # ended stays ended at its first missing edition
        ([("1111111111",), (), ()], [("1111111111", D1, D2)]),
    ],
    ids=["kept", "corrected", "restated", "stays-ended"],
)
def test_editions_of_one_source(editions: list[tuple[str, ...]],
                                expected: list[tuple[str, date | None, date | None]]) -> None:
    entity = None
    for day, values in zip((D1, D2, D3), editions, strict=False):
        entity = union_entity(entity, rec(*values), day)
    assert entity is not None and periods(entity) == expected


def test_an_identifier_another_source_may_state_is_left_open() -> None:
    old = union_entity(None, rec("1111111111", source="ofac-cons"), D1)
    new = union_entity(old, rec(source="ofac-sdn"), D2)
    assert periods(new) == [("1111111111", D1, None)]


def test_without_a_date_identifiers_are_unioned_as_before() -> None:
    assert periods(union_entity(rec("1111111111"), rec("2222222222"))) == [
        ("2222222222", None, None), ("1111111111", None, None)]
