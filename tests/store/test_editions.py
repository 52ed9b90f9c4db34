"""List editions in the store: saved with their facts atomically, read back per source."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy.exc import OperationalError

from riskengine.domain import Dataset, Designation, Entity, Source
from riskengine.store import EditionRecord, Store, StoreError
from riskengine.store import store as store_module
from tests.store.builders import dump, record, sample_dataset

UK = Source(source="uk", record_id="RUS1422")


def edition(source: str = "ofac-sdn", published: date = date(2024, 6, 28),
            digest: str = "ab" * 32) -> EditionRecord:
    return EditionRecord(source=source, published=published, content_hash=digest,
                         files=["sdn.csv", "alt.csv"], counts={"new": 2, "delisted": 0})


def test_save_edition_round_trips(store: Store) -> None:
    saved = store.save_edition(sample_dataset(), record(), edition())
    assert saved == edition().model_copy(update={"id": 1, "ingest_id": 1})
    assert store.editions() == store.editions("ofac-sdn") == [saved]
    assert store.editions("uk") == []
    assert store.load_dataset() == sample_dataset()
    assert [i.id for i in store.ingests()] == [1]
    assert store.counts()["list_editions"] == 1


@pytest.mark.parametrize(
    ("published", "latest"),
    [([date(2022, 6, 17), date(2022, 6, 28)], date(2022, 6, 28)),
     ([date(2022, 6, 28), date(2022, 6, 17)], date(2022, 6, 28))],  # an older one forced in
)
def test_latest_edition_is_the_newest_published(store: Store, published: list[date],
                                                latest: date) -> None:
    assert store.latest_edition("ofac-sdn") is None
    for i, when in enumerate(published):
        store.save_edition(Dataset(), record(minute=i), edition(published=when, digest=str(i)))
    found = store.latest_edition("ofac-sdn")
    assert found is not None and found.published == latest


def test_source_designations_and_entities(store: Store) -> None:
    uk = Designation(id="uk:RUS1422/russia", entity_id="uk:RUS1422", regime="uk", source=UK)
    ds = sample_dataset()
    store.save_edition(ds.model_copy(update={"designations": (*ds.designations, uk)}),
                       record(), edition())
    assert store.source_designations("uk") == (uk,)
    assert [d.id for d in store.source_designations("ofac-sdn")] == ["d1"]
    assert list(store.entities(["ofac-sdn:2", "nobody"])) == ["ofac-sdn:2"]


def _edition_row_fails(monkeypatch: pytest.MonkeyPatch) -> type[Exception]:
    def boom(*_args: object) -> EditionRecord:
        raise OperationalError("INSERT", {}, Exception("disk full"))

    monkeypatch.setattr(store_module, "_append_edition", boom)
    return StoreError


def _ingest_row_fails(monkeypatch: pytest.MonkeyPatch) -> type[Exception]:
    def boom(*_args: object) -> int:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(store_module, "_append_ingest", boom)
    return RuntimeError


@pytest.mark.parametrize("failure", [_edition_row_fails, _ingest_row_fails],
                         ids=["edition-row", "ingest-row"])
def test_failed_edition_save_leaves_the_database_exactly_as_it_was(
        db_url: str, monkeypatch: pytest.MonkeyPatch,
        failure: Callable[[pytest.MonkeyPatch], type[Exception]]) -> None:
    with Store.open(db_url) as store:
        store.save_edition(sample_dataset(), record(), edition())
        before = dump(db_url)
        error = failure(monkeypatch)
        changed = Dataset(entities=(Entity(id="ofac-sdn:2", name="Changed"),
                                    Entity(id="new", name="New")))
        with pytest.raises(error):
            store.save_edition(changed, record(file="second.csv"), edition(digest="cd" * 32))
        assert dump(db_url) == before
        assert store.load_dataset() == sample_dataset()
