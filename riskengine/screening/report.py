"""Screening results as plain data: the JSON contract of ``riskengine screen``.

One object per screened input::

    {"input": {"line", "id", "name", "country", "identifier", "birth_date", "nationality"},
     "matches": [{"entity": {"id", "name"}, "matched_name", "score": 0..1, "match": bool,
                  "sources": [{"source", "record_id"}], "features": [{"kind", "detail"}],
                  "risk": {"score", "band", "regimes": {code: status}}}]}

``risk`` comes from a callable passed in (the CLI builds it from the engine), so this module
stays pure. ``screen_stream`` screens an iterable of queries chunk by chunk on every core and
yields each chunk's objects (or what ``finish`` makes of them, in the worker) in input order
as soon as they are done.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import TypeVar

from riskengine.screening.batch import CHUNK, FIRST_CHUNK, stream_chunks, workers_for
from riskengine.screening.match import Candidate, Screener

RiskLookup = Callable[[str], dict[str, object]]
Rows = list[dict[str, object]]
R = TypeVar("R")


@dataclass(frozen=True)
class ScreenQuery:
    """One name to screen, with what else the caller knows about it."""

    name: str
    id: str | None = None
    country: str | None = None
    identifier: str | None = None
    line: int | None = None  # line in the input file, when there is one
    birth_date: str | None = None  # a person's date of birth, ISO (partial) date
    nationality: str | None = None  # a person's nationality, ISO alpha-2


def screen_all(screener: Screener, queries: Sequence[ScreenQuery], limit: int,
               risk_of: RiskLookup | None = None) -> Rows:
    """Screen every query (large batches on every core); one JSON-ready object per query,
    in input order."""
    chunks = screen_stream(screener, queries, limit, risk_of, workers=workers_for(len(queries)),
                           finish=list)
    return [row for rows in chunks for row in rows]


def screen_stream(screener: Screener, queries: Iterable[ScreenQuery], limit: int,
                  risk_of: RiskLookup | None = None, *, workers: int,
                  finish: Callable[[Rows], R], size: int = CHUNK) -> Iterator[R]:
    """``finish(rows)`` of the JSON objects of ``queries``, chunk by chunk in input order,
    screened on ``workers`` processes while later queries are still being read
    (``batch.stream_chunks``). ``finish`` runs in the worker, so a caller can have each
    chunk rendered there (``list``: the objects themselves). Chunks grow to ``size``."""
    def work(chunk: list[ScreenQuery]) -> R:
        return finish([result(q, screener.screen(q.name, q.country, q.identifier, limit,
                                                 q.birth_date, q.nationality),
                              risk_of) for q in chunk])

    return stream_chunks(queries, work, workers, min(FIRST_CHUNK, size), size)


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
