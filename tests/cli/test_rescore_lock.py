"""A second rescore exits 1 with one line naming the holder, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from riskengine.store import Store
from riskengine.store.locks import hold_lock
from tests.cli.conftest import BACKENDS, backend_url


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Every test here runs on SQLite and on PostgreSQL."""
    return backend_url(request, tmp_path)


def test_second_rescore_names_the_holder_then_runs(cli, db: str) -> None:  # type: ignore[no-untyped-def]
    with Store.open(db) as store, hold_lock(store, "rescore", "batch-host:4242 cron",
                                            datetime(2026, 11, 22, 3, 0, tzinfo=UTC)):
        refused = cli("rescore", "--quiet")
    assert (refused.code, refused.out) == (1, "")
    assert refused.err == ("error: another rescore is running on this database (held by "
                           "batch-host:4242 cron since 2026-11-22 03:00:00 UTC); try again "
                           "when it has finished\n")
    done = cli("rescore", "--quiet")  # released: the next one runs
    assert done.code == 0, done.err
    with Store.open(db) as store, store.transaction(write=False) as conn:
        assert conn.execute(text("SELECT count(*) FROM locks")).scalar_one() == 0
