"""``rules/report.yaml``: how much the exposure graph of a case report and an entity page
draws (pure model). The depth is ``scoring.yaml``'s ``max_depth``: the drawing shows the
walks the score itself follows."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ReportRules(BaseModel):
    """Caps of the exposure graph drawing (a hub with thousands of ties stays readable)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ties_per_node: int = Field(
        12, ge=1, le=1000,
        description="most new parties one party brings into the drawing; the rest are "
                    "counted in a '+N more' box (evidence paths first, then blocked parties)")
    max_nodes: int = Field(
        60, ge=2, le=5000, description="most parties in one drawing")
    description: str | None = Field(None, description="free text for the analyst")
