"""Request bodies of the API (responses are the application layer's documents: the same
JSON as the CLI's ``--format json``). Limits come from ``rules/service.yaml``; the models
check shapes, the use cases check meaning."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

if TYPE_CHECKING:
    from riskengine.screening.report import ScreenQuery

NAME_CHARS = 1000  # the hard ceiling; service.yaml max_query_chars is checked per request


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScreenRow(Body):
    name: str = Field(min_length=1, max_length=NAME_CHARS)
    id: str | None = Field(None, max_length=200, description="your id for the counterparty")
    country: str | None = Field(None, max_length=60, description="ISO alpha-2")
    identifier: str | None = Field(None, max_length=200,
                                   description="registration number, INN, LEI, ...")
    birth_date: str | None = Field(None, max_length=20,
                                   description="a person's date of birth, YYYY-MM-DD / YYYY")
    nationality: str | None = Field(None, max_length=60, description="ISO alpha-2")

    @field_validator("birth_date")
    @classmethod
    def _birth_date(cls, value: str | None) -> str | None:
        """The screener's reading of a date of birth (as the CSV reader checks it)."""
        from riskengine.screening.facts import parse_birth_date

        return parse_birth_date(value) if value else None

    def query(self, line: int | None = None) -> ScreenQuery:
        """The screener's query for this row."""
        from riskengine.screening.report import ScreenQuery

        return ScreenQuery(self.name, self.id, self.country, self.identifier, line,
                           self.birth_date, self.nationality)


class ScreenRequest(ScreenRow):
    limit: int = Field(10, ge=1, le=10_000, description="most candidates")
    as_of: date | None = Field(None, description="verdicts as they stood on this date")


class BatchRequest(Body):
    rows: list[ScreenRow] = Field(min_length=1)
    limit: int = Field(10, ge=1, le=10_000)
    as_of: date | None = None


class OverrideRequest(Body):
    entity: str = Field(min_length=1, max_length=NAME_CHARS, description="id, name or alias")
    kind: Literal["false_positive", "confirmed", "accepted_risk", "manual_status"]
    reason: str = Field(min_length=1, max_length=5000)
    expires: date = Field(description="last day it applies")
    cap: float | None = Field(None, description="accepted_risk: highest score")
    regime: str | None = Field(None, max_length=20, description="manual_status: the regime")
    status: Literal["listed", "owned", "controlled", "clear"] | None = None
    counterparty: str | None = Field(None, max_length=NAME_CHARS)
    as_of: date | None = Field(None, description="day whose facts the decision rests on")


class RevokeRequest(Body):
    reason: str | None = Field(None, max_length=5000)


class UserRequest(Body):
    name: str = Field(min_length=1, max_length=64)
    role: Literal["viewer", "analyst", "approver", "admin"]
    expires: date | None = None


class TokenRequest(Body):
    expires: date | None = None
