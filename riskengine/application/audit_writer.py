"""Group commit of audit entries for the service: many requests, few transactions.

Every score request is recorded in the audit log before its answer is returned (as the CLI
does). One transaction per request would make the hash-chained log the service's
bottleneck; instead a writer thread takes every entry waiting, appends them all in one
transaction and then releases their requests. A request still returns only once its entry
is committed: nothing is answered that the log does not hold.

What an audited read needs, and why it is kept so: the entry names who asked about which
entity, as of when, and what the engine answered; an answer given but not logged (the
server killed between the two) would be a look-up nobody can account for, which is what
the log exists to rule out. So the entry is committed before the answer leaves (as durable
as the store's commits: SQLite in WAL mode survives the process being killed). The cost is
kept low instead: ``submit`` does not hold a thread while it waits (the HTTP adapter awaits
the commit on its event loop), and one transaction carries every entry waiting, so under
load a commit is shared by many requests.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
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
    done: Callable[[Entry | None, BaseException | None], object]


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
        done, got = threading.Event(), []

        def finished(entry: Entry | None, error: BaseException | None) -> None:
            got.append((entry, error))
            done.set()

        self.submit(actor, action, details, hashes, rules, at, finished)
        done.wait()
        entry, error = got[0]
        if error is not None:
            raise error
        assert entry is not None
        return entry

    def submit(self, actor: str, action: str, details: Mapping[str, Any],
               hashes: Mapping[str, Any], rules: RuleFiles, at: datetime,
               done: Callable[[Entry | None, BaseException | None], object]) -> None:
        """Queue one entry; ``done(entry, None)`` is called on the writer thread once it is
        committed (``done(None, error)`` when the write failed)."""
        self._queue.put(_Pending(actor, action, details, hashes, rules, at, done))

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
        known = _Known()
        while (batch := self._take()) is not None:
            try:
                with self._store.transaction(write=True) as conn:
                    entries, after = _write(conn, batch, known)
            except Exception as exc:  # handed to each waiting request
                for item in batch:
                    item.done(None, exc)
                continue
            known = after  # only once committed
            for item, entry in zip(batch, entries, strict=True):
                item.done(entry, None)


@dataclass(frozen=True)
class _Known:
    """What this writer knows of the log: the id of the last entry it committed, and the
    rule files snapshot the log's rules.change entries stood at then (None: nothing yet)."""

    last: int | None = None
    snapshot: str | None = None


def _last_id(conn: Connection) -> int | None:
    from sqlalchemy import func, select

    from riskengine.store.schema import AuditRow

    found = conn.execute(select(func.max(AuditRow.id))).scalar()
    return None if found is None else int(found)


def _write(conn: Connection, batch: list[_Pending], known: _Known
           ) -> tuple[list[Entry], _Known]:
    """Append ``batch``; each entry is preceded by a rules.change entry when its rule files
    differ from the last recorded. When the log's last entry is the one this writer
    committed last, with the same rule files, nothing was recorded since: the comparison
    (every rule file hashed, the last rules.change read) is skipped."""
    from riskengine.store.audit import append_audit
    from riskengine.store.rules_audit import note_rule_files

    entries, last, noted = [], _last_id(conn), known.snapshot
    if last is None or last != known.last:
        noted = None  # someone else wrote since (or nothing was): compare again
    for item in batch:
        snapshot = item.rules.snapshot
        if snapshot != noted:
            note_rule_files(conn, item.rules.files, item.actor, item.at, snapshot)
            noted = snapshot
        entries.append(append_audit(conn, item.actor, item.action, item.details, item.at,
                                    {**item.hashes, "rule_files": snapshot}))
    return entries, _Known(entries[-1].id if entries else last, noted)
