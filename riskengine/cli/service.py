"""The I/O shell behind the CLI: loads rules and stored facts, calls the pure core."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from riskengine.settings import Settings

if TYPE_CHECKING:
    from riskengine.domain import Dataset
    from riskengine.engine import Evaluation
    from riskengine.result import ScoreResult
    from riskengine.ruleset.models import RuleSet
    from riskengine.store.store import Store


def rules_dir(settings: Settings) -> Path:
    from riskengine.ruleset.bundled import bundled_rules_dir

    return settings.rules_dir or bundled_rules_dir()


def load_rules(settings: Settings) -> RuleSet:
    from riskengine.ruleset.loader import load_rules as load

    return load(rules_dir(settings))


def open_store(settings: Settings) -> Store:
    from riskengine.store.store import Store

    return Store.open(settings.db_url)


def load_facts(settings: Settings, rules: RuleSet) -> Dataset:
    """Rule-file scenario facts plus everything ingested into the database."""
    from riskengine.engine import combine

    store = open_store(settings)
    try:
        return combine(rules, store.load_dataset())
    finally:
        store.close()


def evaluation(settings: Settings, as_of: date) -> tuple[Evaluation, Dataset]:
    from riskengine.engine import evaluate
    from riskengine.graph import GraphData

    rules = load_rules(settings)
    facts = load_facts(settings, rules)
    return evaluate(GraphData.from_dataset(facts), rules, as_of), facts


def score_query(settings: Settings, query: str, as_of: date) -> ScoreResult:
    """Resolve ``query`` to one entity and score it with explanations."""
    from riskengine.engine import find, score
    from riskengine.names import NameIndex

    ev, facts = evaluation(settings, as_of)
    entity = find(NameIndex(facts.entities), query)
    result = score(ev, entity.id)
    how = "id" if entity.id == query else "exact name or alias"
    return result.model_copy(update={"match": f"{how}: {query!r}"})


def now() -> datetime:
    return datetime.now(timezone.utc)


def ingest_ftm(settings: Settings, path: Path) -> list[str]:
    """Read an FtM JSON-lines file and store it in one transaction; returns summary lines."""
    from riskengine.ingest.ftm import read_ftm, resolve_references
    from riskengine.store.store import IngestRecord

    started = now()
    parsed = read_ftm(path)
    rules = load_rules(settings)
    store = open_store(settings)
    try:
        known = store.entity_ids() | {e.id for e in rules.scenario.entities}
        dataset, warnings = resolve_references(parsed.dataset, known)
        record = IngestRecord(
            source="ftm", file=str(path), content_hash=parsed.content_hash, published=None,
            started_at=started, finished_at=now(), counts=dict(parsed.counts),
        )
        store.save_ingest(dataset, record)
    finally:
        store.close()
    return _summary(parsed.counts, parsed.skipped, [*parsed.warnings, *warnings])


def _summary(counts: dict[str, int], skipped: dict[str, int], warnings: list[str]) -> list[str]:
    lines = [f"ingested {n} {schema}" for schema, n in sorted(counts.items())]
    lines += [f"skipped {n} {schema} (schema not used)" for schema, n in sorted(skipped.items())]
    return lines + [f"warning: {w}" for w in warnings]
