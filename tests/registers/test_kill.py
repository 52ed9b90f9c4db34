"""A register ingest killed (SIGKILL) inside its one write transaction leaves the store
exactly as it was: the real CLI runs in a subprocess that kills itself after the second
batch of rows is written, after the ties a snapshot no longer states are ended, or at the
commit (every row, the ingest record and the audit entry written, nothing committed). The
store holds an earlier snapshot, so the killed one updates rows as well as inserting them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from tests.hardening.conftest import ROOT, dump, run_cli

# Run inside the subprocess: small batches, a kill at KILL_AT, then the CLI.
KILLER = """
import os, signal, sys
from sqlalchemy import event
from sqlalchemy.engine import Engine
from riskengine.registers import write

when = os.environ["KILL_AT"]  # 'flush:N', 'finish' or 'commit'
seen = {"flushes": 0, "ingest": False}
real_init, real_flush, real_finish = write.Writer.__init__, write.Writer.flush, write.Writer.finish

def init(self, conn, origin, batch):
    real_init(self, conn, origin, 100)

def flush(self):
    real_flush(self)
    seen["flushes"] += 1
    if when == f"flush:{seen['flushes']}":
        os.kill(os.getpid(), signal.SIGKILL)

def finish(self, *args):
    done = real_finish(self, *args)
    if when == "finish":
        os.kill(os.getpid(), signal.SIGKILL)
    return done

write.Writer.__init__, write.Writer.flush, write.Writer.finish = init, flush, finish

@event.listens_for(Engine, "before_cursor_execute")
def _statement(conn, cursor, statement, parameters, context, executemany):
    if statement.lstrip().upper().startswith("INSERT INTO INGESTS"):
        seen["ingest"] = True

@event.listens_for(Engine, "commit")
def _commit(conn):
    if when == "commit" and seen["ingest"]:
        os.kill(os.getpid(), signal.SIGKILL)

from riskengine.cli.app import main
sys.argv = ["riskengine", *sys.argv[1:]]
main()
"""


def _snapshot(path: Path, companies: range, day: str) -> Path:
    lines = [orjson.dumps({"company_number": f"ZZ{c:05d}", "data": {
        "kind": "individual-person-with-significant-control", "name": f"Person {c}",
        "natures_of_control": ["ownership-of-shares-75-to-100-percent",
                               "right-to-appoint-and-remove-directors"],
        "notified_on": "2020-01-01",
        "links": {"self": f"/company/ZZ{c:05d}/persons-with-significant-control/"
                          f"individual/p{c}"}}}) for c in companies]
    lines.append(orjson.dumps({"data": {"kind": "totals#x", "generated_at": day}}))
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


@pytest.fixture
def store(tmp_path: Path) -> Path:
    db = tmp_path / "store.db"
    first = run_cli(db, "ingest", "psc", str(_snapshot(tmp_path / "a.jsonl", range(400),
                                                       "2024-01-01")))
    assert first.code == 0, first.err
    return db


@pytest.mark.parametrize("kill_at", ["flush:2", "finish", "commit"])
def test_ingest_killed_inside_its_transaction_leaves_the_store_as_before(
        store: Path, tmp_path: Path, kill_at: str) -> None:
    before = dump(store)
    # 380 of the 400 kept (5% ended: under the guard), 200 new: inserts and updates
    second = _snapshot(tmp_path / "b.jsonl", range(20, 600), "2024-02-01")
    env = {**os.environ, "RISKENGINE_DB": f"sqlite:///{store}", "KILL_AT": kill_at,
           "PYTHONPATH": str(ROOT)}
    env.pop("RISKENGINE_RULES", None)
    killed = subprocess.run([sys.executable, "-c", KILLER, "ingest", "psc", str(second)],
                            env=env, capture_output=True, text=True, timeout=300, check=False)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert dump(store) == before
    assert run_cli(store, "audit", "verify").code == 0
    again = run_cli(store, "ingest", "psc", str(second))  # the store is usable
    assert again.code == 0, again.err
    assert "ties: 400 new, 760 kept, 0 renewed, 40 ended" in again.out  # 2 ties a PSC
