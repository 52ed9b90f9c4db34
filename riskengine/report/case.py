"""The case report of one entity: what a compliance officer files with a decision (pure).

A ``CaseReport`` holds the header (entity, as of, run, rules and data hashes, when and by
whom it was made), the explained score (verdicts with evidence, contributions), the drawn
exposure graph, every source cited with a link to the publisher's record where one is
known, and the overrides in force. ``waterfall`` turns the contributions into the steps
of a waterfall that ends at the score (points are rounded as the score is, so the steps
add up to it exactly). The report is rendered by ``report.html`` (and ``report.pdf``);
the sha256 of the rendered file is what the audit log records.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from riskengine.domain import Source
from riskengine.report.links import record_url
from riskengine.result import ScoreResult


class ReportModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Header(ReportModel):
    entity_id: str
    entity_name: str
    as_of: date
    run: int | None = None
    rules_hash: str = Field(description="snapshot hash of the rule files used")
    data_hash: str = Field(description="data version (ingests) or the run's facts snapshot")
    generated_at: datetime
    generated_by: str


class Cited(ReportModel):
    """One source cited, with the publisher's record page where one is known."""

    about: str = Field(description="what it is cited for: 'KAMAZ PJSC: listing kamaz-us'")
    source: str
    record_id: str | None = None
    published: date | None = None
    where: str | None = Field(None, description="file and line")
    note: str | None = None
    url: str | None = None


class Step(ReportModel):
    """One bar of the waterfall: ``start`` to ``end`` (points), ``end - start == points``."""

    label: str
    detail: str
    points: float
    start: float
    end: float


class CaseReport(ReportModel):
    header: Header
    result: ScoreResult
    graph_svg: str
    sources: tuple[Cited, ...] = ()
    overrides: tuple[str, ...] = Field((), description="overrides in force, one line each")
    graph_note: str = ""


def cited(about: str, source: Source) -> Cited:
    where = f"{source.file}:{source.line}" if source.file and source.line else source.file
    return Cited(about=about, source=source.source, record_id=source.record_id,
                 published=source.published, where=where, note=source.note,
                 url=record_url(source))


def distinct(found: Iterable[Cited]) -> tuple[Cited, ...]:
    """The citations once each (first mention kept), in the order found."""
    seen: set[tuple[object, ...]] = set()
    out = []
    for c in found:
        key = (c.about, c.source, c.record_id, c.where)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return tuple(out)


def waterfall(result: ScoreResult) -> tuple[Step, ...]:
    """The contributions as waterfall steps; the last ends at the score."""
    steps, at = [], 0.0
    for c in result.contributions:
        end = round(at + c.points, 2)
        label = c.factor + (f" ({c.regime})" if c.regime else "")
        steps.append(Step(label=label, detail=c.detail, points=c.points, start=at, end=end))
        at = end
    return tuple(steps)


def scale(steps: tuple[Step, ...]) -> float:
    """The width of the waterfall in points: 100, or more if a running sum goes past it."""
    return max([100.0, *(max(s.start, s.end) for s in steps)])


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
