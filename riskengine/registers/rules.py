"""``rules/registers.yaml``: safety and batching of the ownership-register ingests."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_MAX_ENDED_SHARE = 0.10
DEFAULT_BATCH = 20_000
DEFAULT_READ_AHEAD = 2


class RegisterRules(BaseModel):
    """Tunables of ``riskengine ingest gleif|bods|psc``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_ended_share: float = Field(
        DEFAULT_MAX_ENDED_SHARE, gt=0, le=1,
        description="largest share (0-1] of a register's open ties one snapshot may end "
                    "(because it no longer states them) without --force",
    )
    batch: int = Field(
        DEFAULT_BATCH, ge=100, le=1_000_000,
        description="statements read before they are written: memory stays bounded by it, "
                    "whatever the file's size",
    )
    read_ahead: int = Field(
        DEFAULT_READ_AHEAD, ge=0, le=16,
        description="batches a worker process reads ahead of the writer (PSC): the file is "
                    "read on the second core while rows are written; memory grows by about "
                    "a batch for each; 0 reads in the writing process",
    )
    description: str | None = Field(None, description="free text for the analyst")
