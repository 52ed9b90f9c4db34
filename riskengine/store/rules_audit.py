"""Rule changes in the audit log: analysts edit the YAML rule files outside the tool, so the
engine notices a change the next time it records an action (a rescore, a score request) and
appends a ``rules.change`` entry first, in the same transaction: the sha256 of every rule
file, and which files were added, removed or modified since the previous such entry.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, select

from riskengine.store.audit import append_audit
from riskengine.store.schema import AuditRow

ACTION = "rules.change"


def _table() -> Table:
    table = AuditRow.__table__
    assert isinstance(table, Table)
    return table


def file_digests(files: Mapping[str, str]) -> dict[str, str]:
    """sha256 of each rule file's text, by relative path."""
    return {rel: hashlib.sha256(text.encode("utf-8")).hexdigest()
            for rel, text in sorted(files.items())}


def _last_recorded(conn: Connection) -> dict[str, str]:
    table = _table()
    row = conn.execute(select(table.c.details).where(table.c.action == ACTION)
                       .order_by(table.c.id.desc()).limit(1)).first()
    found: dict[str, Any] = (row[0] or {}).get("files", {}) if row else {}
    return {str(k): str(v) for k, v in found.items()}


def note_rule_files(conn: Connection, files: Mapping[str, str], actor: str, at: datetime,
                    snapshot: str | None = None) -> bool:
    """Append a ``rules.change`` entry when the rule files differ from the last one
    recorded (always for the first); True when one was appended."""
    now, before = file_digests(files), _last_recorded(conn)
    if now == before:
        return False
    details = {"files": now, "added": sorted(set(now) - set(before)),
               "removed": sorted(set(before) - set(now)),
               "modified": sorted(k for k in set(now) & set(before) if now[k] != before[k])}
    append_audit(conn, actor, ACTION, details, at, {"rule_files": snapshot})
    return True
