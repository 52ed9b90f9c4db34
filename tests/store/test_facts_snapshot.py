"""A run's columnar facts snapshot reads back as exactly the stored facts, and the same facts
give the same bytes (so runs share one snapshot)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from riskengine.application import ingest as app_ingest
from riskengine.settings import Settings
from riskengine.store import Store
from riskengine.store.facts_snapshot import MAGIC, decode, read_snapshot
from tests.cli.conftest import BACKENDS, backend_url

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    url = backend_url(request, tmp_path)
    settings = Settings(db_url=url)
    app_ingest.ingest_list(settings, "uk", FIXTURES / "uk" / "ConList.excerpt.xlsx",
                        date(2025, 4, 14), actor="test")
    app_ingest.ingest_ftm(settings, FIXTURES / "ftm" / "sample.ftm.json", "test")
    return url


def test_snapshot_reads_back_as_the_stored_facts(db: str) -> None:
    content, version = read_snapshot(db)
    with Store.open(db) as store:
        assert decode(content) == store.load_dataset()
        assert version == store.data_version()
    assert content.startswith(MAGIC)


def test_same_facts_same_bytes(db: str) -> None:
    assert read_snapshot(db)[0] == read_snapshot(db)[0]


def test_runs_stored_before_keep_their_json(db: str) -> None:
    with Store.open(db) as store:
        facts = store.load_dataset()
    assert decode(facts.model_dump_json().encode()) == facts
