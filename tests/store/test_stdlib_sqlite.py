"""Reading SQLite in columns through the sqlite3 module (the service's path) gives the same
tables, entities and snapshot bytes as the ADBC driver; and, unlike ADBC in a process that
keeps sqlite3 connections open, leaves other processes seeing every commit."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from riskengine.application import ingest as app_ingest
from riskengine.settings import Settings
from riskengine.store import Store
from riskengine.store.audit import append_audit
from riskengine.store.columnar import read_tables, use_stdlib_sqlite
from riskengine.store.facts_snapshot import read_entities, read_snapshot

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    settings = Settings(db_url=url)
    app_ingest.ingest_list(settings, "uk", FIXTURES / "uk" / "ConList.excerpt.xlsx",
                           date(2025, 4, 14), actor="test")
    app_ingest.ingest_ftm(settings, FIXTURES / "ftm" / "sample.ftm.json", "test")
    return url


@pytest.fixture
def stdlib() -> Iterator[None]:
    use_stdlib_sqlite(True)
    try:
        yield
    finally:
        use_stdlib_sqlite(False)


def _both(read):  # type: ignore[no-untyped-def]
    def run(url: str):  # type: ignore[no-untyped-def]
        adbc = read(url)
        use_stdlib_sqlite(True)
        try:
            return adbc, read(url)
        finally:
            use_stdlib_sqlite(False)
    return run


def test_same_tables(db: str) -> None:
    adbc, plain = _both(read_tables)(db)
    assert adbc.version == plain.version
    for name, table in adbc.tables.items():
        assert plain[name].to_pylist() == table.to_pylist(), name


def test_same_entities_and_snapshot(db: str) -> None:
    assert _both(read_entities)(db)[0] == _both(read_entities)(db)[1]
    adbc, plain = _both(read_snapshot)(db)
    assert adbc == plain


def _commit(store: Store, i: int) -> None:
    with store.transaction(write=True) as conn:
        append_audit(conn, "t", "probe", {"i": i}, datetime.now(UTC))


def _seen_elsewhere(path: str) -> int:
    """Audit entries another connection (as another process would) sees."""
    with sqlite3.connect(path) as other:
        return int(other.execute("SELECT count(*) FROM audit_log WHERE action = 'probe'")
                   .fetchone()[0])


def test_commits_stay_visible_with_a_long_lived_engine(db: str, stdlib: None) -> None:
    path = db.removeprefix("sqlite:///")
    with Store.open(db) as store:
        _commit(store, 1)
        read_entities(db)
        read_tables(db)
        _commit(store, 2)
        assert _seen_elsewhere(path) == 2
