"""How long rescoring runs are kept, and which prune dates that allows (pure).

``rules/retention.yaml`` sets ``retention_years``; ``riskengine runs prune --before DATE``
may only delete the per-entity rows of runs finished before DATE when DATE is no later
than ``today`` minus the retention period: no run younger than that is ever pruned.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from riskengine.errors import InputError

DEFAULT_RETENTION_YEARS = 10


class RetentionRules(BaseModel):
    """``rules/retention.yaml``: how long stored runs are kept whole."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    retention_years: int = Field(
        DEFAULT_RETENTION_YEARS, ge=1, le=100,
        description="years a run keeps its per-entity scores before it may be pruned")
    description: str | None = Field(None, description="free text for the analyst")


def years_before(day: date, years: int) -> date:
    """``day`` moved back ``years`` years (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def check_prune_date(before: date, today: date, rules: RetentionRules) -> None:
    """InputError unless every run finished before ``before`` is past the retention period."""
    latest = years_before(today, rules.retention_years)
    if before > latest:
        raise InputError("--before", f"{before.isoformat()} is within the retention period: "
                         f"runs are kept {rules.retention_years} years (retention.yaml), so "
                         f"the latest date allowed today is {latest.isoformat()}")
