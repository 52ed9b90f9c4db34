"""Score results: the stable JSON contract of ``riskengine score --format json``.

    {"entity": {"id", "name"}, "as_of": "YYYY-MM-DD", "score": 0..100, "band": str,
     "regimes": {code: {"status": listed|owned|controlled|clear|not_covered, "blocked",
                        "possibly_blocked", "evidence": [Evidence], "coverage": Coverage}},
     "contributions": [{"factor", "points", "detail", "path": [PathItem], "regime"}],
     "flags": [str], "overrides_elsewhere": [DistantOverride]}

Invariant: ``score == round(sum(c.points for c in contributions), 2)``; points are rounded to
two decimals before summing so the figures a person adds up match the score exactly.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["listed", "owned", "controlled", "clear"]
# not_covered: no list of the regime was loaded, or none has an edition on or before the date.
VerdictStatus = Literal["listed", "owned", "controlled", "clear", "not_covered"]


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
                  "unknown_share", "non_blocking", "manual_status", "listing_date_unknown",
                  "ambiguous_ownership"] = Field(
        description="manual_status: an approved analyst override set the verdict (first); "
                    "non_blocking: a sectoral, export-control or other non-freezing listing; "
                    "listing_date_unknown: the date is before a listing's first edition seen "
                    "and the list states no date (it may already have been listed: review); "
                    "ambiguous_ownership: a stake transferred after the owner's designation, or "
                    "two records of one holding that disagree (review; says which was used)")
    detail: str
    path: tuple[PathItem, ...] = ()


class SourceCoverage(ResultModel):
    """One list (source) a regime's verdict rests on and its editions up to the date."""

    source: str = Field(description="'ofac-sdn', 'uk', ..., 'ftm', or 'rules' (the seed)")
    newest: date | None = Field(None, description="newest edition published on or before "
                                                  "as_of (none for the rule-file seed)")
    earliest: date | None = Field(None, description="earliest edition loaded")
    editions: int = Field(0, description="editions loaded (any date)")


class Coverage(ResultModel):
    """What a regime's verdict rests on; ``flags`` say where it does not cover the date."""

    covered: bool = Field(description="some list of the regime has data for as_of")
    sources: tuple[SourceCoverage, ...] = ()
    flags: tuple[str, ...] = ()


class RegimeVerdict(ResultModel):
    status: VerdictStatus
    blocked: bool
    possibly_blocked: bool
    evidence: tuple[Evidence, ...] = ()
    coverage: Coverage | None = Field(None, description="lists and editions behind the verdict")


class Contribution(ResultModel):
    factor: str = Field(description="name of the scoring factor function")
    points: float
    detail: str
    path: tuple[PathItem, ...] = ()
    regime: str | None = None


class EntityRef(ResultModel):
    id: str
    name: str


class DistantOverride(ResultModel):
    """An active override on another entity that changed this entity's score."""

    override: int | None = Field(description="the override's id")
    entity: EntityRef = Field(description="the entity the override is on")
    detail: str = Field(description="'override #3 (manual_status us clear on KAMAZ PJSC) ...'")
    score_without: float = Field(description="this entity's score without that override")


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
    overrides_elsewhere: tuple[DistantOverride, ...] = Field(
        (), description="overrides on other entities that changed this entity's score")

    def to_json_dict(self) -> dict[str, object]:
        return self.model_dump(mode="json", exclude_none=True)

    def to_json_bytes(self) -> bytes:
        """``to_json_dict`` serialised (by pydantic's core, without the dict in between)."""
        return self.model_dump_json(exclude_none=True).encode()
