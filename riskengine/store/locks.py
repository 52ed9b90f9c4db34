"""Named locks that keep two long jobs (``rescore``) from running at once on one database.

``hold_lock(store, name, holder, at)`` is a context manager: it takes the lock or raises
LockedError naming who holds it, and releases it on exit.

PostgreSQL: the lock is a session-level advisory lock (``pg_try_advisory_lock``) taken on a
connection of its own, held for the whole job. The server releases it when that connection
or the process dies, wherever the holder ran: a crashed holder can never leave a stale lock.
The ``locks`` row written beside it only says who holds it (for the error message); a row
left behind by a crash is overwritten by the next holder.

SQLite: the row in ``locks`` is the lock. SQLite has no lock that outlives a transaction
without blocking every writer (holding a write transaction for the whole job would block the
job's own writes, made on other connections), and its database is a file on one host
(SQLite's locking is not safe on network filesystems), so every holder ran on this host: a
row whose process is gone here is stale and taken over. A row naming another host is never
taken over; after a crash there, delete it by hand.
"""

from __future__ import annotations

import hashlib
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Connection, Table, delete, insert, select, text
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from riskengine.store.schema import LockRow
from riskengine.store.store import Store, StoreError

RESCORE_LOCK = "rescore"


class LockedError(StoreError):
    """Another process holds the lock (exit code 1)."""


def _table() -> Table:
    table = LockRow.__table__
    assert isinstance(table, Table)
    return table


def holder_id(actor: str) -> str:
    """'host:pid actor': who holds a lock."""
    return f"{socket.gethostname()}:{os.getpid()} {actor}"


def _stale(holder: str) -> bool:
    """True when the holder ran on this host and its process is gone."""
    where = holder.split(" ", 1)[0]
    host, _, pid = where.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, run by another user
        return False
    return False


def _refusal(name: str, row: dict[str, object] | None) -> LockedError:
    held = ""
    if row is not None:
        held = f" (held by {row['holder']} since {row['acquired_at']:%Y-%m-%d %H:%M:%S} UTC)"
    return LockedError(f"another {name} is running on this database{held}; "
                       f"try again when it has finished")


def _holder_row(conn: Connection, name: str) -> dict[str, object] | None:
    row = conn.execute(select(_table()).where(_table().c.name == name)).mappings().first()
    return dict(row) if row is not None else None


def _write_row(conn: Connection, name: str, holder: str, at: datetime) -> None:
    conn.execute(delete(_table()).where(_table().c.name == name))
    conn.execute(insert(_table()), [{"name": name, "holder": holder, "acquired_at": at}])


def _take_row(conn: Connection, name: str, holder: str, at: datetime, *, check: bool) -> None:
    """Write the row; with ``check``, refuse when a live holder's row is there."""
    row = _holder_row(conn, name)
    if check and row is not None and not _stale(str(row["holder"])):
        raise _refusal(name, row)
    _write_row(conn, name, holder, at)


def _record(store: Store, name: str, holder: str, at: datetime, *, check: bool) -> None:
    try:
        with store.transaction(write=True) as conn:
            _take_row(conn, name, holder, at, check=check)
    except IntegrityError as exc:  # another process inserted it between our read and write
        raise _refusal(name, None) from exc
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot take the {name} lock: {exc}") from exc


def _release_row(store: Store, name: str, holder: str) -> None:
    """Delete the holder's row; best effort (a row left behind names a process that is
    gone: on PostgreSQL it is only a note, on SQLite it is stale and taken over)."""
    table = _table()
    try:
        with store.transaction(write=True) as conn:
            conn.execute(delete(table).where(table.c.name == name, table.c.holder == holder))
    except SQLAlchemyError:
        pass


def advisory_key(schema: str, name: str) -> int:
    """The 64-bit advisory lock key of lock ``name`` in ``schema`` (advisory locks are per
    database; the schema keeps two riskengine stores in one database apart)."""
    digest = hashlib.sha256(f"riskengine:{schema}:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _pg_try(conn: Connection, name: str) -> bool:
    """Try the advisory lock on ``conn`` (in autocommit: the lock is the session's)."""
    schema = str(conn.execute(text("SELECT current_schema()")).scalar_one())
    key = advisory_key(schema, name)
    return bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar_one())


def _pg_release(conn: Connection, name: str) -> None:
    """Unlock now: closing the connection also drops the lock, but only once the server's
    backend has noticed and exited, which a next holder can race (seen in CI)."""
    try:  # ``conn`` is in autocommit since _pg_take (execution_options alters it in place)
        schema = str(conn.execute(text("SELECT current_schema()")).scalar_one())
        conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": advisory_key(schema, name)})
    except SQLAlchemyError:
        pass  # the connection is invalidated next: the server drops the lock with it


def _pg_refusal(store: Store, name: str) -> LockedError:
    with store.transaction(write=False) as conn:
        return _refusal(name, _holder_row(conn, name))


def _pg_take(store: Store, conn: Connection, name: str, holder: str, at: datetime) -> None:
    try:
        taken = _pg_try(conn.execution_options(isolation_level="AUTOCOMMIT"), name)
        if not taken:
            raise _pg_refusal(store, name)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot take the {name} lock: {exc}") from exc
    _record(store, name, holder, at, check=False)


@contextmanager
def _pg_hold(store: Store, name: str, holder: str, at: datetime) -> Iterator[None]:
    with store.connection() as conn:
        try:
            _pg_take(store, conn, name, holder, at)
            try:
                yield
            finally:
                _release_row(store, name, holder)
                _pg_release(conn, name)
        finally:
            conn.invalidate()  # closed, never pooled: the server drops the advisory lock


@contextmanager
def _row_hold(store: Store, name: str, holder: str, at: datetime) -> Iterator[None]:
    _record(store, name, holder, at, check=True)
    try:
        yield
    finally:
        _release_row(store, name, holder)


@contextmanager
def hold_lock(store: Store, name: str, holder: str, at: datetime) -> Iterator[None]:
    """Hold the lock ``name`` for the ``with`` block, or raise LockedError naming who holds
    it (``holder``: see ``holder_id``; ``at``: when taken, shown to the next one)."""
    hold = _pg_hold if store.dialect == "postgresql" else _row_hold
    with hold(store, name, holder, at):
        yield
