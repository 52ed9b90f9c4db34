"""SQL of the register writer: many rows per INSERT on SQLite, the catalogue queries of the
indexes and foreign keys a first load drops, dates as the drivers give them.

No connection of its own: functions take the DBAPI cursor they run on.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from itertools import chain
from operator import itemgetter
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


def insert_values(cur: Any, head: str, marks: tuple[str, str], rows: list[Row],
                  variables: int) -> int:
    """SQLite: ``rows`` in INSERTs of many rows each, ``head VALUES (..), (..), ... tail``
    (``marks``: a row's ``(?, ...)`` and the tail after the values): a statement per row
    costs about twice as much. ``variables``: the connection's parameter limit. How many
    rows were written."""
    one, tail = marks
    per = max(1, min(ROWS_PER_INSERT, variables // max(1, len(rows[0]))))
    whole, written = len(rows) - len(rows) % per, 0
    if whole:
        sql = head + ", ".join([one] * per) + tail
        for start in range(0, whole, per):
            cur.execute(sql, list(chain.from_iterable(rows[start:start + per])))
            written += cur.rowcount
    if whole < len(rows):
        cur.executemany(head + one + tail, rows[whole:])
        written += cur.rowcount
    return int(written)


def null_columns(rows: list[Row], width: int) -> tuple[list[str], list[Row]]:
    """SQLite: (a mark per column, the rows) with the columns that are NULL in every row
    as NULL literals and left out of the rows (binding None costs the sqlite3 module a
    look-up for an adapter each time)."""
    nulls = {i for i in range(width) if rows[0][i] is None
             and list(map(itemgetter(i), rows)).count(None) == len(rows)}
    if not nulls:
        return ["?"] * width, rows
    kept = [i for i in range(width) if i not in nulls]
    marks = ["NULL" if i in nulls else "?" for i in range(width)]
    if not kept:
        return marks, [() for _ in rows]
    pick = itemgetter(*kept)
    return marks, list(map(pick, rows)) if len(kept) > 1 else [(pick(r),) for r in rows]


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
