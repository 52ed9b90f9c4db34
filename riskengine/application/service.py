"""The I/O shell behind the CLI: loads rules and stored facts, calls the pure core."""

from __future__ import annotations

from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from riskengine.application import base
from riskengine.settings import Settings

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from riskengine.compiled.use import Loaded
    from riskengine.coverage import Sources
    from riskengine.derive.base import RegimeArrays
    from riskengine.domain import Dataset
    from riskengine.engine import Evaluation, Overrides
    from riskengine.ingest.merge import MergeMap
    from riskengine.overrides import Override
    from riskengine.result import ScoreResult
    from riskengine.ruleset.models import RuleSet
    from riskengine.screening.match import Screener
    from riskengine.store.store import Store


def load_facts(settings: Settings, rules: RuleSet) -> Dataset:
    """Rule-file scenario facts plus everything ingested into the database."""
    from riskengine.engine import combine

    store = base.open_store(settings)
    try:
        return combine(rules, store.load_dataset())
    finally:
        store.close()


def merged_facts(settings: Settings, rules: RuleSet, stored: Dataset | None = None
                 ) -> tuple[Dataset, Dataset, MergeMap]:
    """(facts as stored, facts with each cluster of entities merged, the merge map).
    ``stored``: the database's facts when already loaded (or from a run's snapshot). A
    cluster keeps the id of its scenario entity, else of its record stored first (stable)."""
    from riskengine.engine import combine
    from riskengine.ingest.merge import merge_dataset

    with base.open_store(settings) as store:
        ranks = store.first_seen()  # never updated: also right for a past run's snapshot
        facts = combine(rules, store.load_dataset() if stored is None else stored)
    prefer = frozenset(e.id for e in rules.scenario.entities)
    merged, mm = merge_dataset(facts, base.merge_rules(settings), prefer, ranks)
    return facts, merged, mm


def _evaluate(settings: Settings, as_of: date, stored: Dataset | None = None
              ) -> tuple[Evaluation, Dataset, MergeMap]:
    from riskengine.engine import evaluate
    from riskengine.graph import GraphData

    rules = base.load_rules(settings)
    _raw, facts, mm = merged_facts(settings, rules, stored)
    return evaluate(GraphData.from_dataset(facts), rules, as_of), facts, mm


@contextmanager
def compiled_graph(settings: Settings, store: Store | None = None
                   ) -> Iterator[tuple[Loaded, RuleSet, Store]]:
    """The compiled graph of the store and rules in use (built when missing, stale or
    corrupt), with the rules and the open store its explanations read from (``store``, or
    one opened here)."""
    from riskengine.compiled.use import open_graph

    rules = base.load_rules(settings)
    with nullcontext(store) if store is not None else base.open_store(settings) as opened:
        yield (open_graph(settings, opened, rules, base.rules_dir(settings),
                          base.merge_rules(settings, opened)),
               rules, opened)


def compiled_evaluation(loaded: Loaded, rules: RuleSet, as_of: date,
                        overrides: list[Override], settings: Settings | None = None
                        ) -> tuple[Evaluation, Overrides]:
    """Whole-graph verdicts of a compiled graph with ``overrides`` (manual statuses set).
    With ``settings``: the verdicts the day's kept book holds (``rescore`` keeps one beside
    the graph), when it is there and intact, instead of deriving them again."""
    from riskengine.compiled.facts import facts_about
    from riskengine.engine import Evaluation, evaluate, with_overrides

    derived = _kept_verdicts(settings, loaded, as_of, overrides) if settings else None
    ev = (evaluate(loaded.data, rules, as_of) if derived is None
          else Evaluation(loaded.data.at(as_of), rules, derived))
    facts = facts_about(loaded.facts, loaded.data, [o.entity_id for o in overrides])
    return with_overrides(ev, facts, overrides)


def _kept_verdicts(settings: Settings, loaded: Loaded, as_of: date,
                   overrides: list[Override]) -> dict[str, RegimeArrays] | None:
    """The verdicts as derived of the book kept for this graph, rules, day and overrides
    (``compiled.scores``: its key names them all, and the code that derived them)."""
    from riskengine.compiled import scores
    from riskengine.compiled.use import cache_root

    key = scores.score_key(loaded.key, loaded.rules, as_of, overrides)
    return scores.load_derived(cache_root(settings) / loaded.key, key, loaded.data.ids)


def evaluation(settings: Settings, as_of: date, stored: Dataset | None = None
               ) -> tuple[Evaluation, Dataset]:
    """Verdicts of the whole graph (entities on several lists merged) and the facts used."""
    ev, facts, _mm = _evaluate(settings, as_of, stored)
    return ev, facts


def score_query(settings: Settings, query: str, as_of: date) -> ScoreResult:
    """Resolve ``query`` to one entity and score it with explanations.

    Exact id, name or alias first; failing that, the screening matcher: one confident match
    is scored (the result says how it matched), several candidates are an AmbiguousError.
    The entity's approved overrides are applied (``riskengine.overrides``); every verdict
    names the stored editions it rests on (``riskengine.coverage``).
    """
    from riskengine.application.base import stored_overrides
    from riskengine.application.coverage import stored_sources

    return scored(settings, query, as_of, stored_overrides(settings),
                  sources=stored_sources(settings))


def scored(settings: Settings, query: str, as_of: date, overrides: list[Override],
           stored: Dataset | None = None, sources: Sources | None = None) -> ScoreResult:
    """``score_query`` with the ``overrides`` given (and the stored facts, when given);
    ``sources``: the editions behind the coverage of each verdict (none: no coverage)."""
    from riskengine.engine import score, with_overrides

    if stored is None:
        return _scored_compiled(settings, query, as_of, overrides, sources)
    ev, facts, mm = _evaluate(settings, as_of, stored)
    entity_id, how = _resolve(settings, facts, mm, query)
    ev, found = with_overrides(ev, facts, overrides)
    return score(ev, entity_id, found, sources).model_copy(update={"match": how})


def _scored_compiled(settings: Settings, query: str, as_of: date, overrides: list[Override],
                     sources: Sources | None) -> ScoreResult:
    """``scored`` on the compiled graph: only the entity's neighbourhood is read as objects."""
    from riskengine.engine import score

    with compiled_graph(settings) as (loaded, rules, _store):
        entity_id, how = _resolve_compiled(settings, loaded, query)
        ev, found = compiled_evaluation(loaded, rules, as_of, overrides, settings)
        return score(ev, entity_id, found, sources).model_copy(update={"match": how})


@dataclass(frozen=True)
class Found:
    """The entity a query names, resolved on the compiled graph: its id, how it matched, its
    member records (head first) and the facts an override's fingerprint reads
    (``compiled.facts.facts_about``); ``regimes``: every regime the data's designations name."""

    entity_id: str
    how: str
    members: tuple[str, ...]
    facts: Dataset
    regimes: frozenset[str]


def find_entity(settings: Settings, query: str, loaded: Loaded | None = None) -> Found:
    """The one entity ``query`` names exactly (id, record id, name or alias), from the
    compiled graph (``loaded``, or the one of the store in use): NotFoundError or
    AmbiguousError otherwise (no fuzzy fallback)."""
    if loaded is None:
        with compiled_graph(settings) as (opened, _rules, _store):
            return find_entity(settings, query, opened)
    from riskengine.compiled.facts import facts_about
    from riskengine.compiled.use import lookup
    from riskengine.errors import NotFoundError

    if not lookup(loaded, query):
        raise NotFoundError(f"no entity named {query!r} (try an id, a name or an alias)")
    entity_id, how = _resolve_compiled(settings, loaded, query)
    members = tuple(loaded.facts.members(loaded.facts.index[entity_id]))
    regimes = frozenset(loaded.compiled["designations"].column("regime").unique().to_pylist())
    return Found(entity_id, how, members, facts_about(loaded.facts, loaded.data, [entity_id]),
                 regimes)


def facts_of(settings: Settings, entity_ids: list[str]) -> Dataset:
    """``facts_about`` these entities, from the compiled graph (ids not in it: left out)."""
    from riskengine.compiled.facts import facts_about

    with compiled_graph(settings) as (loaded, _rules, _store):
        return facts_about(loaded.facts, loaded.data, entity_ids)


def _resolve_compiled(settings: Settings, loaded: Loaded, query: str) -> tuple[str, str]:
    """``_resolve`` on a compiled graph's id and name look-up; the fuzzy fallback reads every
    stored entity (it needs them all)."""

    def fallback(text: str) -> tuple[str, str]:
        _raw, facts, _mm = merged_facts(settings, base.load_rules(settings))
        return _fuzzy(settings, facts, text)

    return resolve_on(loaded, query, fallback)


def resolve_on(loaded: Loaded, query: str, fallback: Callable[[str], tuple[str, str]]
               ) -> tuple[str, str]:
    """(entity id, how it matched) by the compiled graph's exact look-up; ``fallback(query)``
    when nothing matches exactly (the fuzzy matcher)."""
    from riskengine.compiled.use import lookup
    from riskengine.errors import AmbiguousError

    found = lookup(loaded, query)
    ids = loaded.facts.ids
    if len(found) > 1:
        candidates = [(ids[i], loaded.facts.names[i]) for i in found]
        raise AmbiguousError(f"{query!r} matches {len(found)} entities", candidates)
    if not found:
        return fallback(query)
    how = "id" if query in loaded.facts.members(found[0]) else "exact name or alias"
    return ids[found[0]], f"{how}: {query!r}"


def _resolve(settings: Settings, facts: Dataset, mm: MergeMap, query: str) -> tuple[str, str]:
    """(entity id, how it was matched): exact id/name/alias, else the screening matcher."""
    from riskengine.engine import find
    from riskengine.errors import NotFoundError
    from riskengine.names import NameIndex

    try:
        entity = find(NameIndex(facts.entities), mm.resolve(query))
    except NotFoundError:
        return _fuzzy(settings, facts, query)
    how = "id" if query in (entity.id, *mm.members.get(entity.id, ())) else "exact name or alias"
    return entity.id, f"{how}: {query!r}"


def _fuzzy(settings: Settings, facts: Dataset, query: str) -> tuple[str, str]:
    """The screening matcher's single confident match, or the candidates as an error."""
    from riskengine.application.base import screening_config as load_config
    from riskengine.screening.match import Screener

    return fuzzy_on(Screener.build(facts.entities, load_config(settings)), query)


def fuzzy_on(screener: Screener, query: str) -> tuple[str, str]:
    """``_fuzzy`` with a screener already built (the service keeps one per data version)."""
    from riskengine.errors import AmbiguousError, NotFoundError
    from riskengine.screening.match import fallback_match

    best = fallback_match(screener, query)
    if best is not None:
        return best.entity_id, (f"fuzzy match {best.confidence:.2f} on {best.matched_name!r} "
                                f"for {query!r} (no exact name or alias)")
    found = [c for c in screener.screen(query, limit=5) if c.confidence > 0]
    if not found:
        raise NotFoundError(f"no entity named {query!r} (try an id, a name or an alias)")
    candidates = [(c.entity_id, f"{c.entity_name} ({c.confidence:.2f})") for c in found]
    raise AmbiguousError(f"no exact match for {query!r}; closest candidates", candidates)


# --- rule files of ingestion and entity resolution -----------------------------------------

# --- official lists ------------------------------------------------------------------------
