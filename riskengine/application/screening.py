"""Screening use cases: one name, or a stream of queries, against the listed entities.

The entities screened against are the evaluated facts (rule-file scenario plus the database);
each candidate carries its regime verdicts and exposure score, computed once for the whole
graph (``load_screening``: the one place that loads them), and the approved
false_positive/confirmed overrides of the counterparty decide the match.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from riskengine.gcpause import collector_paused

if TYPE_CHECKING:
    from riskengine.overrides import Override
    from riskengine.screening.match import Screener
    from riskengine.screening.report import RiskLookup, ScreenQuery
    from riskengine.settings import Settings

CONFIG_FILE = "screening.yaml"
Rows = list[dict[str, object]]
R = TypeVar("R")


@dataclass(frozen=True)
class Screening:
    """What screening needs, loaded once: the indexed entities, every candidate's risk
    (whole-graph figures, overrides applied) and the approved overrides in force."""

    screener: Screener
    risk_of: RiskLookup
    active: tuple[Override, ...]


def screen_one(settings: Settings, name: str, country: str | None, identifier: str | None,
            limit: int, as_of: date) -> dict[str, object]:
    """The JSON-ready result of screening one name."""
    from riskengine.screening.report import ScreenQuery, result

    loaded = load_screening(settings, as_of)
    query = ScreenQuery(name, country=country, identifier=identifier)
    found = loaded.screener.screen(name, country, identifier, limit)
    return decided(result(query, found, loaded.risk_of), loaded.active)


def screened(loaded: Screening, queries: Iterable[ScreenQuery], limit: int, workers: int,
             finish: Callable[[Rows], R]) -> Iterator[R]:
    """``finish(rows)`` per chunk of ``queries``, their overrides applied (in the worker)."""
    from riskengine.screening.report import screen_stream

    def done(rows: Rows) -> R:
        return finish([decided(row, loaded.active) for row in rows])

    return screen_stream(loaded.screener, queries, limit, loaded.risk_of, workers=workers,
                         finish=done)


def load_screening(settings: Settings, as_of: date) -> Screening:
    """The screener over the evaluated facts, every candidate's risk (whole-graph arrays,
    computed once here) and the approved overrides in force on ``as_of``."""
    from riskengine.application.base import stored_overrides
    from riskengine.application.service import compiled_evaluation, compiled_graph

    with collector_paused(), compiled_graph(settings) as (loaded, rules, _store):
        ev, overrides = compiled_evaluation(loaded, rules, as_of, stored_overrides(settings))
        screener = indexed(settings, loaded)
        risk_of = risk_lookup(ev, overrides, uncovered(settings, ev))
    return Screening(screener, risk_of, tuple(overrides.active))


def indexed(settings: Settings, loaded: Any) -> Screener:
    """The screener over every entity of the compiled graph ``loaded``: its saved index
    (``compiled.screen_index``: keyed by the graph, the screening config and the matcher's
    code, checked when read), else built from every stored entity and saved."""
    from riskengine.application import base
    from riskengine.compiled.screen_index import cached_screener
    from riskengine.compiled.use import cache_root
    from riskengine.store.facts_snapshot import read_entities

    def entities() -> list[Any]:
        return list(loaded.facts.all_entities(read_entities(settings.db_url, settings.lock_wait)))

    found, _why = cached_screener(cache_root(settings), loaded.key,
                                  base.screening_config(settings), entities)
    return found


def uncovered(settings: Settings, ev: Any) -> frozenset[str]:
    """Regimes no stored list (nor the seed) covers on the evaluation day: a clear status
    there is not_covered, as ``score`` says (``riskengine.coverage``)."""
    from riskengine.application.coverage import stored_sources

    return uncovered_in(stored_sources(settings), ev)


def uncovered_in(sources: Any, ev: Any) -> frozenset[str]:
    """``uncovered`` with the stored editions already read (``coverage.Sources``)."""
    found = sources.of(ev.verdicts, ev.as_of, ev.rules.scenario.designations)
    return frozenset(code for code, c in found.items() if not c.covered)


def counterparty_key(text: str) -> str:
    """How a screened name or input id is compared with an override's counterparty."""
    from riskengine.screening.normalise import fold

    return fold(text)


def decided(row: dict[str, object], active: Sequence[Override]) -> dict[str, object]:
    """``row`` with approved false_positive/confirmed overrides of its counterparty applied:
    the match decision follows the override, which is named among the match's features."""
    from riskengine.overrides import applied_flag, screening_decision

    given: dict[str, Any] = row["input"]  # type: ignore[assignment]
    keys = [counterparty_key(str(v)) for v in (given.get("name"), given.get("id")) if v]
    for match in _matches(row):
        o = screening_decision(active, match["entity"]["id"], keys, counterparty_key)
        if o is not None:
            match["match"] = o.kind == "confirmed"
            match["decision"] = o.kind
            match["features"] = [*match["features"],
                                 {"kind": "override", "detail": applied_flag(o)}]
    return row


def risk_lookup(ev: object, overrides: object = None, uncovered: frozenset[str] = frozenset()
                ) -> RiskLookup:
    """``risk_of(entity_id)``: score, band and regime statuses of the whole-graph arrays,
    computed here once for every entity, with the approved overrides applied: the same
    figures ``score`` explains (``score_all`` and ``score_entity`` agree to the cent). Each
    entity's figures are made once per process, when first asked for."""
    from riskengine.engine import Evaluation, Overrides, regime_order, score_everything

    assert isinstance(ev, Evaluation)
    assert overrides is None or isinstance(overrides, Overrides)
    verdicts = {code: ev.verdicts[code] for code in regime_order(ev.rules, list(ev.verdicts))}
    table, index = score_everything(ev, overrides), ev.graph.index
    made: dict[str, dict[str, object]] = {}  # holds no reference to ``ev`` or the facts

    def risk_of(entity_id: str) -> dict[str, object]:
        if entity_id not in made:
            i = index[entity_id]
            made[entity_id] = {"score": float(table.score[i]), "band": table.band_of(i),
                               "regimes": {c: _covered(c, v.status(i), uncovered)
                                           for c, v in verdicts.items()}}
        return made[entity_id]

    return risk_of


def _covered(code: str, status: str, uncovered: frozenset[str]) -> str:
    return "not_covered" if status == "clear" and code in uncovered else status


def _matches(row: dict[str, object]) -> list[dict[str, Any]]:
    found = row["matches"]
    return found if isinstance(found, list) else []
