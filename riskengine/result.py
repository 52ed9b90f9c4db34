"""Score results: the stable JSON contract of ``riskengine score --format json``.

    {"entity": {"id", "name"}, "as_of": "YYYY-MM-DD", "score": 0..100, "band": str,
     "regimes": {code: {"status": listed|owned|controlled|clear, "blocked", "possibly_blocked",
                        "evidence": [Evidence]}},
     "contributions": [{"factor", "points", "detail", "path": [PathItem], "regime"}],
     "flags": [str]}

Invariant: ``score == round(sum(c.points for c in contributions), 2)``; points are rounded to
two decimals before summing so the figures a person adds up match the score exactly.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["listed", "owned", "controlled", "clear"]


class ResultModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PathItem(ResultModel):
    """One step of an evidence path: an entity, an edge between entities, or a listing."""

    type: Literal["entity", "edge", "listing"]
    id: str = Field(description="entity id, edge id or designation id")
    label: str = Field(description="entity name, 'owns 47% of', 'SDN RUSSIA-EO14024 since ...'")
    source: str | None = Field(None, description="citation of the fact: list, record, date")


class Evidence(ResultModel):
    """Why a regime verdict is what it is."""

    kind: Literal["listed", "owned", "controlled", "possibly_owned", "control_not_blocking",
                  "unknown_share", "manual_status"] = Field(
        description="manual_status: an approved analyst override set the verdict (first)")
    detail: str
    path: tuple[PathItem, ...] = ()


class RegimeVerdict(ResultModel):
    status: Status
    blocked: bool
    possibly_blocked: bool
    evidence: tuple[Evidence, ...] = ()


class Contribution(ResultModel):
    factor: str = Field(description="name of the scoring factor function")
    points: float
    detail: str
    path: tuple[PathItem, ...] = ()
    regime: str | None = None


class EntityRef(ResultModel):
    id: str
    name: str


class ScoreResult(ResultModel):
    entity: EntityRef
    as_of: date
    score: float = Field(ge=0, le=100)
    band: str
    regimes: dict[str, RegimeVerdict]
    contributions: tuple[Contribution, ...]
    flags: tuple[str, ...] = ()
    match: str | None = Field(None, description="how the query was matched to the entity")
    run: int | None = Field(None, description="the stored run this result reproduces")

    def to_json_dict(self) -> dict[str, object]:
        return self.model_dump(mode="json", exclude_none=True)
