"""The JSON contract of runs, changes, history, ingests and the audit log: one set of
payloads that ``--format json`` of the CLI prints and the HTTP API returns, so the two can
never drift apart (``riskengine.result`` is the same for scores)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from riskengine.settings import Settings

if TYPE_CHECKING:
    from riskengine.runs.chain import Entry
    from riskengine.runs.changes import Change
    from riskengine.runs.table import EntityState
    from riskengine.store.records import IngestRecord, RunRecord


def run_json(run: RunRecord) -> dict[str, Any]:
    """A run, JSON-ready."""
    return run.model_dump(mode="json")


def ingest_json(ingest: IngestRecord) -> dict[str, Any]:
    """An ingest a run's data came from, JSON-ready."""
    return ingest.model_dump(mode="json", include={"id", "source", "file", "content_hash",
                                                  "published", "finished_at"})


def change_json(change: Change) -> dict[str, Any]:
    return change.model_dump(mode="json")


def history_json(entity_id: str, found: Sequence[tuple[RunRecord, EntityState]]
                 ) -> dict[str, Any]:
    """``id``: the entity's id in that run (an earlier id before a merge)."""
    return {"entity": entity_id, "runs": [
        {"run": r.id, "id": s.entity_id, "as_of": r.as_of.isoformat(), "score": s.score,
         "band": s.band,
         "blocked": sorted(code for code, v in s.regimes.items() if v.blocked),
         "parts": dict(s.parts) if s.parts is not None else None}
        for r, s in found]}


def entry_json(entry: Entry) -> dict[str, Any]:
    return {"id": entry.id, "at": entry.at.isoformat(), "actor": entry.actor,
            "action": entry.action, "details": dict(entry.details),
            "hashes": dict(entry.hashes), "prev_hash": entry.prev_hash, "hash": entry.hash}


def changes_payload(current: RunRecord, before: RunRecord | None, skipped: Sequence[int],
                    found: Sequence[Change]) -> dict[str, Any]:
    return {"run": current.id, "previous": before.id if before else None,
            "pruned_runs_skipped": list(skipped), "changes": [change_json(c) for c in found]}


def changes(settings: Settings, run: int | None, since: date | None) -> dict[str, Any]:
    """What changed since the previous completed run (or since a day)."""
    from riskengine.application import runs

    current, before, found = runs.changes(settings, run, since)
    return changes_payload(current, before, runs.pruned_between(settings, before, current),
                           found)


def history(settings: Settings, query: str) -> dict[str, Any]:
    """An entity's score, band and blocking regimes across stored runs."""
    from riskengine.application import runs

    entity_id, found = runs.history(settings, query)
    return history_json(entity_id, found) | {"pruned_runs": runs.pruned_runs(settings)}


def run_list(settings: Settings) -> list[dict[str, Any]]:
    from riskengine.application import runs

    return [run_json(r) for r in runs.runs(settings)]


def run_detail(settings: Settings, run_id: int) -> dict[str, Any]:
    """One run with the ingests its data came from."""
    from riskengine.application import runs

    found = runs.run(settings, run_id, pruned_ok=True)
    return run_json(found) | {"ingests": [ingest_json(i)
                                          for i in runs.ingests_before(settings, found)]}


def audit(settings: Settings, since: date | None) -> list[dict[str, Any]]:
    from riskengine.application import runs

    return [entry_json(e) for e in runs.audit_entries(settings, since)]
