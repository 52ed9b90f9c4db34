"""The rescore lock: exclusive on both databases; a dead holder never blocks for ever."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, insert, text

from riskengine.store import Store
from riskengine.store.locks import LockedError, advisory_key, hold_lock, holder_id
from riskengine.store.schema import LockRow

AT = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
ANA, BOB = holder_id("ana"), "elsewhere:2 bob"


def test_two_holders_cannot_both_hold_it(store: Store) -> None:
    with hold_lock(store, "rescore", ANA, AT):
        with (pytest.raises(LockedError, match=rf"another rescore is running .*{ANA}"),
              hold_lock(store, "rescore", BOB, AT)):
            pytest.fail("both hold the lock")
        with hold_lock(store, "other", BOB, AT):  # another name is another lock
            pass
    with (hold_lock(store, "rescore", BOB, AT),  # released on exit
          pytest.raises(LockedError, match=BOB), hold_lock(store, "rescore", ANA, AT)):
        pass


def test_released_when_the_job_fails(store: Store) -> None:
    with pytest.raises(RuntimeError), hold_lock(store, "rescore", ANA, AT):
        raise RuntimeError("the job failed")
    with hold_lock(store, "rescore", BOB, AT):
        pass


def _leave_row(store: Store, holder: str) -> None:
    with store.transaction(write=True) as conn:
        conn.execute(insert(LockRow), [{"name": "rescore", "holder": holder, "acquired_at": AT}])


# A row left behind by a holder that died (no advisory lock behind it on PostgreSQL).
LEFTOVERS = [
    ("dead process on this host", f"{socket.gethostname()}:999999999 ana",
     {"sqlite": True, "postgresql": True}),
    ("live process on this host", holder_id("ana"), {"sqlite": False, "postgresql": True}),
    ("another host", "batch-host:4242 cron", {"sqlite": False, "postgresql": True}),
]


@pytest.mark.parametrize(("holder", "taken_over"), [c[1:] for c in LEFTOVERS],
                         ids=[c[0] for c in LEFTOVERS])
def test_a_row_left_behind(store: Store, holder: str, taken_over: dict[str, bool]) -> None:
    """SQLite: the row is the lock, stale only when its process is gone from this host.
    PostgreSQL: the advisory lock is the lock; a row without one is a leftover."""
    _leave_row(store, holder)
    if taken_over[store.dialect]:
        with hold_lock(store, "rescore", BOB, AT):
            pass
    else:
        with pytest.raises(LockedError, match=holder), hold_lock(store, "rescore", BOB, AT):
            pass


def _backend_of_lock(store: Store, key: int) -> int:
    unsigned = key & 0xFFFFFFFFFFFFFFFF
    query = text("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
                 "AND classid::bigint = :hi AND objid::bigint = :lo AND objsubid = 1")
    with store.transaction(write=False) as conn:
        return int(conn.execute(query, {"hi": unsigned >> 32, "lo": unsigned & 0xFFFFFFFF})
                   .scalar_one())


@pytest.mark.postgres
def test_postgres_lock_of_a_killed_connection_is_free_again(pg_url: str) -> None:
    with Store.open(pg_url) as store:
        with store.transaction(write=False) as conn:
            schema = str(conn.execute(text("SELECT current_schema()")).scalar_one())
        with hold_lock(store, "rescore", ANA, AT):
            pid = _backend_of_lock(store, advisory_key(schema, "rescore"))
            with store.transaction(write=False) as conn:  # waits until it is gone
                assert conn.execute(text("SELECT pg_terminate_backend(:p, 30000)"),
                                    {"p": pid}).scalar_one()
            with hold_lock(store, "rescore", BOB, AT):  # the server released it
                pass


@pytest.mark.postgres
def test_postgres_lock_is_unlocked_before_its_connection_goes(
        pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The holder unlocks on exit: a next holder never waits for the server to notice the
    closed connection (that race failed CI once). Here the holder's connection is not
    invalidated, so its server session lives on: only the unlock can have freed the lock."""
    monkeypatch.setattr(Connection, "invalidate", lambda self, exception=None: None)
    alive = text("SELECT count(*) FROM pg_stat_activity WHERE pid = :p")
    locks = text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = :p")
    with Store.open(pg_url) as store:
        with store.transaction(write=False) as conn:
            schema = str(conn.execute(text("SELECT current_schema()")).scalar_one())
        with pytest.raises(RuntimeError), hold_lock(store, "rescore", ANA, AT):
            pid = _backend_of_lock(store, advisory_key(schema, "rescore"))
            raise RuntimeError("the job failed")
        with store.transaction(write=False) as conn:
            assert conn.execute(alive, {"p": pid}).scalar_one() == 1
            assert conn.execute(locks, {"p": pid}).scalar_one() == 0


HOLD_AND_HANG = """
import sys
from datetime import UTC, datetime
from riskengine.store import Store
from riskengine.store.locks import hold_lock
with Store.open(sys.argv[1]) as store, hold_lock(store, "rescore", "far-host:77 cron",
                                                 datetime.now(UTC)):
    print("held", flush=True)
    sys.stdin.read()
"""


def _retry(store: Store, attempts: int = 300) -> None:
    """Take and release the lock, waiting for the server to notice a dead client."""
    for _ in range(attempts):
        try:
            with hold_lock(store, "rescore", BOB, AT):
                return
        except LockedError:
            time.sleep(0.1)
    pytest.fail("the lock of a killed process was never released")


@pytest.mark.postgres
def test_postgres_lock_of_a_killed_process_is_free_again(pg_url: str) -> None:
    """A holder killed mid-run (as on another host) leaves no lock behind, only its row."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD_AND_HANG, pg_url], text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        with Store.open(pg_url) as store:
            with (pytest.raises(LockedError, match="far-host:77 cron"),
                  hold_lock(store, "rescore", BOB, AT)):
                pass
            proc.kill()
            proc.wait()
            _retry(store)
    finally:
        proc.kill()
        proc.wait()
