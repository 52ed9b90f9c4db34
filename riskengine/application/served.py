"""Use cases of the HTTP service on its warm version (``application.warm``): the same
answers as ``application.scoring`` and ``application.screening``, without loading anything
per request. The rest of the service's endpoints call the other use-case modules directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from riskengine.application import base
from riskengine.application.warm import Version, Warm

if TYPE_CHECKING:
    from riskengine.application.users import User
    from riskengine.result import ScoreResult
    from riskengine.screening.report import ScreenQuery


def score(warm: Warm, v: Version, query: str, as_of: date | None, run: int | None,
          user: User) -> ScoreResult:
    """``application.scoring.score`` on ``v``: the explained result (from run ``run``, or as
    of ``as_of``, default today), recorded in the audit log under the user's name before it
    is returned."""
    from riskengine.errors import InputError

    if run is not None:
        from riskengine.application.reproduce import reproduce

        if as_of is not None:
            raise InputError("as_of", "not with run: a run is reproduced as of its own date")
        result = reproduce(warm.settings, query, run)
    else:
        result = _warm_score(warm, v, query, as_of or base.now().date())
    details = {"query": query, "entity": result.entity.id, "as_of": result.as_of.isoformat(),
               "score": result.score, "band": result.band, "run": result.run, "via": "api"}
    warm.audit.append(user.name, "score", details, {"data_version": v.stamp.data}, v.files,
                      base.now())
    return result


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
