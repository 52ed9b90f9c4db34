"""The pure core's front door: facts + rules + a date -> verdicts and explained scores.

No I/O here: the CLI loads the rules and the stored facts and passes them in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from riskengine.derive.base import RegimeArrays
from riskengine.derive.explain import explain_verdict
from riskengine.derive.verdicts import derive_all, verdict_flags
from riskengine.domain import Dataset, Entity
from riskengine.errors import AmbiguousError, InputError, NotFoundError
from riskengine.exposure.score import ScoreTable, score_all, score_entity
from riskengine.graph import Graph, GraphData
from riskengine.names import NameIndex
from riskengine.result import RegimeVerdict, ScoreResult
from riskengine.ruleset.models import RuleSet


@dataclass(frozen=True)
class Evaluation:
    """Whole-graph verdicts of every regime as of one day."""

    graph: Graph
    rules: RuleSet
    verdicts: dict[str, RegimeArrays]

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


def regime_verdicts(ev: Evaluation, i: int) -> dict[str, RegimeVerdict]:
    return {
        code: explain_verdict(
            ev.graph, ev.verdicts[code], ev.rules.regimes.params(code, ev.as_of), i)
        for code in regime_order(ev.rules, list(ev.verdicts))
    }


def score(ev: Evaluation, entity_id: str) -> ScoreResult:
    """Explained score of one entity: verdict per regime, contributions, flags."""
    i = ev.graph.index[entity_id]
    verdicts = regime_verdicts(ev, i)
    result = score_entity(ev.graph, ev.verdicts, ev.rules.scoring, i, verdicts)
    return result.model_copy(update={"flags": tuple(_flags(ev, verdicts))})


def _flags(ev: Evaluation, verdicts: dict[str, RegimeVerdict]) -> list[str]:
    flags = [flag for code, v in verdicts.items() for flag in verdict_flags(code, v)]
    for code in sorted(verdicts):
        if ev.rules.regimes.get(code) is None and verdicts[code].possibly_blocked:
            flags.append(f"{code}: regime not configured in the rules; default ownership "
                         f"and control parameters applied")
    return flags


def score_everything(ev: Evaluation) -> ScoreTable:
    """Scores of every entity at once (arrays), for whole-book rescoring."""
    return score_all(ev.graph, ev.verdicts, ev.rules.scoring)
