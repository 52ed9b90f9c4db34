"""Group commit of audit entries for the service: many requests, few transactions.

Every score request is recorded in the audit log before its answer is returned (as the CLI
does). One transaction per request would make the hash-chained log the service's
bottleneck; instead a writer thread takes every entry waiting, appends them all in one
transaction and then releases their requests. A request still returns only once its entry
is committed: nothing is answered that the log does not hold.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from riskengine.runs.chain import Entry
    from riskengine.store.store import Store


@dataclass(frozen=True)
class RuleFiles:
    """The rule files a version of the service uses, and their snapshot hash."""

    files: Mapping[str, str]
    snapshot: str

    @classmethod
    def read(cls, folder: Any) -> RuleFiles:
        from riskengine.ruleset.snapshot import digest, encode, read_rule_files

        files = read_rule_files(folder)
        return cls(files, digest(encode(files)))


@dataclass
class _Pending:
    actor: str
    action: str
    details: Mapping[str, Any]
    hashes: Mapping[str, Any]
    rules: RuleFiles  # the rule files in use (a rules.change entry when changed)
    at: datetime
    done: threading.Event = field(default_factory=threading.Event)
    entry: Entry | None = None
    error: BaseException | None = None


class AuditWriter:
    """Appends entries to ``store``'s audit log from one thread, in batches."""

    def __init__(self, store: Store, most: int = 500) -> None:
        self._store, self._most = store, most
        self._queue: queue.Queue[_Pending | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
        self._thread.start()

    def append(self, actor: str, action: str, details: Mapping[str, Any],
               hashes: Mapping[str, Any], rules: RuleFiles, at: datetime) -> Entry:
        """Append one entry; returns once it is committed (raises what the write raised)."""
        item = _Pending(actor, action, details, hashes, rules, at)
        self._queue.put(item)
        item.done.wait()
        if item.error is not None:
            raise item.error
        assert item.entry is not None
        return item.entry

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=10)

    def _take(self) -> list[_Pending] | None:
        first = self._queue.get()
        if first is None:
            return None
        batch = [first]
        while len(batch) < self._most:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is None:
                self._queue.put(None)  # stop after this batch
                break
            batch.append(item)
        return batch

    def _run(self) -> None:
        while (batch := self._take()) is not None:
            try:
                with self._store.transaction(write=True) as conn:
                    entries = _write(conn, batch)
                for item, entry in zip(batch, entries, strict=True):
                    item.entry = entry
            except Exception as exc:  # handed to each waiting request
                for item in batch:
                    item.error = exc
            for item in batch:
                item.done.set()


def _write(conn: Connection, batch: list[_Pending]) -> list[Entry]:
    from riskengine.store.audit import append_audit
    from riskengine.store.rules_audit import note_rule_files

    entries, noted = [], set()
    for item in batch:
        snapshot = item.rules.snapshot
        if snapshot not in noted:
            note_rule_files(conn, item.rules.files, item.actor, item.at, snapshot)
            noted.add(snapshot)
        entries.append(append_audit(conn, item.actor, item.action, item.details, item.at,
                                    {**item.hashes, "rule_files": snapshot}))
    return entries
