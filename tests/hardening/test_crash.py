"""An ingest killed (SIGKILL) inside its write transaction leaves the store exactly as it
was: the real CLI runs in a subprocess whose SQLAlchemy engine kills the process at the
commit of the ingest's transaction (every row written, nothing committed), or in the middle
of its inserts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.hardening.conftest import FIXTURES, ROOT, copy_store, dump, run_cli

# Run inside the subprocess: arms a kill on the ingest's transaction, then runs the CLI.
KILLER = """
import os, signal, sys
from sqlalchemy import event
from sqlalchemy.engine import Engine

when = os.environ["KILL_AT"]  # 'commit' or 'insert:N'
seen = {"ingest": False, "inserts": 0}

@event.listens_for(Engine, "before_cursor_execute")
def _statement(conn, cursor, statement, parameters, context, executemany):
    text = statement.lstrip().upper()
    if text.startswith("INSERT INTO INGESTS"):
        seen["ingest"] = True
    if text.startswith("INSERT"):
        seen["inserts"] += 1
        if when.startswith("insert:") and seen["inserts"] == int(when.split(":")[1]):
            os.kill(os.getpid(), signal.SIGKILL)

@event.listens_for(Engine, "commit")
def _commit(conn):
    if when == "commit" and seen["ingest"]:
        os.kill(os.getpid(), signal.SIGKILL)

from riskengine.cli.app import main
sys.argv = ["riskengine", *sys.argv[1:]]
main()
"""


INGEST = ["ingest", "ca", str(FIXTURES / "ca" / "sema-lmes.excerpt.xml"), "--published",
          "2026-01-15"]


def test_ingest_killed_at_its_commit_leaves_the_store_as_before(
        baseline: tuple[Path, list[str]], tmp_path: Path) -> None:
    db = copy_store(baseline[0], tmp_path / "store.db")
    kill_at = "commit"  # 'insert:N' kills at the N-th INSERT instead
    env = {**os.environ, "RISKENGINE_DB": f"sqlite:///{db}", "KILL_AT": kill_at,
           "PYTHONPATH": str(ROOT)}
    env.pop("RISKENGINE_RULES", None)
    killed = subprocess.run([sys.executable, "-c", KILLER, *INGEST], env=env,
                            capture_output=True, text=True, timeout=300, check=False)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert dump(db) == baseline[1]
    assert run_cli(db, "audit", "verify").code == 0
    again = run_cli(db, *INGEST)  # the store is usable: the same ingest succeeds
    assert again.code == 0, again.err
    assert dump(db) != baseline[1]
