"""Screening results as plain data: the JSON contract of ``riskengine screen``.

One object per screened input::

    {"input": {"line", "id", "name", "country", "identifier"},
     "matches": [{"entity": {"id", "name"}, "matched_name", "score": 0..1, "match": bool,
                  "sources": [{"source", "record_id"}], "features": [{"kind", "detail"}],
                  "risk": {"score", "band", "regimes": {code: status}}}]}

``risk`` comes from a callable passed in (the CLI builds it from the engine), so this module
stays pure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

from riskengine.screening.batch import screen_many
from riskengine.screening.match import Candidate, Screener

RiskLookup = Callable[[str], dict[str, object]]


@dataclass(frozen=True)
class ScreenQuery:
    """One name to screen, with what else the caller knows about it."""

    name: str
    id: str | None = None
    country: str | None = None
    identifier: str | None = None
    line: int | None = None  # line in the input file, when there is one


def screen_all(screener: Screener, queries: Sequence[ScreenQuery], limit: int,
               risk_of: RiskLookup | None = None) -> list[dict[str, object]]:
    """Screen every query (large batches on every core); one JSON-ready object per query,
    in input order."""
    found = screen_many(screener, [(q.name, q.country, q.identifier, limit) for q in queries])
    return [result(q, candidates, risk_of) for q, candidates in zip(queries, found, strict=True)]


def result(query: ScreenQuery, found: Sequence[Candidate], risk_of: RiskLookup | None = None
           ) -> dict[str, object]:
    """The JSON object of one screened query."""
    given = {k: v for k, v in asdict(query).items() if v is not None}
    return {"input": given, "matches": [candidate_json(c, risk_of) for c in found]}


def candidate_json(found: Candidate, risk_of: RiskLookup | None = None) -> dict[str, object]:
    """The JSON object of one candidate, with its risk when ``risk_of`` is given."""
    out: dict[str, object] = {
        "entity": {"id": found.entity_id, "name": found.entity_name},
        "matched_name": found.matched_name,
        "score": found.confidence,
        "match": found.match,
        "sources": [s.model_dump() for s in found.sources],
        "features": [f.model_dump() for f in found.features],
    }
    if risk_of is not None:
        out["risk"] = risk_of(found.entity_id)
    return out
