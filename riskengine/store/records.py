"""Records the store keeps about its own work: ingests, list editions, rescoring runs."""

from __future__ import annotations

from datetime import UTC, date, datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator


class IngestRecord(BaseModel):
    """One file loaded into the store. Timestamps are passed in by the caller (no clock here).

    Timestamps must carry a timezone and are normalised to UTC. ``id`` is assigned by
    ``Store.save_ingest``; a value passed in is ignored there.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(description="source key, e.g. 'ftm', 'ofac-sdn'")
    file: str = Field(description="path of the file (or directory) read")
    content_hash: str = Field(description="sha256 of the content read")
    published: date | None = Field(None, description="publication date of the edition")
    started_at: AwareDatetime
    finished_at: AwareDatetime
    counts: dict[str, int] = Field(default_factory=dict, description="e.g. records per kind")
    id: int | None = None

    @field_validator("started_at", "finished_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)

    @model_validator(mode="after")
    def _ordered(self) -> IngestRecord:
        if self.finished_at < self.started_at:
            raise ValueError("finished_at is before started_at")
        return self


class EditionRecord(BaseModel):
    """One official-list edition stored: ``id`` and ``ingest_id`` are set by the store."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(description="source key, e.g. 'ofac-sdn', 'uk'")
    published: date = Field(description="publication date of the edition")
    content_hash: str = Field(description="sha256 of the files read")
    files: list[str] = Field(default_factory=list, description="files read")
    counts: dict[str, int] = Field(default_factory=dict, description="new, kept, delisted, ...")
    ingest_id: int | None = None
    id: int | None = None


class RunRecord(BaseModel):
    """One rescoring run. ``id`` is set by the store; a stored run is always ``complete``
    (it is written in one transaction with its scores)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    started_at: AwareDatetime
    finished_at: AwareDatetime
    as_of: date = Field(description="the date the lists and ties were evaluated at")
    rules_hash: str = Field(description="RuleSet.content_hash of the rules used")
    data_snapshot: str = Field(description="sha256 over the (source, content hash) of ingests")
    actor: str = Field(description="who started it")
    counts: dict[str, int] = Field(default_factory=dict, description="entities, blocked, ...")
    facts_hash: str | None = Field(None, description="snapshot of the stored facts it used")
    rules_snapshot: str | None = Field(None, description="snapshot of the rule files it used")
    status: str = "complete"
    id: int | None = None

    @field_validator("started_at", "finished_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)
