"""The stored facts as one columnar snapshot (a run's ``facts`` input): every fact table with
every column, read through ADBC into Arrow in parts (``store.facts_parts``: memory holds one
part at a time, however many facts there are), each part a zstd-compressed Arrow IPC stream.
Reading it back gives the same ``Dataset`` as ``Store.load_dataset``.

Content (``MAGIC2``): a JSON header line, the data version and, per table, the sha256 of
each of its parts in order. The parts are stored as snapshots of their own (kind
``PART_KIND``, ``store.snapshots``) addressed by their hash, so the snapshot's own hash
covers every part, unchanged parts are stored once across runs, and no stored value comes
near SQLite's 1 GB limit. Rows are sorted by primary key when decoded. The parts read wait
for the run's transaction in a temporary file (``SpilledParts``), not in memory (at 20M
entities they are gigabytes while the whole graph is scored). Runs stored before
hold one stream per table (``MAGIC``) or ``Dataset`` JSON; ``decode`` reads all three.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import ipc
from sqlalchemy import JSON, Table

from riskengine.domain import Dataset, Entity
from riskengine.settings import LOCK_WAIT
from riskengine.store import rows
from riskengine.store.columnar import adbc_connect, adbc_target, one_snapshot, stored_version
from riskengine.store.facts_parts import table_parts
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
MAGIC2 = b"RISKENGINE-FACTS-ARROW-2\n"
PART_KIND = "facts-part"
MODELS = {"entities": EntityRow, "entity_names": EntityNameRow,
          "entity_identifiers": EntityIdentifierRow, "entity_sources": EntitySourceRow,
          "designations": DesignationRow, "ownerships": OwnershipRow, "controls": ControlRow,
          "relationships": RelationshipRow}


def _table(name: str) -> Table:
    table = MODELS[name].__table__
    assert isinstance(table, Table)
    return table


class SpilledParts(Mapping[str, bytes]):
    """Parts by hash, their bytes kept in a temporary file (removed with this object) and
    read back when asked for; in the order added."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(prefix="riskengine-parts-")  # noqa: SIM115 - open while the parts are
        self._at: dict[str, tuple[int, int]] = {}

    def add(self, part: bytes) -> str:
        """Keep ``part`` (once per content); its sha256."""
        key = hashlib.sha256(part).hexdigest()
        if key not in self._at:
            self._file.seek(0, 2)
            self._at[key] = (self._file.tell(), len(part))
            self._file.write(part)
        return key

    def __getitem__(self, key: str) -> bytes:
        offset, size = self._at[key]
        self._file.seek(offset)
        return self._file.read(size)

    def __iter__(self) -> Iterator[str]:
        return iter(self._at)

    def __len__(self) -> int:
        return len(self._at)


@dataclass(frozen=True)
class FactsSnapshot:
    """A facts snapshot as read: its content (the ``MAGIC2`` header), its parts by hash
    (``SpilledParts``), and the data version it is of."""

    content: bytes
    parts: Mapping[str, bytes]
    version: str


def read_snapshot(url: str, lock_wait: float = LOCK_WAIT) -> FactsSnapshot:
    """The snapshot of every stored fact, read part by part in one transaction."""
    with adbc_connect(url, lock_wait) as conn:
        dialect = adbc_target(url)[0]
        one_snapshot(conn, url)
        version = stored_version(conn)
        parts = SpilledParts()
        tables = {name: [parts.add(_stream(t)) for t in
                         table_parts(conn, _table(name), dialect)] for name in MODELS}
    header = json.dumps({"version": version, "tables": tables}).encode()
    pa.default_memory_pool().release_unused()  # what the reads left in Arrow's pool
    return FactsSnapshot(MAGIC2 + header + b"\n", parts, version)


def _read(conn: Any, name: str, dialect: str) -> pa.Table:
    """Every row of table ``name``, sorted by primary key."""
    return _sorted(pa.concat_tables(list(table_parts(conn, _table(name), dialect))), name)


def _sorted(table: pa.Table, name: str) -> pa.Table:
    keys = [(c.name, "ascending") for c in _table(name).primary_key]
    return table.take(pc.sort_indices(table, sort_keys=keys)) if table.num_rows else table


def _stream(table: pa.Table) -> bytes:
    """One part as one record batch, its buffers written afresh (``take``: nothing of what
    a driver left under NULLs or in unused bitmaps) and without the drivers' schema
    metadata: the same rows give the same bytes whichever driver read them."""
    table = table.take(pa.array(np.arange(table.num_rows, dtype=np.int64))).combine_chunks()
    table = table.replace_schema_metadata(None)
    sink = pa.BufferOutputStream()
    options = ipc.IpcWriteOptions(compression="zstd")
    with ipc.new_stream(sink, table.schema, options=options) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue().to_pybytes())


def decode(content: bytes, parts: Mapping[str, bytes] | None = None) -> Dataset:
    """The Dataset of a facts snapshot (``parts``: its parts by hash, for ``MAGIC2``), or
    of the formats of older runs."""
    if content.startswith(MAGIC2):
        header = json.loads(content[len(MAGIC2):])
        return _dataset({name: _sorted(pa.concat_tables([_open(parts or {}, k) for k in keys]),
                                       name) for name, keys in header["tables"].items()})
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


def part_keys(content: bytes) -> list[str]:
    """The hashes of the parts a facts snapshot names (none in the older formats)."""
    if not content.startswith(MAGIC2):
        return []
    tables = json.loads(content[len(MAGIC2):])["tables"]
    return [key for keys in tables.values() for key in keys]


def _open(parts: Mapping[str, bytes], key: str) -> pa.Table:
    if key not in parts:
        raise StoreError(f"part {key[:12]} of the facts snapshot is missing")
    return ipc.open_stream(pa.py_buffer(parts[key])).read_all()


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


def read_entities(url: str, lock_wait: float = LOCK_WAIT) -> dict[str, Entity]:
    """Every stored entity record with its names, identifiers and sources, by id (read in
    columns: for indexes that need every entity, such as the screener's)."""
    with adbc_connect(url, lock_wait) as conn:
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
