"""A store with every kind of source (lists, FtM, seed) for the compiled-graph tests, on
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from riskengine.application import ingest as app_ingest
from riskengine.settings import Settings
from tests.cli.conftest import BACKENDS, backend_url

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
SOURCES = [("ofac-sdn", FIXTURES / "ofac" / "sdn_csv", date(2024, 1, 1)),
           ("uk", FIXTURES / "uk" / "ConList.excerpt.xlsx", date(2025, 4, 14)),
           ("un", FIXTURES / "un" / "UN_consolidated.excerpt.xml", date(2026, 2, 27))]


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return backend_url(request, tmp_path)


@pytest.fixture
def settings(db: str, tmp_path: Path) -> Settings:
    """Settings on a store holding the fixture lists and the FtM sample, cache in tmp."""
    found = Settings(db_url=db, cache_dir=tmp_path / "compiled")
    for source, path, published in SOURCES:
        app_ingest.ingest_list(found, source, path, published, actor="test")
    app_ingest.ingest_ftm(found, FIXTURES / "ftm" / "sample.ftm.json", "test")
    return found
