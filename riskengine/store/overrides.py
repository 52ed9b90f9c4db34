"""Stored overrides (table ``overrides``): each change is written with its audit entry in
one transaction; rows are never deleted (a revoked override keeps its row).

Each entry holds the override's whole content and its digest. Overrides are read checked
against their latest entry: a row edited outside riskengine (a cap lowered, an approver set
to the author) or inserted without an entry comes back ``tampered``, which is never applied
and is shown as such; approving or revoking it is refused (that would launder the edit)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from riskengine.errors import AuditChainError, NotFoundError
from riskengine.overrides import Override, check_approval, check_revoke, content
from riskengine.runs.digest import content_digest
from riskengine.store.audit import append_audit
from riskengine.store.schema import AuditRow, OverrideRow
from riskengine.store.store import Store, StoreError


def _table() -> Table:
    table = OverrideRow.__table__
    assert isinstance(table, Table)
    return table


ACTIONS = ("override.add", "override.approve", "override.revoke")


def _details(o: Override) -> dict[str, Any]:
    """Audit details of an override: its content, JSON-ready."""
    return content(o)


def _hashes(o: Override, facts: str) -> dict[str, str]:
    return {"facts": facts, "override": content_digest(content(o))}


def recorded(conn: Connection) -> dict[int, tuple[dict[str, Any], str]]:
    """(content, content digest) of each override as its latest audit entry records it, by
    id (entries written before digests were recorded: the digest of the content they hold)."""
    audit = AuditRow.__table__
    query = (select(audit.c.details, audit.c.hashes).where(audit.c.action.in_(ACTIONS))
             .order_by(audit.c.id))
    found: dict[int, tuple[dict[str, Any], str]] = {}
    for details, hashes in conn.execute(query):
        if isinstance(details.get("id"), int):
            digest = (hashes or {}).get("override") or content_digest(details)
            found[details["id"]] = (details, digest)
    return found


def _checked(o: Override, entries: dict[int, tuple[dict[str, Any], str]]) -> Override:
    """``o``, marked tampered unless its content is what its latest entry records."""
    latest = entries.get(o.id or 0)
    if latest is not None and latest[1] == content_digest(content(o)):
        return o
    return o.model_copy(update={"tampered": True})


def add_override(store: Store, o: Override) -> Override:
    """Store a new (pending) override and its audit entry; returns it with its id."""
    with _writing(store, "adding the override") as conn:
        key = conn.execute(insert(_table()), [o.model_dump(exclude={"id"})]
                           ).inserted_primary_key
        assert key is not None
        saved = o.model_copy(update={"id": int(key[0])})
        append_audit(conn, o.author, "override.add", _details(saved), o.created_at,
                     _hashes(saved, o.fingerprint))
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
    """Overrides (of one entity, or all) in id order, each checked against its audit
    entries (``tampered`` when its row differs)."""
    table = _table()
    query = select(table).order_by(table.c.id)
    if entity_id is not None:
        query = query.where(table.c.entity_id == entity_id)
    with store.transaction(write=False) as conn:
        entries = recorded(conn)
        return [_checked(Override.model_validate(dict(row)), entries)
                for row in conn.execute(query).mappings()]


def _get(conn: Connection, override_id: int) -> Override:
    """The override to approve or revoke: NotFoundError, or AuditChainError when its row
    does not match its audit entry."""
    row = conn.execute(select(_table()).where(_table().c.id == override_id)).mappings().first()
    if row is None:
        raise NotFoundError(f"no override #{override_id}")
    found = _checked(Override.model_validate(dict(row)), recorded(conn))
    if found.tampered:
        raise AuditChainError(f"override #{override_id}: its stored row does not match its "
                              f"audit entry (edited outside riskengine): not changed")
    return found


def _change(conn: Connection, found: Override, changes: dict[str, Any],
            who: tuple[str, str, datetime]) -> Override:
    conn.execute(update(_table()).where(_table().c.id == found.id).values(**changes))
    changed = found.model_copy(update=changes)
    actor, action, at = who
    append_audit(conn, actor, action, _details(changed), at,
                 _hashes(changed, found.fingerprint))
    return changed


@contextmanager
def _writing(store: Store, what: str) -> Iterator[Connection]:
    """A write transaction whose database errors become one-line StoreErrors."""
    try:
        with store.transaction(write=True) as conn:
            yield conn
    except SQLAlchemyError as exc:
        raise StoreError(f"{what} failed: {str(exc).splitlines()[0]}") from exc
