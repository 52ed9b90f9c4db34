"""SQLite read in columns through Python's own sqlite3 module, for long-running processes.

The ADBC SQLite driver links its own copy of SQLite. In a process that also keeps sqlite3
connections open (the service), closing an ADBC connection makes that copy believe it was
the last user of the file: it checkpoints and deletes the WAL while the other copy's
connections still write into it, so their commits become invisible to other processes
(and "disk I/O error" follows). Two SQLite libraries must never share a file in one
process, so the service reads through this module instead: the same cursor interface
(``execute``, ``fetch_arrow_table``), one read transaction per connection, rows turned into
Arrow columns (one Python object per value: slower than ADBC, used only when a new data
version is built).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pyarrow as pa


class _Options:
    def set_options(self, **_options: str) -> None:
        """ADBC statement options have no meaning here."""


class _Cursor:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._cursor = conn.cursor()
        self.adbc_statement = _Options()

    def __enter__(self) -> _Cursor:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._cursor.close()

    def execute(self, sql: str) -> None:
        self._cursor.execute(sql)

    def fetch_arrow_table(self) -> pa.Table:
        names = [d[0] for d in self._cursor.description or ()]
        rows = self._cursor.fetchall()
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
        return pa.table({n: _array(list(c)) for n, c in zip(names, columns, strict=True)})


def _array(values: list[Any]) -> pa.Array:
    """A column as ADBC types it: int64, double or text; all NULL reads as int64."""
    found = next((v for v in values if v is not None), None)
    if found is None:
        return pa.array(values, type=pa.int64())
    if isinstance(found, str):
        return pa.array(values, type=pa.string())
    if isinstance(found, bytes):
        return pa.array(values, type=pa.binary())
    if any(isinstance(v, float) for v in values):
        return pa.array([None if v is None else float(v) for v in values], type=pa.float64())
    return pa.array(values, type=pa.int64())


class Connection:
    """A read-only sqlite3 connection in one read transaction, shaped like ADBC's DB-API."""

    def __init__(self, path: str) -> None:
        self._conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None,
                                     check_same_thread=False)
        self._conn.execute("BEGIN")

    def cursor(self) -> _Cursor:
        return _Cursor(self._conn)

    def close(self) -> None:
        self._conn.execute("COMMIT")
        self._conn.close()


@contextmanager
def connect(path: str) -> Iterator[Connection]:
    conn = Connection(path)
    try:
        yield conn
    finally:
        conn.close()
