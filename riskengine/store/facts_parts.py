"""Fact tables read in parts of ``PART_ROWS`` rows, for the facts snapshot of a run
(``store.facts_snapshot``): memory holds one part at a time, however many facts there are.

SQLite is read in keyset pages by rowid (each page a query of its own, typed from all of its
rows, so a column that is NULL throughout a page is given its schema type); PostgreSQL in
one query ordered by primary key (code-point order), its batches cut into parts of exactly
``PART_ROWS`` rows. Either way the same stored rows give the same parts.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Column, Table

from riskengine.store.store import StoreError

PART_ROWS = 500_000  # rows per part
_ONE_BATCH = {"adbc.sqlite.query.batch_rows": str(10**9)}  # type every column from all rows
_SQLITE_TYPES = {int: pa.int64(), bool: pa.int64(), float: pa.float64(), bytes: pa.binary()}


def table_parts(conn: Any, table: Table, dialect: str) -> Iterator[pa.Table]:
    """The rows of ``table`` in parts of ``PART_ROWS`` (at least one part, maybe empty)."""
    columns = ", ".join(c.name for c in table.columns)  # names from the schema
    if dialect != "sqlite":
        keys = ", ".join(f'{c.name} COLLATE "C"' if _python_type(c) is str else c.name
                         for c in table.primary_key)
        yield from _batches(conn, f"SELECT {columns} FROM {table.name} ORDER BY {keys}",
                            table.name)
        return
    last = None
    while True:
        where = "" if last is None else f"WHERE rowid > {int(last)} "
        page = query(conn, f"SELECT rowid AS rowid_, {columns} FROM {table.name} {where}"
                           f"ORDER BY rowid LIMIT {PART_ROWS}", table.name)
        if page.num_rows or last is None:
            yield _typed(page.drop_columns(["rowid_"]), table)
        if page.num_rows < PART_ROWS:
            return
        last = page.column("rowid_")[-1].as_py()


def query(conn: Any, sql: str, name: str) -> pa.Table:
    """One SQLite query in one Arrow table, its columns typed from all its rows."""
    try:
        with conn.cursor() as cur:
            cur.adbc_statement.set_options(**_ONE_BATCH)
            cur.execute(sql)
            found: pa.Table = cur.fetch_arrow_table()
    except Exception as exc:  # the drivers raise their own error types
        raise StoreError(f"reading {name} for the run's snapshot failed: {exc}") from exc
    return found


def _batches(conn: Any, sql: str, name: str) -> Iterator[pa.Table]:
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            yield from _rechunked(cur.fetch_record_batch())
    except StoreError:
        raise
    except Exception as exc:  # the drivers raise their own error types
        raise StoreError(f"reading {name} for the run's snapshot failed: {exc}") from exc


def _rechunked(reader: pa.RecordBatchReader) -> Iterator[pa.Table]:
    """A reader's batches of any size as tables of exactly ``PART_ROWS`` rows (the last one
    fewer; one empty table when there are no rows)."""
    held: list[pa.RecordBatch] = []
    count, yielded = 0, False
    for batch in reader:
        held.append(batch)
        count += batch.num_rows
        while count >= PART_ROWS:
            whole = pa.Table.from_batches(held, schema=reader.schema)
            yield whole.slice(0, PART_ROWS).combine_chunks()
            rest = whole.slice(PART_ROWS)
            held, count, yielded = rest.to_batches(), rest.num_rows, True
    if count or not yielded:
        yield pa.Table.from_batches(held, schema=reader.schema).combine_chunks()


def _typed(page: pa.Table, table: Table) -> pa.Table:
    """A SQLite page with each column in its schema type (text, but for integers, booleans,
    floats and bytes): a page whose column is all NULL comes back typed as integers."""
    for i, column in enumerate(table.columns):
        want = _SQLITE_TYPES.get(_python_type(column), pa.string())
        if page.schema.field(i).type != want:
            page = page.set_column(i, column.name, pc.cast(page.column(i), want))
    return page


def _python_type(column: Column[Any]) -> type:
    try:
        found: type = column.type.python_type
    except NotImplementedError:  # JSON and custom types: stored as text
        return str
    return found
