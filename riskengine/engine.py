"""The pure core's front door: facts + rules + a date -> verdicts and explained scores.

No I/O here: the CLI loads the rules and the stored facts and passes them in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from riskengine.coverage import Sources, coverage_flags, with_coverage
from riskengine.derive.base import RegimeArrays
from riskengine.derive.explain import explain_verdict
from riskengine.derive.verdicts import derive_all, verdict_flags
from riskengine.domain import Dataset, Entity
from riskengine.errors import AmbiguousError, InputError, NotFoundError
from riskengine.exposure.score import ScoreTable, score_all, score_entity
from riskengine.graph import BoolArray, Graph, GraphData, IntArray
from riskengine.names import NameIndex
from riskengine.overrides import (
    Override,
    apply_overrides,
    cap_table,
    distant_override,
    fingerprints,
    force_verdicts,
    in_force,
    manual,
    override_verdict,
)
from riskengine.result import DistantOverride, RegimeVerdict, ScoreResult
from riskengine.ruleset.models import RuleSet


@dataclass(frozen=True)
class Evaluation:
    """Whole-graph verdicts of every regime as of one day.

    ``verdicts`` are what scoring uses: the derived verdicts with the active manual status
    overrides ``manual`` set on them; ``derived`` keeps the verdicts as derived (explanations
    of an overridden verdict show both)."""

    graph: Graph
    rules: RuleSet
    verdicts: dict[str, RegimeArrays]
    derived: dict[str, RegimeArrays] | None = None
    manual: tuple[Override, ...] = ()

    @property
    def as_of(self) -> date:
        return self.graph.as_of


def combine(rules: RuleSet, stored: Dataset) -> Dataset:
    """Scenario facts from the rule files plus ingested facts; ids must not clash."""
    clashes = rules.scenario.clashes(stored)
    if clashes:
        raise InputError("database", f"entity ids defined both in rule files and in the "
                                     f"database: {', '.join(clashes[:5])}")
    return rules.scenario.merged(stored)


def evaluate(data: GraphData, rules: RuleSet, as_of: date) -> Evaluation:
    """Derive every regime's verdicts for the whole graph (array implementation)."""
    graph = data.at(as_of)
    return Evaluation(graph, rules, derive_all(graph, rules.regimes))


def with_manual_status(ev: Evaluation, active: Iterable[Override]) -> Evaluation:
    """``ev`` with the active manual status overrides set on its verdicts."""
    chosen = tuple(o for o in manual(active).values()
                   if o.entity_id in ev.graph.index and (o.regime or "") in ev.verdicts)
    if not chosen:
        return ev
    derived = ev.derived or ev.verdicts
    return replace(ev, verdicts=force_verdicts(derived, ev.graph.index, chosen),
                   derived=derived, manual=chosen)


@dataclass(frozen=True)
class Overrides:
    """Stored overrides (as known at some time) and the facts fingerprints they are
    checked against; ``active``: those in force on the evaluation day."""

    stored: tuple[Override, ...] = ()
    prints: dict[str, str] | None = None
    active: tuple[Override, ...] = ()


def with_overrides(ev: Evaluation, facts: Dataset, stored: Iterable[Override]
                   ) -> tuple[Evaluation, Overrides]:
    """``ev`` with the active manual statuses set, and the overrides for scoring."""
    found = tuple(stored)
    prints = fingerprints(facts, {o.entity_id for o in found}, ev.as_of)
    active = tuple(in_force(found, ev.as_of, prints))
    return with_manual_status(ev, active), Overrides(found, prints, active)


def find(index: NameIndex, query: str) -> Entity:
    """The one entity a query names; NotFoundError or AmbiguousError otherwise."""
    found = index.lookup(query)
    if not found:
        raise NotFoundError(f"no entity named {query!r} (try an id, a name or an alias)")
    if len(found) > 1:
        candidates = [(e.id, e.name) for e in found]
        raise AmbiguousError(f"{query!r} matches {len(found)} entities", candidates)
    return found[0]


def regime_order(rules: RuleSet, codes: list[str]) -> list[str]:
    """Regimes in the order the rule file lists them, then any others alphabetically."""
    configured = [r.code for r in rules.regimes.regimes]
    return [c for c in configured if c in codes] + sorted(set(codes) - set(configured))


def regime_verdicts(ev: Evaluation, i: int, sources: Sources | None = None
                    ) -> dict[str, RegimeVerdict]:
    """Explained verdict of entity ``i`` per regime; a manual status replaces the derived
    verdict (which stays as evidence). With ``sources`` (the stored editions) each verdict
    names its coverage, and a clear one without any data for the date is not_covered."""
    derived = ev.derived or ev.verdicts
    found = {code: explain_verdict(ev.graph, derived[code],
                                   ev.rules.regimes.params(code, ev.as_of), i)
             for code in regime_order(ev.rules, list(ev.verdicts))}
    for o in ev.manual:
        if o.entity_id == ev.graph.ids[i] and o.regime in found:
            found[o.regime] = override_verdict(found[o.regime], o)
    if sources is None:
        return found
    covered = sources.of(found, ev.as_of, ev.rules.scenario.designations)
    return {code: with_coverage(v, covered[code]) for code, v in found.items()}


def score(ev: Evaluation, entity_id: str, overrides: Overrides | None = None,
          sources: Sources | None = None) -> ScoreResult:
    """Explained score of one entity: verdict per regime, contributions, flags; with the
    entity's ``overrides`` applied (``ev`` from ``with_overrides``), the manual statuses on
    other entities that changed it named (``overrides_elsewhere``), and with ``sources`` the
    coverage of every regime (``riskengine.coverage``)."""
    i = ev.graph.index[entity_id]
    verdicts = regime_verdicts(ev, i, sources)
    result = _own_overrides(ev, _scored(ev, i, verdicts), overrides)
    distant = tuple(_distant(ev, i, verdicts, overrides, result.score))
    return result.model_copy(update={"overrides_elsewhere": distant})


def _scored(ev: Evaluation, i: int, verdicts: dict[str, RegimeVerdict]) -> ScoreResult:
    result = score_entity(ev.graph, ev.verdicts, ev.rules.scoring, i, verdicts)
    return result.model_copy(update={"flags": tuple(_flags(ev, verdicts))})


def _own_overrides(ev: Evaluation, result: ScoreResult, overrides: Overrides | None
                   ) -> ScoreResult:
    if overrides is None or not overrides.stored:
        return result
    print_ = (overrides.prints or {}).get(result.entity.id, "")
    return apply_overrides(result, overrides.stored, ev.as_of, print_, ev.rules.scoring)


def _distant(ev: Evaluation, i: int, verdicts: dict[str, RegimeVerdict],
             overrides: Overrides | None, score_with: float) -> Iterable[DistantOverride]:
    """The manual statuses on other entities without which entity ``i`` would score
    differently: each one left out in turn, the entity rescored."""
    if not ev.manual:
        return  # no manual status anywhere: nothing to leave out (and no walk of the graph)
    derived = ev.derived or ev.verdicts
    near = within(ev.graph, i, ev.rules.scoring.max_depth)
    for o in ev.manual:
        if o.entity_id == ev.graph.ids[i] or not near[ev.graph.index[o.entity_id]]:
            continue
        rest = tuple(m for m in ev.manual if m is not o)
        forced = force_verdicts(derived, ev.graph.index, rest) if rest else derived
        without = _own_overrides(ev, _scored(replace(ev, verdicts=forced, manual=rest), i,
                                             verdicts), overrides)
        if without.score != score_with:
            yield distant_override(o, _name(ev, o.entity_id), without.score, score_with)


def within(g: Graph, i: int, hops: int) -> BoolArray:
    """Entities at most ``hops`` ties (any family, either direction) from entity ``i``: the
    only ones whose status can change ``i``'s exposure, whose paths are ``max_depth`` long."""
    near = np.zeros(g.n, dtype=np.bool_)
    near[i] = True
    families = (g.ownership, g.control, g.relation)
    for _ in range(hops):
        grown = near.copy()
        for f in families:
            grown[f.dst[near[f.src]]] = True
            grown[f.src[near[f.dst]]] = True
        if (grown == near).all():
            break
        near = grown
    return near


def _name(ev: Evaluation, entity_id: str) -> str:
    """The graph entity's name (its id when the facts name none)."""
    names = ev.graph.dataset.names
    i = ev.graph.index[entity_id]
    return names[i] if i < len(names) and names[i] else entity_id


def _flags(ev: Evaluation, verdicts: dict[str, RegimeVerdict]) -> list[str]:
    flags = [flag for code, v in verdicts.items() for flag in verdict_flags(code, v)]
    flags += [flag for code, v in verdicts.items() if v.coverage
              for flag in coverage_flags(code, v.coverage)]
    for code in sorted(verdicts):
        if ev.rules.regimes.get(code) is None and verdicts[code].possibly_blocked:
            flags.append(f"{code}: regime not configured in the rules; default ownership "
                         f"and control parameters applied")
    return flags


def score_everything(ev: Evaluation, overrides: Overrides | None = None,
                     ties: dict[str, IntArray] | None = None) -> ScoreTable:
    """Scores of every entity at once (arrays), for whole-book rescoring; the active
    accepted_risk caps of ``overrides`` applied (manual statuses are in ``ev``). ``ties``:
    the tie exposure cents of ``ev`` (``exposure.score.tie_cents``), when already known."""
    table = score_all(ev.graph, ev.verdicts, ev.rules.scoring, ties)
    active = overrides.active if overrides else ()
    return cap_table(table, active, ev.graph.index, ev.rules.scoring)
