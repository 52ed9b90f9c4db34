"""The facts snapshot a rescore stores is read on a second thread while the graph is compiled
and scored: a snapshot of other facts than the graph's (an ingest between the two reads)
stores nothing and says why."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from riskengine.application import runs
from riskengine.store import Store
from riskengine.store.audit import audit_entries
from riskengine.store.facts_snapshot import FactsSnapshot
from riskengine.store.runs import list_runs
from tests.cli.conftest import ok


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


def test_a_snapshot_of_other_facts_stores_no_run(cli, db: str,  # type: ignore[no-untyped-def]
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    ok(cli, "rescore", "--quiet")
    with Store.open(db) as store:
        entries = len(audit_entries(store))
    real = runs._read_snapshot

    def moved(settings):  # type: ignore[no-untyped-def]
        found: FactsSnapshot = real(settings)
        return replace(found, version=found.version + "-another-ingest")

    monkeypatch.setattr(runs, "_read_snapshot", moved)
    failed = cli("rescore", "--quiet")
    assert failed.code != 0
    assert "the stored facts changed while the rescore read them" in failed.err
    assert len(failed.err.strip().splitlines()) == 1
    with Store.open(db) as store:
        assert [r.id for r in list_runs(store)] == [1]
        assert len(audit_entries(store)) == entries
