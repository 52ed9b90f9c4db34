"""The JSON contract of runs, changes, history, ingests and the audit log: one set of
payloads that ``--format json`` of the CLI prints and the HTTP API returns, so the two can
never drift apart (``riskengine.result`` is the same for scores)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from riskengine.overrides import Override
from riskengine.runs.changes import Change as ChangeModel
from riskengine.settings import Settings
from riskengine.store.records import RunRecord

if TYPE_CHECKING:
    from riskengine.compiled.use import Loaded
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


def history(settings: Settings, query: str, loaded: Loaded | None = None) -> dict[str, Any]:
    """An entity's score, band and blocking regimes across stored runs (``loaded``: the
    compiled graph the caller holds, e.g. the service's warm one)."""
    from riskengine.application import runs

    entity_id, found = runs.history(settings, query, loaded)
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


# The payload models: what the documents above look like, for the OpenAPI description of
# every JSON endpoint (``api``); a test checks each endpoint's answer against its model.

class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HistoryRun(_Doc):
    run: int
    id: str = Field(description="the entity's id in that run (an earlier id before a merge)")
    as_of: date
    score: float
    band: str
    blocked: list[str] = Field(description="regimes it was blocked under")
    parts: dict[str, float] | None = Field(description="points per factor (None: not kept)")


class HistoryDoc(_Doc):
    entity: str
    runs: list[HistoryRun]
    pruned_runs: list[int] = Field(description="runs whose per-entity scores were pruned")


class IngestDoc(_Doc):
    id: int | None
    source: str
    file: str
    content_hash: str
    published: date | None
    finished_at: datetime


class RunDoc(RunRecord):
    """A completed run as listed."""


class RunDetailDoc(RunRecord):
    ingests: list[IngestDoc] = Field(description="the ingests its data came from")


class ChangesDoc(_Doc):
    run: int
    previous: int | None
    pruned_runs_skipped: list[int]
    changes: list[ChangeModel]


class EntryDoc(_Doc):
    id: int
    at: datetime
    actor: str
    action: str
    details: dict[str, Any]
    hashes: dict[str, Any]
    prev_hash: str
    hash: str


class VerifyDoc(_Doc):
    intact: bool
    entries: int = Field(description="entries checked")


class OverrideDoc(Override):
    """An override as listed (fields that are not set are left out) and what it means
    now (``status``)."""

    status: str


class TokenDoc(_Doc):
    token_id: str
    created_at: datetime | None
    expires: date | None
    revoked_at: datetime | None


class UserDoc(_Doc):
    name: str
    role: str
    created_by: str
    created_at: datetime | None
    disabled_at: datetime | None
    tokens: list[TokenDoc]


class IssuedDoc(_Doc):
    user: str
    token_id: str
    token: str = Field(description="the token, shown this once")
    expires: date | None


class DisabledDoc(_Doc):
    user: str
    disabled: bool


class RevokedDoc(_Doc):
    token_id: str
    user: str


class RecordDoc(_Doc):
    entity: str
    source: str
    record_id: str | None
    file: str | None
    published: date | None


class DesignationDoc(_Doc):
    id: str
    regime: str
    program: str | None
    list: str | None
    measure: str
    listed_from: date | None
    listed_to: date | None
    source: str


class EntityDoc(_Doc):
    id: str
    name: str
    kind: str
    country: str | None
    names: list[str]
    identifiers: list[dict[str, Any]]
    birth_dates: list[str]
    nationalities: list[str]
    members: list[str] = Field(description="the records merged into it")
    records: list[RecordDoc]
    designations: list[DesignationDoc]
    merged_because: list[str]
    merge_review: list[str] = Field(description="uncertain pairs left for review")


class MatchDoc(BaseModel):
    entity: dict[str, str] = Field(description="id and name")
    matched_name: str
    score: float
    match: bool
    sources: list[dict[str, Any]]
    features: list[dict[str, Any]]
    risk: dict[str, Any] | None = Field(None, description="its score, band and verdicts")
    decision: str | None = Field(None, description="an override's decision, if one applies")


class ScreenDoc(_Doc):
    input: dict[str, Any] = Field(description="the query as given")
    matches: list[MatchDoc]


class HealthDoc(_Doc):
    status: str
    loaded: bool


class ReadyDoc(_Doc):
    ready: bool
    problem: str | None
    hashes: dict[str, str] | None
    last_run: int | None
