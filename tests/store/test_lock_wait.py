"""A writer meeting SQLite's write lock held by another process (an ingest storing its file)
waits for it up to ``Settings.lock_wait`` (RISKENGINE_LOCK_WAIT), then fails with one line
that says so, having written nothing."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from riskengine.errors import InputError
from riskengine.settings import LOCK_WAIT, Settings
from riskengine.store.audit import audit_entries, record_audit
from riskengine.store.store import BusyError, Store

AT = datetime(2026, 12, 1, tzinfo=UTC)


def _store(tmp_path: Path, wait: float) -> tuple[str, Store]:
    url = f"sqlite:///{tmp_path / 'lock.db'}"
    return url, Store.open(url, lock_wait=wait)


def _held(path: Path) -> sqlite3.Connection:
    """Another connection holding the write lock (as an ingest's transaction does)."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("BEGIN IMMEDIATE")
    return conn


def test_a_writer_fails_after_its_wait_and_writes_nothing(tmp_path: Path) -> None:
    _url, store = _store(tmp_path, wait=0.3)
    record_audit(store, "ann", "score", {"n": 1}, AT)
    holder = _held(tmp_path / "lock.db")
    started = time.monotonic()
    with pytest.raises(BusyError) as caught:
        record_audit(store, "bob", "score", {"n": 2}, AT)
    assert 0.25 <= time.monotonic() - started < 5
    assert "being written by another process" in str(caught.value)
    assert "RISKENGINE_LOCK_WAIT" in str(caught.value) and "\n" not in str(caught.value)
    holder.rollback()
    holder.close()
    assert [e.actor for e in audit_entries(store)] == ["ann"]
    store.close()


def test_a_writer_waits_for_a_lock_released_in_time(tmp_path: Path) -> None:
    _url, store = _store(tmp_path, wait=20)
    holder = _held(tmp_path / "lock.db")
    threading.Timer(0.5, holder.rollback).start()
    record_audit(store, "bob", "score", {"n": 2}, AT)
    assert [e.actor for e in audit_entries(store)] == ["bob"]
    holder.close()
    store.close()


@pytest.mark.parametrize(("value", "expected"), [(None, LOCK_WAIT), ("0", 0.0), ("2.5", 2.5),
                                                 ("3600", 3600.0)])
def test_the_wait_comes_from_the_environment(value: str | None, expected: float) -> None:
    env = {} if value is None else {"RISKENGINE_LOCK_WAIT": value}
    assert Settings.build(env).lock_wait == expected


@pytest.mark.parametrize("value", ["-1", "soon", "3601", "nan"])
def test_a_bad_wait_names_the_variable(value: str) -> None:
    with pytest.raises(InputError, match="RISKENGINE_LOCK_WAIT"):
        Settings.build({"RISKENGINE_LOCK_WAIT": value})


def test_the_cli_says_so_in_one_line(tmp_path: Path) -> None:
    url, store = _store(tmp_path, wait=1)
    store.close()
    holder = _held(tmp_path / "lock.db")
    env = {"RISKENGINE_DB": url, "RISKENGINE_LOCK_WAIT": "0.2", "RISKENGINE_CACHE":
           str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "riskengine", "score", "kamaz"], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    holder.rollback()
    holder.close()
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "being written by another process" in lines[0]
    assert "Traceback" not in done.stderr
