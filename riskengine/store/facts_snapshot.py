"""The stored facts as one columnar snapshot (a run's ``facts`` input): every fact table with
every column, read through ADBC into Arrow, sorted by primary key and written as compressed
Arrow IPC streams. Reading it back gives the same ``Dataset`` as ``Store.load_dataset``.

Content: ``MAGIC``, a JSON header line (data version; table name -> byte length), then the
tables' IPC streams in that order. The same facts give the same bytes, so a snapshot is
stored once however many runs use it (``store.snapshots``). Runs stored before this format
hold the facts as ``Dataset`` JSON; ``decode`` reads both.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import ipc
from sqlalchemy import JSON, Table

from riskengine.domain import Dataset, Entity
from riskengine.store import rows
from riskengine.store.columnar import adbc_connect, adbc_target, one_snapshot, stored_version
from riskengine.store.schema import (
    ControlRow,
    DesignationRow,
    EntityIdentifierRow,
    EntityNameRow,
    EntityRow,
    EntitySourceRow,
    OwnershipRow,
    RelationshipRow,
)
from riskengine.store.store import StoreError

MAGIC = b"RISKENGINE-FACTS-ARROW-1\n"
MODELS = {"entities": EntityRow, "entity_names": EntityNameRow,
          "entity_identifiers": EntityIdentifierRow, "entity_sources": EntitySourceRow,
          "designations": DesignationRow, "ownerships": OwnershipRow, "controls": ControlRow,
          "relationships": RelationshipRow}
_ONE_BATCH = {"adbc.sqlite.query.batch_rows": str(10**9)}  # type every column from all rows


def _table(name: str) -> Table:
    table = MODELS[name].__table__
    assert isinstance(table, Table)
    return table


def read_snapshot(url: str) -> tuple[bytes, str]:
    """(the snapshot of every stored fact, the data version it is of), one transaction."""
    with adbc_connect(url) as conn:
        dialect = adbc_target(url)[0]
        one_snapshot(conn, url)
        version = stored_version(conn)
        parts = {name: _stream(_read(conn, name, dialect)) for name in MODELS}
    header = {"version": version, "tables": {k: len(v) for k, v in parts.items()}}
    return MAGIC + json.dumps(header).encode() + b"\n" + b"".join(parts.values()), version


def _read(conn: Any, name: str, dialect: str) -> pa.Table:
    columns = [c.name for c in _table(name).columns]
    try:
        with conn.cursor() as cur:
            if dialect == "sqlite":
                cur.adbc_statement.set_options(**_ONE_BATCH)
            cur.execute(f"SELECT {', '.join(columns)} FROM {name}")  # names from the schema
            table: pa.Table = cur.fetch_arrow_table()
    except Exception as exc:  # the drivers raise their own error types
        raise StoreError(f"reading {name} for the run's snapshot failed: {exc}") from exc
    keys = [(c.name, "ascending") for c in _table(name).primary_key]
    return table.take(pc.sort_indices(table, sort_keys=keys)) if table.num_rows else table


def _stream(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    options = ipc.IpcWriteOptions(compression="zstd")
    with ipc.new_stream(sink, table.schema, options=options) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue().to_pybytes())


def decode(content: bytes) -> Dataset:
    """The Dataset of a facts snapshot (columnar, or the JSON of older runs)."""
    if not content.startswith(MAGIC):
        return Dataset.model_validate_json(content)
    body = content[len(MAGIC):]
    line, _, rest = body.partition(b"\n")
    header = json.loads(line)
    tables, offset = {}, 0
    for name, size in header["tables"].items():
        tables[name] = ipc.open_stream(pa.py_buffer(rest[offset:offset + size])).read_all()
        offset += size
    return _dataset(tables)


def _records(tables: dict[str, pa.Table], name: str) -> list[dict[str, Any]]:
    json_columns = [c.name for c in _table(name).columns if isinstance(c.type, JSON)]
    found: list[dict[str, Any]] = tables[name].to_pylist()
    for row in found:
        for col in json_columns:
            if isinstance(row[col], str):
                row[col] = json.loads(row[col])
    return found


def _dataset(tables: dict[str, pa.Table]) -> Dataset:
    children = {name: _grouped(_records(tables, name)) for name in
                ("entity_names", "entity_identifiers", "entity_sources")}

    def entity(row: dict[str, Any]) -> Any:
        key = row["id"]
        return rows.entity_from(row, *(children[n].get(key, []) for n in children))

    def built(name: str, build: Callable[[dict[str, Any]], Any]) -> tuple[Any, ...]:
        return tuple(build(r) for r in _records(tables, name))

    return Dataset(entities=built("entities", entity),
                   designations=built("designations", rows.designation_from),
                   ownerships=built("ownerships", rows.ownership_from),
                   controls=built("controls", rows.control_from),
                   relationships=built("relationships", rows.relationship_from))


ENTITY_TABLES = ("entities", "entity_names", "entity_identifiers", "entity_sources")


def read_entities(url: str) -> dict[str, Entity]:
    """Every stored entity record with its names, identifiers and sources, by id (read in
    columns: for indexes that need every entity, such as the screener's)."""
    with adbc_connect(url) as conn:
        dialect = adbc_target(url)[0]
        tables = {name: _read(conn, name, dialect) for name in ENTITY_TABLES}
    children = {name: _grouped(_records(tables, name)) for name in ENTITY_TABLES[1:]}
    return {row["id"]: rows.entity_from(row, *(children[n].get(row["id"], []) for n in
                                                children))
            for row in _records(tables, "entities")}


def _grouped(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in records:
        groups[row["entity_id"]].append(row)
    return groups
