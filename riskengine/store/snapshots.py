"""Content-addressed snapshots of run inputs (table ``snapshots``): the stored facts and the
rule files a run used. Written once per distinct content, in the run's transaction, and
never changed; the hash is the sha256 of the uncompressed content and is checked on read.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Table, insert, select

from riskengine.store.schema import SnapshotRow
from riskengine.store.store import Store, StoreError

# Kinds whose content comes compressed already (zstd Arrow parts of facts snapshots): zlib
# stores them as they are (level 0), rather than spending time to gain nothing.
COMPRESSED_KINDS = frozenset({"facts-part"})


@dataclass(frozen=True)
class Snapshot:
    """One input of a run: ``kind`` (facts or rules) and its uncompressed content."""

    kind: str
    content: bytes

    @property
    def hash(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def _table() -> Table:
    table = SnapshotRow.__table__
    assert isinstance(table, Table)
    return table


def put_snapshot(conn: Connection, snap: Snapshot, at: datetime) -> str:
    """Store ``snap`` unless the same content is already there; returns its hash."""
    table, key = _table(), snap.hash
    found = conn.execute(select(table.c.hash).where(table.c.kind == snap.kind,
                                                    table.c.hash == key)).first()
    if found is None:
        conn.execute(insert(table), [{"kind": snap.kind, "hash": key, "created_at": at,
                                      "content": zlib.compress(snap.content, _level(snap)),
                                      "size": len(snap.content)}])
    return key


def _level(snap: Snapshot) -> int:
    return 0 if snap.kind in COMPRESSED_KINDS else 6


def get_snapshot(store: Store, kind: str, key: str) -> bytes:
    """The content of snapshot (kind, key); StoreError when missing or not matching."""
    table = _table()
    with store.transaction(write=False) as conn:
        row = conn.execute(select(table.c.content).where(table.c.kind == kind,
                                                         table.c.hash == key)).first()
    if row is None:
        raise StoreError(f"the {kind} snapshot {key[:12]} of this run is missing")
    content = zlib.decompress(row[0])
    if hashlib.sha256(content).hexdigest() != key:
        raise StoreError(f"the {kind} snapshot {key[:12]} does not match its hash (altered)")
    return content
