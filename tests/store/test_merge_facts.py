"""The facts entity resolution weighs round-trip through the store (schema 0007)."""

from __future__ import annotations

from datetime import date

import pytest

from riskengine.domain import Dataset, Entity, Identifier, Source
from riskengine.store import Store
from tests.store.builders import record

INN = Identifier(scheme="inn", value="1650032058", country="ru", stated_from=date(2022, 6, 28),
                 stated_to=date(2024, 5, 3))


@pytest.mark.parametrize(
    "entity",
    [
        Entity(id="ofac:1", kind="person", name="KOGOGIN, Sergei", sources=(Source(source="x"),),
               birth_dates=("1957-11-16", "1957"), nationalities=("ru", "by"),
               identifiers=(INN, Identifier(scheme="passport", value="753000001"))),
        Entity(id="uk:1", name="Nothing stated"),
    ],
    ids=["stated", "nothing-stated"],
)
def test_dates_of_birth_nationalities_and_identifier_periods_round_trip(
        store: Store, entity: Entity) -> None:
    store.save_ingest(Dataset(entities=(entity,)), record(entities=1))
    assert store.load_dataset().entities == (entity,)
