"""The I/O shell of rescoring runs, changes, history and the audit log (issue #5)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from riskengine.cli import service
from riskengine.settings import Settings

if TYPE_CHECKING:
    from riskengine.runs.chain import Entry
    from riskengine.runs.changes import AlertRules, Change
    from riskengine.runs.table import EntityState
    from riskengine.store.records import RunRecord
    from riskengine.store.store import Store

ALERT_RULES_FILE = "alerts.yaml"
Log = Callable[[str], None]
Bar = Callable[[int, int], None]


def record(settings: Settings, actor: str, action: str, details: Mapping[str, Any],
           hashes: Mapping[str, Any] | None = None) -> Entry:
    """Append an audit entry now (for the ingest and score commands)."""
    from riskengine.store.audit import record_audit

    store = service.open_store(settings)
    try:
        return record_audit(store, actor, action, details, service.now(), hashes)
    finally:
        store.close()


def rescore(settings: Settings, as_of: date, actor: str, log: Log,
            bar: Bar | None = None) -> RunRecord:
    """Score every entity and store the run; one rescore at a time per database.

    ``bar(done, total)`` reports stored rows (a progress bar on a terminal); without it,
    ``log`` gets a line at every tenth."""
    from riskengine.store.runs import RESCORE_LOCK, acquire_lock, holder_id, release_lock

    started = service.now()
    store = service.open_store(settings)
    holder = holder_id(actor)
    try:
        acquire_lock(store, RESCORE_LOCK, holder, started)
        try:
            return _rescore(settings, store, (as_of, started, actor), log, bar)
        finally:
            release_lock(store, RESCORE_LOCK, holder)
    finally:
        store.close()


def _rescore(settings: Settings, store: Store, job: tuple[date, datetime, str],
             log: Log, bar: Bar | None) -> RunRecord:
    from riskengine.engine import regime_order, score_everything
    from riskengine.runs.table import counts, score_rows, snapshot_hash
    from riskengine.store.records import RunRecord
    from riskengine.store.runs import AuditNote, save_run

    as_of, started, actor = job
    snapshot = snapshot_hash((i.source, i.content_hash) for i in store.ingests())
    log(f"rescore: evaluating every entity as of {as_of.isoformat()}")
    ev, _facts = service.evaluation(settings, as_of)
    table = score_everything(ev)
    log(f"rescore: scored {len(table.ids)} entities; storing")
    names = [e.name for e in ev.graph.dataset.entities]
    rows = score_rows(table, names, ev.verdicts, regime_order(ev.rules, list(ev.verdicts)))
    run = RunRecord(started_at=started, finished_at=service.now(), as_of=as_of,
                    rules_hash=ev.rules.content_hash, data_snapshot=snapshot, actor=actor,
                    counts=counts(table, ev.verdicts))
    total = len(table.ids)
    report = _progress(total, log) if bar is None else (lambda done: bar(done, total))
    saved = save_run(store, run, rows, AuditNote(actor, service.now()), report)
    log(f"rescore: run {saved.id} complete")
    return saved


def _progress(total: int, log: Log) -> Callable[[int], None]:
    """Log stored rows at every tenth of the total."""
    step = max(total // 10, 1)
    marks = {"next": step}

    def report(done: int) -> None:
        if done >= marks["next"] or done == total:
            log(f"rescore: stored {done}/{total} entities")
            marks["next"] = (done // step + 1) * step

    return report


def _run_or_latest(store: Store, run_id: int | None) -> RunRecord:
    from riskengine.errors import NotFoundError
    from riskengine.store.runs import get_run

    run = get_run(store, run_id)
    if run is None:
        raise NotFoundError(f"no completed run {run_id}" if run_id is not None
                            else "no completed run yet (run `riskengine rescore`)")
    return run


def runs(settings: Settings) -> list[RunRecord]:
    """Completed runs, oldest first."""
    from riskengine.store.runs import list_runs

    with service.open_store(settings) as store:
        return list_runs(store)


def run(settings: Settings, run_id: int | None) -> RunRecord:
    """One completed run (the latest when ``run_id`` is None); NotFoundError otherwise."""
    with service.open_store(settings) as store:
        return _run_or_latest(store, run_id)


def alert_rules(settings: Settings) -> AlertRules:
    from riskengine.runs.changes import AlertRules

    return service._rule_file(settings, ALERT_RULES_FILE, AlertRules)


def changes(settings: Settings, run_id: int | None = None
            ) -> tuple[RunRecord, RunRecord | None, list[Change]]:
    """(the run, the completed run before it or None, the changes between them)."""
    from riskengine.runs.changes import compare
    from riskengine.store.runs import previous_run, run_states

    rules = alert_rules(settings)
    with service.open_store(settings) as store:
        current = _run_or_latest(store, run_id)
        assert current.id is not None
        before = previous_run(store, current.id)
        if before is None or before.id is None:
            return current, None, []
        found = compare(run_states(store, before.id), run_states(store, current.id), rules)
    return current, before, found


def history(settings: Settings, query: str) -> tuple[str, list[tuple[RunRecord, EntityState]]]:
    """(entity id, its stored state in every completed run): ``query`` is resolved like
    ``score`` resolves it (id, name or alias of the current facts)."""
    from riskengine.engine import find
    from riskengine.names import NameIndex
    from riskengine.store.runs import entity_history

    _raw, facts, mm = service.merged_facts(settings, service.load_rules(settings))
    entity = find(NameIndex(facts.entities), mm.resolve(query))
    with service.open_store(settings) as store:
        return entity.id, entity_history(store, [entity.id])


def stored_score(settings: Settings, query: str, run_id: int | None) -> dict[str, Any]:
    """What run ``run_id`` (the latest when None) stored about the entity ``query`` names
    (JSON-ready): for ``score QUERY --run RUN``. NotFoundError when the run lacks it."""
    from riskengine.errors import NotFoundError

    entity_id, found = history(settings, query)
    wanted = run(settings, run_id)
    for stored_run, state in found:
        if stored_run.id == wanted.id:
            return {"entity": {"id": entity_id, "name": state.name}, "run": wanted.id,
                    "as_of": wanted.as_of.isoformat(), "score": state.score, "band": state.band,
                    "regimes": {code: v._asdict() for code, v in state.regimes.items()}}
    raise NotFoundError(f"run {wanted.id} has no score for {entity_id!r}")


def audit_entries(settings: Settings, since: date | None) -> list[Entry]:
    """Audit entries at or after the start of ``since`` (UTC), or all."""
    from datetime import UTC, time

    from riskengine.store.audit import audit_entries as entries

    start = datetime.combine(since, time(), UTC) if since else None
    with service.open_store(settings) as store:
        return entries(store, start)


def audit_verify(settings: Settings) -> int:
    """Number of entries checked; AuditChainError naming the first broken one."""
    from riskengine.errors import AuditChainError
    from riskengine.store.audit import verify_audit

    with service.open_store(settings) as store:
        count, problem = verify_audit(store)
    if problem:
        raise AuditChainError(f"audit log broken: {problem}")
    return count
