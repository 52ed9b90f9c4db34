"""Store: migrations on open, round trip, upsert, atomic saves; on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError

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
from riskengine.ingest.ftm import read_ftm, resolve_references, scan_ftm
from riskengine.store import Store, StoreError
from riskengine.store import store as store_module
from riskengine.store.migrate import current_revision, head_revision
from riskengine.store.schema import METADATA
from tests.conftest import FIXTURES
from tests.store.builders import RULES, SRC, dump, record, sample_dataset

TABLES = {"alembic_version", "entities", "entity_names", "entity_identifiers", "entity_sources",
          "designations", "ownerships", "controls", "relationships", "ingests", "list_editions",
          "runs", "run_scores", "audit_log", "locks", "overrides", "snapshots", "merge_decisions",
          "users", "api_tokens"}
EMPTY = {"entities": 0, "designations": 0, "ownerships": 0, "controls": 0, "relationships": 0,
         "ingests": 0, "list_editions": 0}
KINDS = ("entities", "designations", "ownerships", "controls", "relationships")


def by_id(dataset: Dataset) -> Dataset:
    """The dataset with each kind sorted by id, as ``load_dataset`` returns it."""
    return Dataset(**{kind: tuple(sorted(getattr(dataset, kind), key=lambda f: f.id))
                      for kind in KINDS})


def upserted(first: Dataset, second: Dataset) -> Dataset:
    """What the store should hold after saving ``first`` then ``second``."""
    merged = {kind: {f.id: f for f in (*getattr(first, kind), *getattr(second, kind))}
              for kind in KINDS}
    return by_id(Dataset(**{kind: tuple(facts.values()) for kind, facts in merged.items()}))


def test_open_migrates_an_empty_database_once(db_url: str) -> None:
    with Store.open(db_url) as store:
        assert store.counts() == EMPTY
        assert store.load_dataset() == Dataset()
        assert store.ingests() == []
    before = dump(db_url)
    Store.open(db_url).close()
    assert set(before) == TABLES
    assert dump(db_url) == before
    engine = create_engine(db_url)
    with engine.connect() as conn:
        assert current_revision(conn) == head_revision() == "0011"
    engine.dispose()


def test_open_refuses_a_database_from_a_newer_version(db_url: str) -> None:
    Store.open(db_url).close()
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(StoreError, match=r"cannot open store .*9999"):
        Store.open(db_url)


def test_migrated_schema_matches_the_models(db_url: str) -> None:
    Store.open(db_url).close()
    engine = create_engine(db_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, METADATA)
    engine.dispose()
    assert differences == []


def test_save_then_load_round_trips(store: Store) -> None:
    saved = store.save_ingest(sample_dataset(), record(entities=3))
    assert store.load_dataset() == sample_dataset()
    assert saved == record(entities=3).model_copy(update={"id": 1})
    assert store.ingests() == [saved]
    assert store.counts() == {"entities": 3, "designations": 2, "ownerships": 3, "controls": 1,
                              "relationships": 2, "ingests": 1, "list_editions": 0}


def test_load_orders_every_kind_by_id(store: Store) -> None:
    ids = ["b", "B", "a_1", "a-1", "Ä", "a", "10", "9"]
    entities = tuple(Entity(id=i, name=f"name {i}") for i in ids)
    designations = tuple(Designation(id=f"d{i}", entity_id=i, regime="us", source=RULES)
                         for i in ids)
    store.save_ingest(Dataset(entities=entities, designations=designations), record())
    loaded = store.load_dataset()
    assert [e.id for e in loaded.entities] == sorted(ids)
    assert [d.id for d in loaded.designations] == sorted(f"d{i}" for i in ids)


UPDATES: list[tuple[str, Dataset]] = [
    ("entity-renamed-children-replaced", Dataset(entities=(
        Entity(id="ofac-sdn:1", kind="organisation", name="New Name", aliases=("NN",),
               country="kz", sources=(RULES,)),))),
    ("designation-delisted", Dataset(designations=(
        Designation(id="d1", entity_id="ofac-sdn:1", regime="us", measure="asset_freeze",
                    listed_from=date(2023, 5, 19), listed_to=date(2024, 12, 1), source=RULES),))),
    ("share-and-ends-changed", Dataset(ownerships=(
        Ownership(id="o1", owner="ofac-sdn:1", asset="ofac-sdn:2", share=Share.unknown(),
                  source=SRC),))),
    ("control-and-relationship-changed", Dataset(
        controls=(Control(id="c1", controller="rules:jv", controlled="ofac-sdn:1", kind="trust",
                          source=RULES),),
        relationships=(Relationship(id="r1", a="rules:jv", b="ofac-sdn:2", kind="financing",
                                    status="ended", source=RULES),))),
    ("new-facts-added", Dataset(
        entities=(Entity(id="new", name="Newco"),),
        ownerships=(Ownership(id="o9", owner="new", asset="ofac-sdn:1",
                              share=Share.exact(100), source=RULES),))),
]


@pytest.mark.parametrize(("name", "second"), UPDATES, ids=[n for n, _ in UPDATES])
def test_saving_again_replaces_rows_with_the_same_id(store: Store, name: str,
                                                     second: Dataset) -> None:
    store.save_ingest(sample_dataset(), record())
    store.save_ingest(second, record(minute=5))
    assert store.load_dataset() == upserted(sample_dataset(), second), name
    assert [r.id for r in store.ingests()] == [1, 2]


def test_repeated_ids_in_one_save_keep_the_last(store: Store) -> None:
    first, last = Entity(id="x", name="First"), Entity(id="x", name="Last", aliases=("L",))
    store.save_ingest(Dataset(entities=(first, last)), record())
    assert store.load_dataset() == Dataset(entities=(last,))
    assert store.find_by_name("first") == []


Failure = tuple[Dataset, type[Exception], str]


def _rejected_midway(_monkeypatch: pytest.MonkeyPatch) -> Failure:
    """Entities are written first, then the database rejects a designation (NULL regime)."""
    renamed = Entity(id="ofac-sdn:1", name="Renamed", aliases=("R",))
    broken = Designation.model_construct(  # bypasses validation, as a bug upstream might
        id="d-broken", entity_id="ofac-sdn:1", regime=None,  # type: ignore[arg-type]
        authority="", program=None, list_name="", measure="asset_freeze", listed_from=None,
        listed_to=None, source=RULES)
    fine = Designation(id="d-fine", entity_id="ofac-sdn:1", regime="uk", source=RULES)
    dataset = Dataset(entities=(renamed,), designations=(fine, broken))
    return dataset, StoreError, "saving second.csv failed, nothing was written"


def _late_failure(monkeypatch: pytest.MonkeyPatch) -> Failure:
    """Every fact is written (changed and new), then appending the ingest record fails."""
    def boom(*_args: object) -> int:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(store_module, "_append_ingest", boom)
    changed = Entity(id="ofac-sdn:2", name="Changed")
    return Dataset(entities=(changed, Entity(id="n", name="N"))), RuntimeError, "disk on fire"


@pytest.mark.parametrize("failure", [_rejected_midway, _late_failure], ids=["midway", "late"])
def test_failed_save_leaves_the_database_exactly_as_it_was(
        db_url: str, monkeypatch: pytest.MonkeyPatch,
        failure: Callable[[pytest.MonkeyPatch], Failure]) -> None:
    with Store.open(db_url) as store:
        store.save_ingest(sample_dataset(), record())
        before = dump(db_url)
        dataset, error, message = failure(monkeypatch)
        with pytest.raises(error, match=message):
            store.save_ingest(dataset, record(file="second.csv"))
        assert dump(db_url) == before
        assert store.load_dataset() == sample_dataset()


@pytest.mark.parametrize(
    ("name", "ids"),
    [("Volga Precision Instruments JSC", ["ofac-sdn:1"]), ("  vpi ", ["ofac-sdn:1"]),
     ("АО «ВОЛЖСКИЕ   ТОЧНЫЕ ПРИБОРЫ»", ["ofac-sdn:1"]), ("pyotr ivanov", ["ofac-sdn:2"]),
     ("Volga", [])],
)
def test_find_by_name_matches_names_and_aliases(store: Store, name: str, ids: list[str]) -> None:
    store.save_ingest(sample_dataset(), record())
    assert store.find_by_name(name) == ids


def test_ingest_records_keep_order_and_utc_timestamps(store: Store) -> None:
    first = store.save_ingest(Dataset(), record("a.csv", 0, entities=0))
    second = store.save_ingest(Dataset(), record("b.csv", 9, entities=12, skipped=1))
    assert store.ingests() == [first, second]
    assert [(r.id, r.file, r.counts) for r in store.ingests()] == [
        (1, "a.csv", {"entities": 0}), (2, "b.csv", {"entities": 12, "skipped": 1})]
    assert store.ingests()[1].started_at.isoformat() == "2024-07-01T09:09:00+00:00"


def test_edges_to_entities_outside_the_store_are_kept(store: Store) -> None:
    """Facts may point at rule-file entities; the ingest checks references beforehand."""
    sample = read_ftm(FIXTURES / "ftm" / "sample.ftm.json")
    _, warnings = resolve_references(sample.dataset, store.entity_ids())
    store.save_ingest(sample.dataset, record())
    resolved, none = resolve_references(sample.dataset, store.entity_ids() | {"co-not-in-file"})
    assert len(warnings) == 1
    assert (resolved, none) == (sample.dataset, [])
    assert store.load_dataset() == by_id(sample.dataset)
    assert store.entity_ids() == {e.id for e in sample.dataset.entities}


@pytest.mark.shared_data
def test_real_ftm_file_round_trips(store: Store, shared_data: Path) -> None:
    path = shared_data / "opensanctions_ftm" / "zala" / "entities.ftm.json"
    if not path.is_file():
        pytest.skip(f"OpenSanctions FtM file not found at {path}")
    dataset = read_ftm(path).dataset
    store.save_ingest(dataset, record(file=str(path)))
    assert store.load_dataset() == by_id(dataset)


@pytest.mark.parametrize(
    ("url", "message"),
    [("not a url", "invalid database URL"),
     ("mysql+pymysql://u@localhost/db", "mysql"),
     ("postgresql://u:secret@127.0.0.1:1/nowhere", "cannot open store postgresql"),
     ("sqlite:////nonexistent-dir/x/store.db", "cannot open store sqlite")],
)
def test_open_refuses_with_a_store_error(url: str, message: str) -> None:
    with pytest.raises(StoreError, match=message) as caught:
        Store.open(url)
    assert "secret" not in str(caught.value)


def test_in_memory_sqlite_works() -> None:
    with Store.open("sqlite://") as store:
        store.save_ingest(Dataset(entities=(Entity(id="e", name="E", sources=(Source(
            source="rules"),)),)), record())
        assert store.counts()["entities"] == 1


# --- bulk writes of flat facts (ingest ftm) ------------------------------------------------

FACT_TABLES = ("entities", "entity_names", "entity_identifiers", "entity_sources",
               "designations", "ownerships", "controls", "relationships")


class _Undo(Exception):
    """Rolls a comparison's transaction back."""


def _rows_after(store: Store, write: Callable[..., object]) -> dict[str, list[str]]:
    """Every stored fact row, raw from the driver, after ``write(conn)``; then rolled back."""
    found: dict[str, list[str]] = {}
    with pytest.raises(_Undo), store.transaction(write=True) as conn:
        write(conn)
        found = {t: sorted(repr(tuple(row)) for row in conn.exec_driver_sql(f"SELECT * FROM {t}"))
                 for t in FACT_TABLES}
        raise _Undo
    return found


def _stored_before(sample: Dataset) -> Dataset:
    """Facts already stored: some of the sample's ids with other values, and other ids."""
    first = sample.entities[0].model_copy(update={"name": "Old name", "aliases": ("a", "b", "c")})
    other = Entity(id="zz-other", name="Other", sources=(RULES,))
    edge = sample.ownerships[0].model_copy(update={"share": Share.exact(5)})
    return Dataset(entities=(first, other), ownerships=(edge,),
                   designations=sample.designations[:1])


@pytest.mark.parametrize("stored", [False, True], ids=["fresh store", "ids already stored"])
def test_bulk_write_stores_the_rows_the_domain_objects_give(store: Store, stored: bool) -> None:
    """The fast path (flat facts, raw driver) against the reference: the same facts as
    domain objects, written row dict by row dict with SQLAlchemy (``rows.*``)."""
    scan = scan_ftm(FIXTURES / "ftm" / "sample.ftm.json")
    if stored:
        store.save_ingest(_stored_before(scan.facts.to_dataset()), record())
    fast = _rows_after(store, lambda conn: store_module._write_dataset(conn, scan.facts))
    slow = _rows_after(store, lambda conn: store_module._write_dataset(
        conn, scan.facts.to_dataset()))
    assert fast == slow
    assert all(fast[t] for t in FACT_TABLES)  # every table has rows to compare
    assert ("zz-other" in repr(fast["entities"])) is stored


@pytest.mark.shared_data
def test_bulk_write_of_a_real_ftm_file_keeps_its_weak_aliases(store: Store,
                                                               shared_data: Path) -> None:
    """FtM weakAlias through the fast path: the same rows as the domain objects give, and
    the weak aliases read back."""
    path = shared_data / "opensanctions_ftm" / "zala" / "entities.ftm.json"
    if not path.is_file():
        pytest.skip(f"OpenSanctions FtM file not found at {path}")
    scan = scan_ftm(path)
    fast = _rows_after(store, lambda conn: store_module._write_dataset(conn, scan.facts))
    slow = _rows_after(store, lambda conn: store_module._write_dataset(
        conn, scan.facts.to_dataset()))
    assert fast == slow
    store.save_ingest(scan.facts, record(file=str(path)))
    weak = {e.id: e.weak_aliases for e in store.load_dataset().entities if e.weak_aliases}
    assert weak == {e.id: e.weak_names for e in scan.facts.entities if e.weak_names}
    assert weak


def test_bulk_ingest_is_one_transaction(store: Store) -> None:
    """A failure after the bulk write (here: in the audit entry) leaves nothing written."""
    scan = scan_ftm(FIXTURES / "ftm" / "sample.ftm.json")
    before = store.counts()

    def failing_audit(conn: object, saved: object) -> None:
        raise SQLAlchemyError("audit refused")

    with pytest.raises(StoreError, match="nothing was written: audit refused"):
        store.save_ingest(scan.facts, record(), failing_audit)
    assert store.counts() == before
    store.save_ingest(scan.facts, record())
    assert store.load_dataset() == by_id(scan.facts.to_dataset())


def test_a_driver_error_in_the_bulk_write_is_a_store_error(store: Store) -> None:
    scan = scan_ftm(FIXTURES / "ftm" / "sample.ftm.json")
    twice = dataclasses.replace(scan.facts, entities=scan.facts.entities * 2)  # ids clash
    with pytest.raises(StoreError, match="nothing was written"):
        store.save_ingest(twice, record())
    assert store.counts() == EMPTY
