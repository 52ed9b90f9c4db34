"""SQL of the register writer: many rows per INSERT on SQLite, the catalogue queries of the
indexes and foreign keys a first load drops, dates as the drivers give them.

No connection of its own: functions take the DBAPI cursor they run on.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

Row = tuple[Any, ...]

CHUNK = 500  # ids per IN (...): below every driver's parameter limit
ROWS_PER_INSERT = 100  # SQLite: rows per INSERT statement (at most its parameter limit)
# (name, CREATE statement) of the secondary indexes of some tables ({}: their marks)
SQLITE_INDEXES = ("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
                  "sql IS NOT NULL AND tbl_name IN ({})")
PG_INDEXES = ("SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
              "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid "
              "WHERE t.relnamespace = current_schema()::regnamespace AND t.relname IN ({}) "
              "AND NOT i.indisunique AND NOT i.indisprimary")
PG_FOREIGN_KEYS = ("SELECT t.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
                   "JOIN pg_class t ON t.oid = c.conrelid WHERE c.contype = 'f' AND "
                   "t.relnamespace = current_schema()::regnamespace AND t.relname IN ({})")


def insert_values(cur: Any, head: str, marks: tuple[str, str], values: list[Any],
                  width: int, variables: int) -> int:
    """SQLite: rows in INSERTs of many rows each, ``head VALUES (..), (..), ... tail``
    (``marks``: a row's ``(?, ...)`` and the tail after the values; ``values``: the rows'
    parameters, ``width`` a row, one flat list): a statement per row costs about twice as
    much. ``variables``: the connection's parameter limit. How many rows were written."""
    one, tail = marks
    per = max(1, min(ROWS_PER_INSERT, variables // max(1, width)))
    rows = len(values) // width
    whole, written, step = rows - rows % per, 0, per * width
    if whole:
        sql = head + ", ".join([one] * per) + tail
        for start in range(0, whole * width, step):
            cur.execute(sql, values[start:start + step])
            written += cur.rowcount
    if whole < rows:
        cur.execute(head + ", ".join([one] * (rows - whole)) + tail, values[whole * width:])
        written += cur.rowcount
    return int(written)


def row_marks(kept: tuple[int, ...], width: int) -> list[str]:
    """SQLite: a mark per column, NULL for those left out of the rows (binding None costs
    the sqlite3 module a look-up for an adapter each time)."""
    return ["?" if i in kept else "NULL" for i in range(width)]


def literal(value: Any) -> str:
    """A constant as an SQL literal (SQLite): NULL, a number or a quoted text."""
    if value is None:
        return "NULL"
    if isinstance(value, int):
        return str(int(value))
    return "'" + str(value).replace("'", "''") + "'"


def chunks(ids: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def iso_text(value: Any) -> str | None:
    """A stored date as the ISO text rows hold (SQLite gives texts, PostgreSQL dates)."""
    return value if value is None or type(value) is str else str(value.isoformat())


def as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
