"""The I/O shell of rescoring runs, changes, history and the audit log (issue #5)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from itertools import chain
from typing import TYPE_CHECKING, Any

from riskengine.application import base, service
from riskengine.settings import Settings

if TYPE_CHECKING:

    from riskengine.application.reproduce import RunInputs
    from riskengine.compiled.use import Loaded
    from riskengine.overrides import Override
    from riskengine.runs.chain import Entry
    from riskengine.runs.changes import AlertRules, Change
    from riskengine.runs.table import EntityState, ScoreRows
    from riskengine.store.audit_check import Verified
    from riskengine.store.facts_snapshot import FactsSnapshot
    from riskengine.store.records import IngestRecord, RunRecord
    from riskengine.store.store import Store

ALERT_RULES_FILE = "alerts.yaml"
Log = Callable[[str], None]
Bar = Callable[[int, int], None]


def record(settings: Settings, actor: str, action: str, details: Mapping[str, Any],
           hashes: Mapping[str, Any] | None = None) -> Entry:
    """Append an audit entry now (for the score command), preceded in the same transaction
    by a ``rules.change`` entry when the rule files changed since the last one recorded;
    ``hashes`` gains the rule files' snapshot hash."""
    from sqlalchemy.exc import SQLAlchemyError

    from riskengine.ruleset.snapshot import digest, encode, read_rule_files
    from riskengine.store.audit import append_audit
    from riskengine.store.rules_audit import note_rule_files
    from riskengine.store.store import StoreError

    files, at = read_rule_files(base.rules_dir(settings)), base.now()
    snapshot = digest(encode(files))
    with base.open_store(settings) as store:
        try:
            with store.transaction(write=True) as conn:
                note_rule_files(conn, files, actor, at, snapshot)
                return append_audit(conn, actor, action, details, at,
                                    {**(hashes or {}), "rule_files": snapshot})
        except SQLAlchemyError as exc:
            raise StoreError(f"appending to the audit log failed: {exc}") from exc


def rescore(settings: Settings, as_of: date, actor: str, log: Log,
            bar: Bar | None = None) -> RunRecord:
    """Score every entity and store the run; one rescore at a time per database.

    ``bar(done, total)`` reports stored rows (a progress bar on a terminal); without it,
    ``log`` gets a line at every tenth."""
    from riskengine.store.locks import RESCORE_LOCK, hold_lock, holder_id

    started = base.now()
    store = base.open_store(settings)
    try:
        with hold_lock(store, RESCORE_LOCK, holder_id(actor), started):
            return _rescore(settings, store, (as_of, started, actor), log, bar)
    finally:
        store.close()


def _rescore(settings: Settings, store: Store, job: tuple[date, datetime, str],
             log: Log, bar: Bar | None) -> RunRecord:
    from riskengine.application.base import stored_overrides
    from riskengine.application.reproduce import current_rule_files, pinned_rules
    from riskengine.runs.table import snapshot_hash
    from riskengine.store.runs import AuditNote, save_run

    as_of, _started, actor = job
    snapshot = snapshot_hash((i.source, i.content_hash) for i in store.ingests())
    log(f"rescore: evaluating every entity as of {as_of.isoformat()}")
    rule_files = current_rule_files(settings)
    overrides = stored_overrides(settings, known_at=job[1], store=store)
    for o in overrides:
        if o.tampered:  # never applied (``overrides.status_of``): said, not silently left out
            log(f"rescore: override #{o.id} not applied: its stored row does not match its "
                f"audit entry (see `riskengine audit verify`)")
    with ThreadPoolExecutor(1) as reader:
        # the facts snapshot (a run's record of its input: reading, compressing and hashing
        # every fact, C work without the GIL) is read on a second core while the graph is
        # compiled and scored on this one; both must be of one data version (checked)
        facts_read = reader.submit(_read_snapshot, settings)
        with pinned_rules(settings, rule_files) as pinned:
            rows, run, version = _scored_run(pinned, store, overrides, job)
        inputs = _same_version(facts_read.result(), rule_files, version)
    facts, rules = inputs.snapshots()
    run = run.model_copy(update={"data_snapshot": snapshot, "facts_hash": facts.hash,
                                 "rules_snapshot": rules.hash, "finished_at": base.now()})
    total = int(run.counts.get("entities", 0))
    log(f"rescore: scored {total} entities; storing")
    report = _progress(total, log) if bar is None else (lambda done: bar(done, total))
    saved = save_run(store, run, rows, AuditNote(actor, base.now()), report,
                     chain((facts, rules), inputs.part_snapshots()), inputs.rule_files)
    log(f"rescore: run {saved.id} complete")
    return saved


def _read_snapshot(settings: Settings) -> FactsSnapshot:
    from riskengine.store.facts_snapshot import read_snapshot

    return read_snapshot(settings.db_url, settings.lock_wait)


def _same_version(facts: FactsSnapshot, rule_files: dict[str, str], version: str
                  ) -> RunInputs:
    """The run's inputs; StoreError when the snapshot is of other facts than the graph."""
    from riskengine.application.reproduce import RunInputs
    from riskengine.store.store import StoreError

    if facts.version and facts.version != version:
        raise StoreError("the stored facts changed while the rescore read them (an "
                         "ingest ran): nothing was stored; run the rescore again")
    return RunInputs(rule_files, facts.content, facts.version, facts.parts)


def _scored_run(settings: Settings, store: Store, overrides: list[Override],
                job: tuple[date, datetime, str]) -> tuple[ScoreRows, RunRecord, str]:
    """(rows of every entity, the run record without its snapshots, the data version they
    are of) with ``overrides`` (as they stood when the run started), on the compiled graph
    of the stored facts."""
    from riskengine.application.whatif_books import current_book
    from riskengine.engine import regime_order
    from riskengine.runs.table import counts, score_rows
    from riskengine.store.records import RunRecord

    as_of, started, actor = job
    with service.compiled_graph(settings, store) as (loaded, rules, _store):
        # the book kept beside the compiled graph (``compiled.scores``), or scored and kept
        book = current_book(settings, loaded, rules, as_of, overrides)
        ev, table = book.ev, book.table
        rows = score_rows(table, loaded.facts.name_column, ev.verdicts,
                          regime_order(ev.rules, list(ev.verdicts)), loaded.facts.clusters())
    run = RunRecord(started_at=started, finished_at=started, as_of=as_of,
                    rules_hash=ev.rules.content_hash, data_snapshot="", actor=actor,
                    counts=counts(table, ev.verdicts))
    return rows, run, loaded.version


def _progress(total: int, log: Log) -> Callable[[int], None]:
    """Log stored rows at every tenth of the total."""
    step = max(total // 10, 1)
    marks = {"next": step}

    def report(done: int) -> None:
        if done >= marks["next"] or done == total:
            log(f"rescore: stored {done}/{total} entities")
            marks["next"] = (done // step + 1) * step

    return report


def runs(settings: Settings) -> list[RunRecord]:
    """Completed runs (pruned ones included), oldest first."""
    from riskengine.store.runs import list_runs

    with base.open_store(settings) as store:
        return list_runs(store)


def run(settings: Settings, run_id: int | None, pruned_ok: bool = False) -> RunRecord:
    """One completed run (the latest when ``run_id`` is None); NotFoundError otherwise (also
    for a pruned run unless ``pruned_ok``)."""
    with base.open_store(settings) as store:
        return base.run_or_latest(store, run_id, pruned_ok)


def pruned_between(settings: Settings, before: RunRecord | None, current: RunRecord
                   ) -> list[int]:
    """Ids of the pruned runs after ``before`` (or from the start) and before ``current``:
    the runs ``changes`` skipped."""
    low, high = (before.id or 0) if before else 0, current.id or 0
    return [i for i in pruned_runs(settings) if low < i < high]


def pruned_runs(settings: Settings) -> list[int]:
    """Ids of the pruned runs (their per-entity scores deleted), oldest first."""
    from riskengine.store.prune import pruned_run_ids

    with base.open_store(settings) as store:
        return pruned_run_ids(store)


def ingests(settings: Settings) -> list[IngestRecord]:
    """Every ingest, oldest first (ingest status)."""
    with base.open_store(settings) as store:
        return list(store.ingests())


def ingests_before(settings: Settings, run: RunRecord) -> list[IngestRecord]:
    """The ingests finished before ``run`` started: the data it saw, oldest first."""
    with base.open_store(settings) as store:
        return [i for i in store.ingests() if i.finished_at <= run.started_at]


def alert_rules(settings: Settings) -> AlertRules:
    from riskengine.runs.changes import AlertRules

    return base.rule_file(settings, ALERT_RULES_FILE, AlertRules)


def changes(settings: Settings, run_id: int | None = None, since: date | None = None
            ) -> tuple[RunRecord, RunRecord | None, list[Change]]:
    """(the run, the run it is compared with or None, the changes between them).

    The run is compared with the latest complete run before it, or with ``since``: the
    latest complete run that finished before that day (UTC) began, so that the net changes
    over the period are reported. Pruned runs have no scores to compare: a pruned
    ``run_id`` is a NotFoundError, and pruned runs are skipped (named in the output)."""
    from riskengine.runs.changes import compare
    from riskengine.store.runs import previous_run, run_finished_before, run_states

    rules = alert_rules(settings)
    with base.open_store(settings) as store:
        current = base.run_or_latest(store, run_id)
        assert current.id is not None
        before = (previous_run(store, current.id) if since is None
                  else run_finished_before(store, _day_start(since), current.id))
        if before is None or before.id is None:
            return current, None, []
        found = compare(run_states(store, before.id), run_states(store, current.id), rules)
    return current, before, found


def _day_start(day: date) -> datetime:
    from datetime import UTC, time

    return datetime.combine(day, time(), UTC)


def history(settings: Settings, query: str, loaded: Loaded | None = None
            ) -> tuple[str, list[tuple[RunRecord, EntityState]]]:
    """(entity id, its stored states in every completed run): ``query`` is resolved like
    ``score`` resolves it (id, name or alias of the current facts; an id merged into another
    entity names that one). States under the entity's earlier ids are included: those of
    every run's entities whose id is one of its records (before a merge, a run may hold
    several). ``loaded``: a compiled graph the caller holds (a service's warm one), else
    the store's is opened."""
    from riskengine.store.runs import entity_history

    found = service.find_entity(settings, query, loaded)  # compiled: no object per fact
    with base.open_store(settings) as store:
        return found.entity_id, entity_history(store, found.members)


def audit_entries(settings: Settings, since: date | None) -> list[Entry]:
    """Audit entries at or after the start of ``since`` (UTC), or all."""
    from datetime import UTC, time

    from riskengine.store.audit import audit_entries as entries

    start = datetime.combine(since, time(), UTC) if since else None
    with base.open_store(settings) as store:
        return entries(store, start)


def audit_verify(settings: Settings) -> int:
    """Number of entries checked (``audit_report`` without a head)."""
    return audit_report(settings).entries


def audit_report(settings: Settings, head: str | None = None) -> Verified:
    """The chain, and every run, ingest and override against it (``store.audit_check``);
    ``head``: a hash ``audit head`` printed earlier, which must still be in the chain.
    AuditChainError naming what was edited; InputError for a malformed ``head``."""
    from riskengine.errors import AuditChainError
    from riskengine.store.audit_check import verify_store

    if head is not None:
        head = _head_hash(head)
    with base.open_store(settings) as store:
        verified = verify_store(store, head)
    problems = verified.findings.problems
    if problems:
        shown, extra = "; ".join(problems[:MAX_PROBLEMS]), len(problems) - MAX_PROBLEMS
        more = f" (and {extra} more)" if extra > 0 else ""
        raise AuditChainError(f"audit log broken: {shown}{more}")
    return verified


MAX_PROBLEMS = 10


def _head_hash(value: str) -> str:
    import re

    from riskengine.errors import InputError

    text = value.strip().lower()
    if not re.fullmatch(r"[0-9a-f]{64}", text):
        raise InputError("--head", "expected the 64 hex digits `riskengine audit head` "
                                   "printed")
    return text


def audit_head(settings: Settings) -> Entry:
    """The latest audit entry (its hash is the chain's head); NotFoundError when none."""
    from riskengine.errors import NotFoundError
    from riskengine.store.audit import last_entry

    with base.open_store(settings) as store:
        found = last_entry(store)
    if found is None:
        raise NotFoundError("the audit log is empty: no head to anchor")
    return found


RETENTION_RULES_FILE = "retention.yaml"


def prune(settings: Settings, before: date, actor: str, apply: bool
          ) -> tuple[list[RunRecord], bool]:
    """(the completed runs finished before ``before``, whether they were pruned): pruned
    only with ``apply``; InputError when ``before`` is within the retention period."""
    from riskengine.runs.retention import RetentionRules, check_prune_date
    from riskengine.store.prune import prunable_runs, prune_runs

    rules = base.rule_file(settings, RETENTION_RULES_FILE, RetentionRules)
    check_prune_date(before, base.now().date(), rules)
    with base.open_store(settings) as store:
        found = prunable_runs(store, before)
        if not apply or not found:
            return found, False
        ids = prune_runs(store, before, actor, base.now())
    return [r for r in found if r.id in ids], True
