"""SQLite's many-rows INSERTs of the register writer (``sql.insert_values`` of a flat
``rows.Table``, the columns NULL in every row as literals: ``sql.row_marks``) against the
reference: one
``executemany`` of the same rows, plain and as an upsert; counts at, below and above a
statement's rows and with a parameter limit smaller than a statement's rows."""

from __future__ import annotations

import random
import sqlite3
from typing import Any

import pytest

from riskengine.registers.rows import Table, count, table, table_rows
from riskengine.registers.sql import ROWS_PER_INSERT, insert_values, row_marks

DDL = ("CREATE TABLE t (id VARCHAR PRIMARY KEY, a VARCHAR, b INTEGER, c VARCHAR, d REAL, "
       "k VARCHAR)")
HEAD = "INSERT INTO t (id, a, b, c, d, k) VALUES "
UPSERT = " ON CONFLICT (id) DO UPDATE SET a = excluded.a, b = excluded.b"


def _rows(rng: random.Random, n: int, null_c: bool) -> list[tuple[Any, ...]]:
    """Rows with repeated ids (upserts), None in some columns and (``null_c``) in all of c."""
    return [(f"e{rng.randrange(n + 1)}", rng.choice(["x", None, "é"]), rng.choice([1, None]),
             None if null_c else rng.choice(["c", None]), rng.choice([0.5, None]))
            for _ in range(n)]


def _table(rows: list[tuple[Any, ...]], tail: str, variables: int | None
           ) -> tuple[int, list[Any]]:
    """(rows written, the table) after the writer's INSERTs (``variables``: its parameter
    limit) or, ``variables`` None, after the reference's."""
    conn = sqlite3.connect(":memory:")
    conn.execute(DDL)
    if variables is None:
        cur = conn.executemany(f"{HEAD}(?, ?, ?, ?, ?, 'k'){tail}", rows)
        written = cur.rowcount
    else:
        found = table(rows, 5)
        marks = row_marks(found.kept, 5)
        written = insert_values(conn.cursor(), HEAD, (f"({', '.join(marks)}, 'k')", tail),
                                found.values, len(found.kept), variables)
    return written, conn.execute("SELECT * FROM t ORDER BY id").fetchall()


CASES = [  # (rows, upsert, all of column c NULL, parameter limit)
    (1, False, False, 32766),
    (ROWS_PER_INSERT - 1, True, False, 32766),
    (ROWS_PER_INSERT, False, True, 32766),
    (ROWS_PER_INSERT + 1, True, True, 32766),
    (3 * ROWS_PER_INSERT + 7, True, False, 32766),
    (250, False, False, 12),  # two rows a statement
    (250, True, True, 3),  # below one row's parameters: a row a statement
]


@pytest.mark.parametrize(("n", "upsert", "null_c", "variables"), CASES)
def test_many_rows_inserts_store_what_executemany_stores(n: int, upsert: bool, null_c: bool,
                                                         variables: int) -> None:
    rows = _rows(random.Random(n), n, null_c)
    if not upsert:
        rows = list({r[0]: r for r in rows}.values())  # plain inserts: distinct ids
    tail = UPSERT if upsert else ""
    assert _table(rows, tail, variables) == _table(rows, tail, None)


@pytest.mark.parametrize(("rows", "kept", "values"), [
    ([("a", None, 1), ("b", None, None)], (0, 2), ["a", 1, "b", None]),
    ([("a", None), ("b", 2)], (0, 1), ["a", None, "b", 2]),
    ([(None, "x"), (None, "y")], (0, 1), [None, "x", None, "y"]),  # the first always kept
    ([("a", None)], (0,), ["a"]),
    ([], (), []),
])
def test_tables_leave_out_the_columns_null_in_every_row(
        rows: list[tuple[Any, ...]], kept: tuple[int, ...], values: list[Any]) -> None:
    found = table(rows, 2 if not rows else len(rows[0]))
    assert found == Table(kept, values)
    assert count(found) == len(rows)
    assert table_rows(found, 2 if not rows else len(rows[0])) == rows


def test_row_marks_are_null_literals_for_the_columns_left_out() -> None:
    assert row_marks((0, 2), 4) == ["?", "NULL", "?", "NULL"]
