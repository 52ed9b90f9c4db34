"""Helpers of the hardening tests: the real console entry point run in-process, and a
dump of a SQLite store to compare before and after a refused input."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import sqlite3
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest

from riskengine.cli.app import main

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
BUNDLED_RULES = ROOT / "rules"
# The editions the baseline store holds: a refused input must leave all of it as it was.
BASELINE = [
    ("un", FIXTURES / "un" / "UN_consolidated.excerpt.xml"),
    ("uk", FIXTURES / "uk" / "ConList.excerpt.csv"),
    ("ofac-sdn", FIXTURES / "ofac" / "sdn_csv", "--published", "2022-06-28"),
    ("eu", FIXTURES / "eu" / "fsf_excerpt.xml"),
    ("ftm", FIXTURES / "ftm" / "sample.ftm.json"),
]


# A small, valid rules directory (the core files, the small made-up scenario of the ruleset
# tests, small optional files): it validates in a fraction of a second.
SMALL_RULES = {
    "regimes.yaml": BUNDLED_RULES / "regimes.yaml",
    "scoring.yaml": BUNDLED_RULES / "scoring.yaml",
    "alerts.yaml": BUNDLED_RULES / "alerts.yaml",
    "ingest.yaml": BUNDLED_RULES / "ingest.yaml",
    "scenario/companies.yaml": FIXTURES / "rules_scenario" / "scenario" / "companies.yaml",
    "scenario/ties.yaml": FIXTURES / "rules_scenario" / "scenario" / "ties.yaml",
}


def small_rules(folder: Path) -> Path:
    """A copy of the SMALL_RULES directory in ``folder``."""
    rules = folder / "rules"
    (rules / "scenario").mkdir(parents=True)
    for rel, origin in SMALL_RULES.items():
        shutil.copy(origin, rules / rel)
    return rules


# What the error boundary prints for an error it did not expect, and a traceback.
CRASHED = re.compile(r"Traceback \(most recent call last\)|error: unexpected \w+:")


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def run_cli(db: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    """``riskengine ARGS`` through ``riskengine.cli.app.main`` (its error boundary and exit
    codes), against the SQLite file ``db``; stdout and stderr captured."""
    out, err = io.StringIO(), io.StringIO()
    values = {"RISKENGINE_DB": f"sqlite:///{db}", **(env or {})}
    drop = [k for k in ("RISKENGINE_RULES", "RISKENGINE_DEBUG") if k not in values]
    with mock.patch.dict(os.environ, values), mock.patch.object(sys, "argv", ["riskengine", *args]):
        for key in drop:
            os.environ.pop(key, None)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main()
                code = 0
            except SystemExit as exc:
                code = int(exc.code or 0)
    return Run(code, out.getvalue(), err.getvalue())


def dump(db: Path) -> list[str]:
    """Every schema statement and row of the SQLite file ``db``, as SQL text."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return list(conn.iterdump())


def copy_store(source: Path, target: Path) -> Path:
    """A copy of the SQLite file ``source`` (and its WAL files, if any) at ``target``."""
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copy(f"{source}{suffix}", f"{target}{suffix}")
    return target


def assert_refused(run: Run, label: str, db: Path, before: list[str]) -> None:
    """Exit 2, one line 'error: LABEL...' naming the input, no traceback, store unchanged."""
    assert run.code == 2, (run.code, run.err)
    lines = run.err.strip().splitlines()
    assert len(lines) == 1, run.err
    assert lines[0].startswith(f"error: {label}"), run.err
    assert not CRASHED.search(run.err)
    assert dump(db) == before


def assert_clean(run: Run, label: str, db: Path, before: list[str]) -> None:
    """Accepted (exit 0), or refused as ``assert_refused`` says: never anything else."""
    assert not CRASHED.search(run.err), run.err
    if run.code != 0:
        assert_refused(run, label, db, before)


@pytest.fixture(scope="session")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A store holding one edition of several lists and an FtM file, and its dump."""
    db = tmp_path_factory.mktemp("baseline") / "base.db"
    for source, path, *options in BASELINE:
        run = run_cli(db, "ingest", source, str(path), *map(str, options))
        assert run.code == 0, run.err
    return db, dump(db)


@contextlib.contextmanager
def store_copy(baseline: tuple[Path, list[str]], folder: Path) -> Iterator[Path]:
    """A fresh copy of the baseline store in ``folder`` for one example."""
    db = copy_store(baseline[0], folder / "store.db")
    yield db
