"""The append-only audit log: every ingest, rescore and score request, hash-chained.

``record_audit`` appends one entry in its own transaction; ``append_audit`` does it inside a
caller's transaction (a rescore writes its entry with its run, an ingest with its facts:
``ingest_audit``, a prune with its deletions). Appends are serialised
(SQLite's write lock, a PostgreSQL advisory lock) and ids are assigned here without gaps, so
the chain can be checked id by id (``riskengine.runs.chain``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, insert, select, text
from sqlalchemy.exc import SQLAlchemyError

from riskengine.runs.chain import GENESIS, Entry, canonical, entry_hash, first_break
from riskengine.runs.digest import content_digest
from riskengine.store.records import IngestRecord
from riskengine.store.schema import AuditRow
from riskengine.store.store import Store, StoreError

_PG_AUDIT_LOCK = 0x61756474  # serialises appends to the chain on PostgreSQL


def _table() -> Table:
    table = AuditRow.__table__
    assert isinstance(table, Table)
    return table


def _json(value: Mapping[str, Any] | None) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(canonical(dict(value or {})))
    return found


def append_audit(conn: Connection, actor: str, action: str, details: Mapping[str, Any],
                 at: datetime, hashes: Mapping[str, Any] | None = None) -> Entry:
    """Append one entry inside the caller's (write) transaction; returns it."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_AUDIT_LOCK})
    table = _table()
    last = conn.execute(select(table.c.id, table.c.hash).order_by(table.c.id.desc())
                        .limit(1)).first()
    entry_id, prev = (int(last[0]) + 1, str(last[1])) if last else (1, GENESIS)
    content = (_json(details), _json(hashes))
    digest = entry_hash(entry_id, at, actor, action, content, prev)
    entry = Entry(entry_id, at, actor, action, content[0], content[1], prev, digest)
    conn.execute(insert(table), [{"id": entry_id, "at": at, "actor": actor, "action": action,
                                  "details": content[0], "hashes": content[1],
                                  "prev_hash": prev, "hash": digest}])
    return entry


def ingest_audit(actor: str, details: Mapping[str, Any]
                 ) -> Callable[[Connection, IngestRecord], Entry]:
    """The ``audit`` of ``Store.save_ingest``/``save_edition``: an 'ingest' entry with
    ``details``, the ingest's id, source and file, and the file's content hash, written in
    the ingest's own transaction (at its ``finished_at``), with the digest of the ingest's
    row (``riskengine.runs.digest``) that ``audit verify`` checks."""

    def append(conn: Connection, saved: IngestRecord) -> Entry:
        about = {**details, "ingest": saved.id, "source": saved.source, "file": saved.file}
        return append_audit(conn, actor, "ingest", about, saved.finished_at,
                            {"file": saved.content_hash, "ingest": ingest_digest(saved)})

    return append


def ingest_digest(record: IngestRecord) -> str:
    """Digest of an ingest's stored row (every column)."""
    return content_digest(record.model_dump())


def record_audit(store: Store, actor: str, action: str, details: Mapping[str, Any],
                 at: datetime, hashes: Mapping[str, Any] | None = None) -> Entry:
    """Append one audit entry in its own transaction (``details`` and ``hashes``: JSON-ready
    mappings; ``hashes`` are content hashes such as {"rules": ..., "file": ...})."""
    try:
        with store.transaction(write=True) as conn:
            return append_audit(conn, actor, action, details, at, hashes)
    except SQLAlchemyError as exc:
        raise StoreError(f"appending to the audit log failed: {exc}") from exc


def audit_entries(store: Store, since: datetime | None = None) -> list[Entry]:
    """Entries in id order (at or after ``since`` when given)."""
    table = _table()
    query = select(table).order_by(table.c.id)
    if since is not None:
        query = query.where(table.c.at >= since)
    with store.transaction(write=False) as conn:
        return [Entry(**dict(row)) for row in conn.execute(query).mappings()]


def last_entry(store: Store) -> Entry | None:
    """The latest entry (the chain's head), or None when the log is empty."""
    table = _table()
    with store.transaction(write=False) as conn:
        row = conn.execute(select(table).order_by(table.c.id.desc()).limit(1)).mappings().first()
    return Entry(**dict(row)) if row else None


def verify_audit(store: Store) -> tuple[int, str | None]:
    """(number of entries, description of the first broken entry or None when intact)."""
    entries = audit_entries(store)
    return len(entries), first_break(entries)
