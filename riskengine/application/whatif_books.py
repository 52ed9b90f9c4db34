"""The two whole-book scorings of a dry run (issue 16): the book under the rules in use,
kept beside the compiled graph (``compiled.scores``: read when intact, else scored and
kept), and the book under the proposed rules, on the graph in use when their scenario's
entities and the merges are the same (the proposed scenario's facts taken out of and
appended to its arrays), its tie exposure updated from the kept one (``exposure.reuse``);
on the proposed rules' own compiled graph otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from riskengine.application import base, service
from riskengine.settings import Settings

if TYPE_CHECKING:
    from riskengine.compiled.use import Loaded
    from riskengine.derive.base import RegimeArrays
    from riskengine.domain import Dataset
    from riskengine.engine import Evaluation, Overrides
    from riskengine.exposure.score import ScoreTable
    from riskengine.graph import BoolArray, Graph, GraphData, IntArray
    from riskengine.overrides import Override
    from riskengine.ruleset.models import RuleSet
    from riskengine.runs.whatif import Book
    from riskengine.store.store import Store


def books(settings: Settings, other: Settings, store: Store, as_of: date
           ) -> tuple[Book, Book, str]:
    """(the book under the rules in use, under the proposed ones, which graph was used:
    ``shared``, ``shared+ties`` (the proposed scenario's new ties appended),
    ``shared+edits`` or ``own``). The book under the rules in use is the one kept with the
    compiled graph when there is one (``compiled.scores``); on a graph in use, the proposed
    rules' tie exposure is updated from it (``exposure.reuse``)."""
    overrides = base.stored_overrides(settings, store=store)
    new_rules = base.load_rules(other)
    merges = base.merge_rules(settings, store) == base.merge_rules(other, store)
    with service.compiled_graph(settings, store) as (loaded, rules, _store):
        now = current_book(settings, loaded, rules, as_of, overrides)
        before = _book_of(loaded, now)
        if merges and rules.scenario == new_rules.scenario:
            known = now.derived if new_rules.regimes == rules.regimes else None
            ev = _evaluation(now.ev.graph, new_rules, known)
            after = _reused(loaded, ev, overrides, now, _nothing(now))
            return before, _book_of(loaded, after), "shared"
        edits = _scenario_edits(loaded, rules.scenario, new_rules.scenario, overrides) \
            if merges else None
        if edits is not None:
            data, how = _edited(loaded, *edits)
            ev = _evaluation(data.at(as_of), new_rules, None)
            after = _reused(loaded, ev, overrides, now, _touched(loaded, now, *edits))
            return before, _book_of(loaded, after), how
    with service.compiled_graph(other, store) as (own, own_rules, _store):
        return before, book(own, derived(own.data, own_rules, as_of), overrides), "own"


@dataclass(frozen=True)
class Scored:
    """One whole-book scoring: the evaluation (manual statuses set) and its overrides, the
    score table, the raw tie exposure cents and the verdicts as derived."""

    ev: Evaluation
    found: Overrides
    table: ScoreTable
    ties: dict[str, IntArray]
    derived: dict[str, RegimeArrays]


def current_book(settings: Settings, loaded: Loaded, rules: RuleSet, as_of: date,
             overrides: list[Override]) -> Scored:
    """The book under the rules in use: the kept one if intact, else scored and kept (by
    ``rescore`` as well, so that the day's first dry run reads the book the rescore made)."""
    from riskengine.compiled import scores
    from riskengine.compiled.use import cache_root

    folder = cache_root(settings) / loaded.key
    key = scores.score_key(loaded.key, loaded.rules, as_of, overrides)
    graph = loaded.data.at(as_of)
    kept, _why = scores.load(folder, key, graph.ids)
    if kept is not None:
        ev, found = _overridden(loaded, _evaluation(graph, rules, kept.derived), overrides)
        return Scored(ev, found, kept.table, kept.ties, kept.derived)
    made = _scratch(loaded, _evaluation(graph, rules, None), overrides)
    scores.save(folder, key, scores.Kept(made.derived, made.table, made.ties))
    return made


def _evaluation(graph: Graph, rules: RuleSet, derived: dict[str, RegimeArrays] | None
                ) -> Evaluation:
    """``engine.evaluate`` on a graph as of its day (``derived``: its verdicts, known)."""
    from riskengine.derive.verdicts import derive_all
    from riskengine.engine import Evaluation

    return Evaluation(graph, rules, derive_all(graph, rules.regimes) if derived is None
                      else derived)


def _overridden(loaded: Loaded, ev: Evaluation, overrides: list[Override]
                ) -> tuple[Evaluation, Overrides]:
    from riskengine.compiled.facts import facts_about
    from riskengine.engine import with_overrides

    facts = facts_about(loaded.facts, loaded.data, [o.entity_id for o in overrides])
    return with_overrides(ev, facts, overrides)


def _scratch(loaded: Loaded, plain: Evaluation, overrides: list[Override]) -> Scored:
    """The book of ``plain`` (verdicts as derived) scored from scratch."""
    from riskengine.engine import score_everything
    from riskengine.exposure.score import tie_cents

    ev, found = _overridden(loaded, plain, overrides)
    ties = tie_cents(ev.graph, ev.verdicts, ev.rules.scoring)
    return Scored(ev, found, score_everything(ev, found, ties), ties, plain.verdicts)


def _reused(loaded: Loaded, plain: Evaluation, overrides: list[Override], now: Scored,
            touched: BoolArray) -> Scored:
    """The book of ``plain`` with its tie exposure updated from the book ``now``."""
    from riskengine.engine import score_everything
    from riskengine.exposure.reuse import Side, updated_ties

    ev, found = _overridden(loaded, plain, overrides)
    ties = updated_ties(Side(now.ev.graph, now.ev.verdicts, now.ev.rules.scoring),
                        Side(ev.graph, ev.verdicts, ev.rules.scoring), now.ties, touched)
    return Scored(ev, found, score_everything(ev, found, ties), ties, plain.verdicts)


def _nothing(now: Scored) -> BoolArray:
    import numpy as np

    return np.zeros(now.ev.graph.n, dtype=np.bool_)


def _touched(loaded: Loaded, now: Scored, added: Dataset, removed: Dataset) -> BoolArray:
    """Every entity a fact added or removed names (all of them if one is not in the graph)."""
    import numpy as np

    index, mask = now.ev.graph.index, _nothing(now)
    for ds in (added, removed):
        refs = [*(d.entity_id for d in ds.designations),
                *(r for f in ds.ownerships for r in (f.owner, f.asset)),
                *(r for f in ds.controls for r in (f.controller, f.controlled)),
                *(r for f in ds.relationships for r in (f.a, f.b))]
        for ref in refs:
            at = index.get(graph_id(loaded, ref) or ref)
            if at is None:
                return np.ones(now.ev.graph.n, dtype=np.bool_)
            mask[at] = True
    return mask


def _book_of(loaded: Loaded, scored: Scored) -> Book:
    from riskengine.runs.whatif import Book

    return Book(scored.table, scored.ev.verdicts, loaded.facts.name_column,
                loaded.facts.clusters())


_FACTS = ("designations", "ownerships", "controls", "relationships")


def _scenario_edits(loaded: Loaded, old: Dataset, new: Dataset, overrides: list[Override]
                    ) -> tuple[Dataset, Dataset] | None:
    """(facts ``new`` adds, facts it removes; an edited fact is both) when the scenario's
    entities are the same (so are the merges) and no fact added or removed is one an
    override's fingerprint reads (a designation of, or a stake or control into, an entity
    with an override): the new scenario's graph is then the current one with the removed
    facts' rows taken out and the added ones appended. None otherwise."""
    from riskengine.domain import Dataset as Facts

    if old.entities != new.entities:
        return None
    added, removed = (Facts(**{s: _missing(getattr(a, s), getattr(b, s)) for s in _FACTS})
                      for a, b in ((new, old), (old, new)))
    touched = {graph_id(loaded, ref) or ref for ds in (added, removed)
               for ref in (*(d.entity_id for d in ds.designations),
                           *(f.asset for f in ds.ownerships),
                           *(f.controlled for f in ds.controls))}
    return None if touched & {o.entity_id for o in overrides} else (added, removed)


def _missing(facts: tuple[Any, ...], other: tuple[Any, ...]) -> tuple[Any, ...]:
    """The facts of ``facts`` not in ``other``, in order."""
    known = set(other)
    return tuple(f for f in facts if f not in known)


def _edited(loaded: Loaded, added: Dataset, removed: Dataset) -> tuple[GraphData, str]:
    """The compiled graph in use with ``removed``'s scenario rows out and ``added`` appended;
    ``shared+ties`` when ties were only added, ``shared+edits`` otherwise."""
    from riskengine.compiled.whatif import with_facts, without_facts

    data = loaded.data
    if any(getattr(removed, s) for s in _FACTS):
        rows = {family: _scenario_rows(loaded, family, [f.id for f in getattr(removed, s)])
                for family, s in _FAMILY_OF.items()}
        data = without_facts(data, rows, removed.designations)
    data = with_facts(data, added, lambda ref: graph_id(loaded, ref) or ref)
    only_ties = not added.designations and not any(getattr(removed, s) for s in _FACTS)
    return data, "shared+ties" if only_ties else "shared+edits"


_FAMILY_OF = {"designations": "designations", "ownership": "ownerships", "control": "controls",
              "relation": "relationships"}


def _scenario_rows(loaded: Loaded, family: str, fact_ids: list[str]) -> list[int]:
    """Rows of compiled table ``family`` holding these scenario facts (scenario rows come
    first, so only they are read)."""
    import numpy as np

    from riskengine.compiled.arrays import column
    from riskengine.compiled.build import SCENARIO

    table = loaded.compiled[family]
    at = np.flatnonzero(column(table, "origin") == SCENARIO)
    facts = table.column("fact").take(at).to_pylist()
    wanted = set(fact_ids)
    return [int(k) for k, fact in zip(at.tolist(), facts, strict=True) if fact in wanted]


def derived(data: GraphData, rules: RuleSet, as_of: date) -> Evaluation:
    from riskengine.engine import evaluate

    return evaluate(data, rules, as_of)


def book(loaded: Loaded, ev: Evaluation, overrides: list[Override]) -> Book:
    """The whole book scored from ``ev`` with the overrides (manual statuses, caps)."""
    from riskengine.compiled.facts import facts_about
    from riskengine.engine import score_everything, with_overrides
    from riskengine.runs.whatif import Book

    facts = facts_about(loaded.facts, loaded.data, [o.entity_id for o in overrides])
    ev, found = with_overrides(ev, facts, overrides)
    return Book(score_everything(ev, found), ev.verdicts, loaded.facts.name_column,
                loaded.facts.clusters())


def graph_id(loaded: Loaded, ref: str) -> str | None:
    """The graph entity holding record ``ref`` (itself, or the entity it was merged into)."""
    from riskengine.compiled.use import lookup

    found = lookup(loaded, ref)
    if len(found) == 1 and ref in loaded.facts.members(found[0]):
        return loaded.facts.ids[found[0]]
    return None
