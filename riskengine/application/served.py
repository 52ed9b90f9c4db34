"""Use cases of the HTTP service on its warm version (``application.warm``): the same
answers as ``application.scoring`` and ``application.screening``, without loading anything
per request. The rest of the service's endpoints call the other use-case modules directly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from riskengine.application import base
from riskengine.application.warm import Version, Warm

if TYPE_CHECKING:
    from riskengine.application.users import User
    from riskengine.result import ScoreResult
    from riskengine.screening.report import ScreenQuery


@dataclass(frozen=True)
class Answer:
    """An explained score as the service sends it: the JSON body, and what its audit entry
    records (``details``)."""

    body: bytes
    details: dict[str, object]


def kept_answer(warm: Warm, v: Version, query: str, as_of: date | None, run: int | None
                ) -> Answer | None:
    """The answer already given to this question on ``v`` (same query text and date), or
    None: a repeated question costs a look-up (bounded LRU, ``results_kept``)."""
    if run is not None or warm.config.results_kept == 0:
        return None
    return warm.answers.peek((v.stamp, as_of or base.now().date(), query))


def quick(warm: Warm, v: Version, as_of: date | None, run: int | None) -> bool:
    """Whether ``answer`` costs about a millisecond here: a small graph (``inline_entities``
    in service.yaml) whose evaluation of the date is kept, no run reproduced (the HTTP
    adapter then makes it on its event loop instead of in a worker thread)."""
    return (run is None and len(v.loaded.data.ids) <= warm.config.inline_entities
            and v.evaluated(as_of or base.now().date()))


def answer(warm: Warm, v: Version, query: str, as_of: date | None, run: int | None
           ) -> Answer:
    """``application.scoring.score`` on ``v``: the explained result (from run ``run``, or as
    of ``as_of``, default today), serialised once and kept (``kept_answer``). The caller
    records it (``record``) before returning it."""
    from riskengine.errors import InputError

    if run is not None:
        from riskengine.application.reproduce import reproduce

        if as_of is not None:
            raise InputError("as_of", "not with run: a run is reproduced as of its own date")
        return _answer(query, reproduce(warm.settings, query, run))
    day = as_of or base.now().date()
    made = _answer(query, _warm_score(warm, v, query, day))
    if warm.config.results_kept:
        warm.answers.put((v.stamp, day, query), made)
    return made


def _answer(query: str, result: ScoreResult) -> Answer:
    details = {"query": query, "entity": result.entity.id, "as_of": result.as_of.isoformat(),
               "score": result.score, "band": result.band, "run": result.run, "via": "api"}
    return Answer(result.to_json_bytes(), details)


def record(warm: Warm, v: Version, user: User, given: Answer,
           done: Callable[[Any, BaseException | None], object]) -> None:
    """Queue the audit entry of ``given`` under the user's name; ``done(entry, error)`` once
    it is committed (``audit_writer``: the answer leaves only after that)."""
    warm.audit.submit(user.name, "score", given.details, {"data_version": v.stamp.data},
                      v.files, base.now(), done)


def score(warm: Warm, v: Version, query: str, as_of: date | None, run: int | None,
          user: User) -> bytes:
    """``answer`` (or the kept one) recorded in the audit log, waiting for the commit (the
    HTTP adapter does the same without holding a thread)."""
    given = kept_answer(warm, v, query, as_of, run) or answer(warm, v, query, as_of, run)
    warm.audit.append(user.name, "score", given.details, {"data_version": v.stamp.data},
                      v.files, base.now())
    return given.body


def _warm_score(warm: Warm, v: Version, query: str, day: date) -> ScoreResult:
    from riskengine.application.service import fuzzy_on, resolve_on
    from riskengine.engine import score as explained

    def fuzzy(text: str) -> tuple[str, str]:
        return fuzzy_on(v.screening(warm.settings, day).screener, text)

    entity_id, how = resolve_on(v.loaded, query, fuzzy)

    def make() -> ScoreResult:
        ev, found = v.evaluation(day)
        return explained(ev, entity_id, found, v.sources)

    return warm.result(v, (day, entity_id), make).model_copy(update={"match": how})


def screen_one(warm: Warm, v: Version, query: ScreenQuery, limit: int, as_of: date
               ) -> dict[str, object]:
    """The JSON object of screening one name (``application.screening.screen_one``)."""
    from riskengine.application.screening import decided
    from riskengine.screening.report import result

    loaded = v.screening(warm.settings, as_of)
    found = loaded.screener.screen(query.name, query.country, query.identifier, limit,
                                   query.birth_date, query.nationality)
    return decided(result(query, found, loaded.risk_of), loaded.active)


def screen_many(warm: Warm, v: Version, queries: Iterable[ScreenQuery], limit: int,
                as_of: date) -> Iterator[list[dict[str, Any]]]:
    """The JSON objects of ``queries``, chunk by chunk as they are screened (in this
    process: the server's threads share the machine, no worker processes per request)."""
    from riskengine.application.screening import screened

    loaded = v.screening(warm.settings, as_of)
    return screened(loaded, queries, limit, 1, lambda rows: rows)
