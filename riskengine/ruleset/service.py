"""``rules/service.yaml``: the limits and caches of ``riskengine serve`` (pure model)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ServiceRules(BaseModel):
    """How the HTTP service keeps its data warm and what it accepts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    refresh_seconds: float = Field(
        1.0, ge=0.05, le=3600,
        description="how often the service looks for a new data version, changed rule files "
                    "or changed overrides (a new version is built beside the old one, then "
                    "swapped in)")
    evaluations_kept: int = Field(
        8, ge=1, le=1000,
        description="whole-graph evaluations kept per data version (one per as-of date and "
                    "set of overrides); the least recently used is dropped")
    results_kept: int = Field(
        20000, ge=0, le=10_000_000,
        description="explained score results kept (by data version, rules, overrides, date "
                    "and entity); 0: none")
    max_body_bytes: int = Field(
        20_000_000, ge=1024, le=2_000_000_000,
        description="largest request body accepted (413 above it)")
    max_batch_rows: int = Field(
        200_000, ge=1, le=100_000_000,
        description="most rows of one screening batch (413 above it)")
    max_query_chars: int = Field(
        1000, ge=10, le=100_000,
        description="longest name or query accepted (422 above it)")
    max_limit: int = Field(
        100, ge=1, le=10_000, description="most screening candidates per name")
    worker_healthcheck_seconds: int = Field(
        120, ge=5, le=3600,
        description="with --workers above 1: how long a worker may take to answer the "
                    "supervisor's health check before it is killed and restarted (building "
                    "a 1M-entity screener holds the interpreter for several seconds)")
    inline_entities: int = Field(
        100_000, ge=0, le=1_000_000_000,
        description="on graphs of at most this many entities an explained score is made on "
                    "the server's event loop (about a millisecond: no hand-over to a worker "
                    "thread and back, which costs more than that on a loaded machine); on "
                    "larger graphs, where one can take tens of milliseconds, in a worker "
                    "thread so that other requests are not held up")
    description: str | None = Field(None, description="free text for the analyst")
