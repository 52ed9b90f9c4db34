"""Stored overrides (table ``overrides``): each change is written with its audit entry in
one transaction; rows are never deleted (a revoked override keeps its row)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from riskengine.errors import NotFoundError
from riskengine.overrides import Override, check_approval, check_revoke
from riskengine.store.audit import append_audit
from riskengine.store.schema import OverrideRow
from riskengine.store.store import Store, StoreError


def _table() -> Table:
    table = OverrideRow.__table__
    assert isinstance(table, Table)
    return table


def _details(o: Override, **extra: Any) -> dict[str, Any]:
    """Audit details of an override: its content, JSON-ready."""
    return o.model_dump(mode="json", exclude_none=True) | extra


def add_override(store: Store, o: Override) -> Override:
    """Store a new (pending) override and its audit entry; returns it with its id."""
    with _writing(store, "adding the override") as conn:
        key = conn.execute(insert(_table()), [o.model_dump(exclude={"id"})]).inserted_primary_key
        assert key is not None
        saved = o.model_copy(update={"id": int(key[0])})
        append_audit(conn, o.author, "override.add", _details(saved), o.created_at,
                     {"facts": o.fingerprint})
    return saved


def approve_override(store: Store, override_id: int, actor: str, at: datetime) -> Override:
    """Approve a pending override by someone other than its author (OverrideError else)."""
    with _writing(store, "approving the override") as conn:
        found = _get(conn, override_id)
        check_approval(found, actor)
        changes = {"state": "approved", "approver": actor, "approved_at": at}
        return _change(conn, found, changes, (actor, "override.approve", at))


def revoke_override(store: Store, override_id: int, actor: str, at: datetime,
                    reason: str | None) -> Override:
    """Mark an override revoked (the row stays); OverrideError when already revoked."""
    with _writing(store, "revoking the override") as conn:
        found = _get(conn, override_id)
        check_revoke(found)
        changes = {"state": "revoked", "revoked_by": actor, "revoked_at": at,
                   "revoke_reason": reason}
        return _change(conn, found, changes, (actor, "override.revoke", at))


def list_overrides(store: Store, entity_id: str | None = None) -> list[Override]:
    """Overrides (of one entity, or all) in id order."""
    table = _table()
    query = select(table).order_by(table.c.id)
    if entity_id is not None:
        query = query.where(table.c.entity_id == entity_id)
    with store.transaction(write=False) as conn:
        return [Override.model_validate(dict(row)) for row in conn.execute(query).mappings()]


def _get(conn: Connection, override_id: int) -> Override:
    row = conn.execute(select(_table()).where(_table().c.id == override_id)).mappings().first()
    if row is None:
        raise NotFoundError(f"no override #{override_id}")
    return Override.model_validate(dict(row))


def _change(conn: Connection, found: Override, changes: dict[str, Any],
            who: tuple[str, str, datetime]) -> Override:
    conn.execute(update(_table()).where(_table().c.id == found.id).values(**changes))
    changed = found.model_copy(update=changes)
    actor, action, at = who
    append_audit(conn, actor, action, _details(changed), at, {"facts": found.fingerprint})
    return changed


@contextmanager
def _writing(store: Store, what: str) -> Iterator[Connection]:
    """A write transaction whose database errors become one-line StoreErrors."""
    try:
        with store.transaction(write=True) as conn:
            yield conn
    except SQLAlchemyError as exc:
        raise StoreError(f"{what} failed: {str(exc).splitlines()[0]}") from exc
