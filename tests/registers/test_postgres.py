"""The register ingests on PostgreSQL (a real server; skipped with a message where none
answers): the edition history against the list ingests' reference, the chain's verdicts,
a broken file, the guard and a SIGKILL inside the transaction leaving the store as it was."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from riskengine.settings import Settings
from riskengine.store.store import Store
from tests.cli.conftest import ok
from tests.hardening.conftest import ROOT
from tests.registers.test_chain import CASES, REG
from tests.registers.test_ingest import _reference, _snapshot
from tests.registers.test_kill import KILLER
from tests.registers.test_kill import _snapshot as _kill_snapshot

pytestmark = pytest.mark.postgres


@pytest.fixture
def db(pg_url: str) -> str:  # the CLI fixtures of tests/cli on PostgreSQL
    return pg_url


def _ingest(url: str, path: Path, force: bool = False) -> list[str]:
    from riskengine.application.registers import ingest_register

    return ingest_register(Settings.build({}, db=url, seed=False), "psc", [path], None,
                           force=force)


def _state(url: str) -> tuple[Any, ...]:
    with Store.open(url) as store:
        facts = store.source_facts("psc")
        return (store.counts(), sorted((o.id, o.valid_from, o.valid_to)
                                       for o in facts.ownerships),
                sorted((c.id, c.valid_from, c.valid_to) for c in facts.controls))


@pytest.mark.parametrize("seed", range(2))
def test_history_matches_the_list_ingests(pg_url: str, tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    editions = [(sorted(rng.sample(range(40), rng.randrange(5, 40))), date(2024, m, 1))
                for m in range(1, 6)]
    for i, (keys, day) in enumerate(editions):
        _ingest(pg_url, _snapshot(tmp_path, f"s{i}.jsonl", keys, day), force=True)
    assert _state(pg_url)[1] == _reference(editions)


@pytest.mark.parametrize(("company", "regime", "status", "possibly"), CASES)
def test_chain_verdicts(cli: Any, company: str, regime: str, status: str,
                        possibly: bool) -> None:
    ok(cli, "ingest", "ftm", str(REG / "chain-listed.ftm.json"))
    ok(cli, "ingest", "gleif", str(REG / "chain-gleif-lei.xml"), str(REG / "chain-gleif-rr.xml"))
    ok(cli, "ingest", "psc", str(REG / "chain-psc.jsonl"))
    ok(cli, "ingest", "bods", str(REG / "chain-bods.json"))
    verdict = ok(cli, "--no-seed", "score", company, "--as-of", "2024-12-01", "--format",
                 "json").json()["regimes"][regime]
    assert (verdict["status"], verdict["possibly_blocked"]) == (status, possibly)


def test_broken_file_and_guard_leave_the_store_as_it_was(cli: Any, pg_url: str,
                                                         tmp_path: Path) -> None:
    good = _snapshot(tmp_path, "good.jsonl", list(range(30)), date(2024, 1, 1))
    ok(cli, "ingest", "psc", str(good))
    before = _state(pg_url)
    broken = tmp_path / "broken.jsonl"
    broken.write_bytes(good.read_bytes().replace(b'"ZZ0003"', b'"ZZ0003', 1))
    run = cli("ingest", "psc", str(broken), "--published", "2024-02-01")
    assert (run.code, f"{broken}:4: malformed JSON" in run.err) == (2, True)
    truncated = _snapshot(tmp_path, "short.jsonl", list(range(10)), date(2024, 3, 1))
    run = cli("ingest", "psc", str(truncated))
    assert (run.code, "would end 20 of 30 open ties" in run.err) == (2, True)
    assert _state(pg_url) == before


@pytest.mark.parametrize("kill_at", ["flush:2", "commit"])
def test_killed_inside_the_transaction(pg_url: str, tmp_path: Path, kill_at: str) -> None:
    _ingest(pg_url, _kill_snapshot(tmp_path / "a.jsonl", range(400), "2024-01-01"))
    before = _state(pg_url)
    second = _kill_snapshot(tmp_path / "b.jsonl", range(20, 600), "2024-02-01")
    env = {**os.environ, "RISKENGINE_DB": pg_url, "KILL_AT": kill_at, "PYTHONPATH": str(ROOT)}
    env.pop("RISKENGINE_RULES", None)
    killed = subprocess.run([sys.executable, "-c", KILLER, "ingest", "psc", str(second)],
                            env=env, capture_output=True, text=True, timeout=300, check=False)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert _state(pg_url) == before
    assert "40 ended" in _ingest(pg_url, second)[0]  # the store is usable


def _indexes(url: str) -> list[tuple[str, str]]:
    """(name, definition) of every index and constraint of the tables a register ingest
    writes."""
    from sqlalchemy import create_engine, text

    from riskengine.registers.rows import COLUMNS

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            return sorted((str(r[0]), str(r[1])) for r in conn.execute(text(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = "
                "current_schema() AND tablename = ANY(:t) UNION ALL SELECT c.conname, "
                "t.relname || ' ' || pg_get_constraintdef(c.oid) FROM pg_constraint c "
                "JOIN pg_class t ON t.oid = c.conrelid WHERE t.relnamespace = "
                "current_schema()::regnamespace AND t.relname = ANY(:t)"),
                {"t": list(COLUMNS)}))
    finally:
        engine.dispose()


def test_first_load_drops_and_makes_again_indexes_and_foreign_keys(cli: Any, pg_url: str,
                                                             tmp_path: Path) -> None:
    """A first load into empty tables drops their secondary indexes and the foreign keys of
    the entities' child rows and makes them again in its transaction: afterwards, and after
    a first load that failed, indexes and constraints are those of a fresh store."""
    with Store.open(pg_url):  # the schema made, nothing ingested
        fresh = _indexes(pg_url)
    assert {name[:3] for name, _ in fresh} >= {"ix_", "fk_", "pk_"}
    broken = tmp_path / "broken.jsonl"
    good = _snapshot(tmp_path, "good.jsonl", list(range(30)), date(2024, 1, 1))
    broken.write_bytes(good.read_bytes().replace(b'"ZZ0020"', b'"ZZ0020', 1))
    assert cli("ingest", "psc", str(broken)).code == 2
    assert _indexes(pg_url) == fresh
    ok(cli, "ingest", "psc", str(good))
    assert (_indexes(pg_url), _state(pg_url)[0]["ownerships"]) == (fresh, 30)
