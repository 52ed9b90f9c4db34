"""Stored facts straight into columns: SQL to Arrow tables with no Python object per row.

The whole-graph path (``riskengine.compiled``) reads every fact table through ADBC (the Arrow
Database Connectivity drivers for SQLite and PostgreSQL, which fill Arrow buffers in C), in
one read transaction, together with the data version those rows belong to. Only the columns
the graph needs are read; explanations fetch the full rows of the few facts they cite
through ``Store`` (see ``riskengine.compiled.facts``).

Dates come back as ISO text from SQLite and as dates from PostgreSQL: ``day_numbers`` turns
either into proleptic ordinals (``date.toordinal``), the graph's day unit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy.engine import make_url

from riskengine.memory import give_back
from riskengine.settings import LOCK_WAIT
from riskengine.store.store import StoreError, data_version

# Columns read per table; ids first. Order by id (code-point order) is applied in Arrow so
# that SQLite and PostgreSQL (whose collation may differ) give the same order. ``{x}`` marks
# a nullable text or date column: on SQLite it is read as COALESCE(x, '') because the driver
# types a column from its first rows (all NULL there would make it an integer column).
QUERIES: dict[str, str] = {
    "entities": "SELECT id, kind, name, {country}, {first_seen} FROM entities",
    "names": "SELECT entity_id, position, name FROM entity_names",
    "identifiers": "SELECT entity_id, scheme, value FROM entity_identifiers",
    "designations": "SELECT id, entity_id, regime, measure, {listed_from}, {listed_to} "
                    "FROM designations",
    "ownerships": "SELECT id, owner_id, asset_id, share_low, share_high, share_known, "
                  "{valid_from}, {valid_to} FROM ownerships",
    "controls": "SELECT id, controller_id, controlled_id, kind, {valid_from}, {valid_to} "
                "FROM controls",
    "relationships": "SELECT id, a_id, b_id, kind, status, {valid_from}, {valid_to} "
                     "FROM relationships",
}
_NULLABLE = ("country", "listed_from", "listed_to", "valid_from", "valid_to")


def _sql(template: str, dialect: str) -> str:
    cols = {c: (f"COALESCE({c}, '') AS {c}" if dialect == "sqlite" else c) for c in _NULLABLE}
    return template.format(**cols, first_seen="COALESCE(first_seen, 0) AS first_seen")


VERSION_QUERY = "SELECT id, source, content_hash FROM ingests ORDER BY id"
_EPOCH_ORDINAL = 719163  # date(1970, 1, 1).toordinal(): date32 day 0


@dataclass(frozen=True)
class FactTables:
    """Every stored fact as Arrow tables (``QUERIES`` keys), and the data version they are."""

    tables: dict[str, pa.Table]
    version: str

    def __getitem__(self, name: str) -> pa.Table:
        return self.tables[name]


def adbc_target(url: str) -> tuple[str, str]:
    """('sqlite' | 'postgresql', what that ADBC driver connects to) for an SQLAlchemy URL."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return "sqlite", parsed.database or ":memory:"
    if parsed.get_backend_name() == "postgresql":
        return "postgresql", parsed.set(drivername="postgresql").render_as_string(
            hide_password=False)
    raise StoreError(f"unsupported database {parsed.get_backend_name()!r}")


# True in a long-running process that keeps sqlite3 connections open (the service): SQLite
# is then read through the sqlite3 module, never through the ADBC driver's own copy of
# SQLite (``store.stdlib_sqlite`` says why).
_STDLIB_SQLITE: list[bool] = [False]


def use_stdlib_sqlite(on: bool = True) -> None:
    """From now on, read SQLite stores in columns through the sqlite3 module (or not)."""
    _STDLIB_SQLITE[0] = on


@contextmanager
def adbc_connect(url: str, lock_wait: float = LOCK_WAIT) -> Iterator[Any]:
    """An ADBC connection (DB-API) to the store at ``url``; StoreError when it fails. On
    SQLite it waits up to ``lock_wait`` seconds (``Settings.lock_wait``) for a writer."""
    kind, target = adbc_target(url)
    if kind == "sqlite" and _STDLIB_SQLITE[0]:
        from riskengine.store import stdlib_sqlite

        with stdlib_sqlite.connect(target) as plain:
            yield plain
        return
    try:
        if kind == "sqlite":
            import adbc_driver_sqlite.dbapi as driver
        else:
            import adbc_driver_postgresql.dbapi as driver  # type: ignore[no-redef]
        conn = driver.connect(target)
    except Exception as exc:  # the drivers raise their own error types
        raise StoreError(f"cannot read the store in columns: {_line(exc)}") from exc
    try:
        if kind == "sqlite":  # wait for a writer's commit as the store's writers wait
            arrow_query(conn, f"PRAGMA busy_timeout = {int(lock_wait * 1000)}", rows=False)
        yield conn
    finally:
        conn.close()


def _line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def stored_version(conn: Any) -> str:
    """The data version (``store.data_version``) the connection's transaction sees."""
    rows = arrow_query(conn, VERSION_QUERY).to_pylist()
    return data_version((int(r["id"]), str(r["source"]), str(r["content_hash"])) for r in rows)


def one_snapshot(conn: Any, url: str) -> None:
    """Make the rest of ``conn``'s transaction read one snapshot (PostgreSQL; a SQLite read
    transaction already does)."""
    if adbc_target(url)[0] == "postgresql":
        arrow_query(conn, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", rows=False)


# The largest tables first: each is read into the driver's buffers (about 1.7 times its
# size, in many small pieces), copied sorted into Arrow's pool, and the driver's copy given
# back (``memory.give_back``) before the next; the peak is the largest table read while
# little else is held.
_LARGEST = ("ownerships", "relationships", "controls", "entities", "names")
READ_ORDER = (*_LARGEST, *(name for name in QUERIES if name not in _LARGEST))


def read_tables(url: str, lock_wait: float = LOCK_WAIT) -> FactTables:
    """Every fact table (``QUERIES``) and the data version, read in one transaction."""
    with adbc_connect(url, lock_wait) as conn:
        one_snapshot(conn, url)
        version = stored_version(conn)
        dialect = adbc_target(url)[0]
        found = {name: _read_one(conn, _sql(QUERIES[name], dialect)) for name in READ_ORDER}
    return FactTables({name: found[name] for name in QUERIES}, version)


def _read_one(conn: Any, sql: str) -> pa.Table:
    table = _sorted(arrow_query(conn, sql))
    give_back()
    return table


def arrow_query(conn: Any, sql: str, rows: bool = True) -> pa.Table:
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetch_arrow_table() if rows else pa.table({})
    except Exception as exc:  # the drivers raise their own error types
        raise StoreError(f"reading the store failed: {_line(exc)}") from exc


def _sorted(table: pa.Table) -> pa.Table:
    """Rows by their first column, in code-point order, positions of names kept in order."""
    keys = [(table.column_names[0], "ascending")]
    if "position" in table.column_names:
        keys.append(("position", "ascending"))
    table = _text_columns(table)
    return table.take(pc.sort_indices(table, sort_keys=keys)) if table.num_rows else table


_NUMERIC = {"position": pa.int64(), "share_low": pa.float64(), "share_high": pa.float64(),
            "share_known": pa.int64(), "first_seen": pa.int64()}


def _text_columns(table: pa.Table) -> pa.Table:
    """An empty table or an all-NULL column comes back typed as null or int: give every
    column its type (text but for the numeric ones)."""
    for i, name in enumerate(table.column_names):
        field_type = table.schema.field(i).type
        if pa.types.is_null(field_type) or (table.num_rows == 0 and name not in _NUMERIC):
            table = table.set_column(i, name, pa.nulls(table.num_rows, pa.string()))
        elif table.num_rows == 0:
            table = table.set_column(i, name, pa.nulls(0, _NUMERIC[name]))
    return table


def day_numbers(column: pa.ChunkedArray | pa.Array, missing: int) -> npt.NDArray[np.int64]:
    """Day ordinals of a date column (ISO text or date32/64), ``missing`` where NULL."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if len(array) == 0:
        return np.zeros(0, dtype=np.int64)
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        text = pc.utf8_slice_codeunits(array, 0, 10)
        array = pc.cast(pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text),
                        pa.date32())
    elif pa.types.is_null(array.type) or pa.types.is_integer(array.type):
        return np.full(len(array), missing, dtype=np.int64)
    elif not pa.types.is_date32(array.type):
        array = pc.cast(array, pa.date32())
    days = pc.fill_null(pc.cast(array, pa.int32()), 0).to_numpy().astype(np.int64)
    return np.where(pc.is_null(array).to_numpy(zero_copy_only=False), missing,
                    days + _EPOCH_ORDINAL)
