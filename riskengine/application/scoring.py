"""Score one counterparty: as of a date, or reproduced from a stored run; every request is
recorded in the audit log (who, when, what, the result). The CLI and the HTTP API both call
``score``; neither decides anything of its own."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from riskengine.settings import Settings

if TYPE_CHECKING:
    from riskengine.result import ScoreResult


def score(settings: Settings, query: str, as_of: date | None, run: int | None, actor: str,
          today: date | None = None) -> ScoreResult:
    """The explained result for ``query``: from run ``run`` (its own date, facts, rules and
    overrides) or as of ``as_of`` (default ``today``), recorded under ``actor``."""
    from riskengine.application import base, runs, service
    from riskengine.application.reproduce import reproduce
    from riskengine.errors import InputError

    if run is not None:
        if as_of is not None:
            raise InputError("--as-of", "not with --run: a run is reproduced as of its own date")
        result = reproduce(settings, query, run)
    else:
        result = service.score_query(settings, query, as_of or today or base.now().date())
    details = {"query": query, "entity": result.entity.id, "as_of": result.as_of.isoformat(),
               "score": result.score, "band": result.band, "run": result.run}
    runs.record(settings, actor, "score", details)
    return result
