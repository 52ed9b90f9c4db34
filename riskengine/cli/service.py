"""The I/O shell behind the CLI: loads rules and stored facts, calls the pure core."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager, nullcontext
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

from riskengine.settings import Settings

if TYPE_CHECKING:
    from collections.abc import Iterator

    from riskengine.compiled.use import Loaded
    from riskengine.coverage import Sources
    from riskengine.domain import Dataset, Entity
    from riskengine.engine import Evaluation, Overrides
    from riskengine.ingest.editions import IngestRules, Plan
    from riskengine.ingest.merge import MergeMap, MergeRules
    from riskengine.ingest.ties import TiePlan
    from riskengine.lists.base import ListEdition
    from riskengine.overrides import Override
    from riskengine.result import ScoreResult
    from riskengine.ruleset.models import RuleSet
    from riskengine.store.store import Store


def rules_dir(settings: Settings) -> Path:
    from riskengine.ruleset.bundled import bundled_rules_dir

    return settings.rules_dir or bundled_rules_dir()


def load_rules(settings: Settings) -> RuleSet:
    """The rules in use (every rule file validated, or remembered valid: ``rules_cache``);
    without the seed scenario facts under ``--no-seed`` (``RISKENGINE_SEED=0``)."""
    from riskengine.domain import Dataset
    from riskengine.ruleset.loader import load_rules as load
    from riskengine.ruleset.models import RuleSet

    folder = rules_dir(settings)
    rules = _remembered(settings, "ruleset", RuleSet, lambda: load(folder))
    return rules if settings.seed else rules.model_copy(update={"scenario": Dataset()})


def rules_cache(settings: Settings) -> Path:
    """Where validated rule models are kept between processes (``ruleset.disk``)."""
    import os

    if settings.cache_dir is not None:
        return settings.cache_dir / "rules"
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "riskengine" / "rules"


_MEMO: dict[tuple[str, str], BaseModel] = {}


def _remembered(settings: Settings, kind: str, model: type[_M], make: Callable[[], _M]) -> _M:
    """``make()`` for the rule files in use, remembered by their content in this process
    and on disk (``ruleset.disk.cached``)."""
    from riskengine.ruleset.disk import cached
    from riskengine.ruleset.loader import fingerprint

    key = (kind, fingerprint(rules_dir(settings)))
    found = _MEMO.get(key) if key[1] else None
    if isinstance(found, model):
        return found
    made = cached(kind, key[1], model, make, rules_cache(settings))
    if key[1]:
        _MEMO[key] = made
    return made


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


def merged_facts(settings: Settings, rules: RuleSet, stored: Dataset | None = None
                 ) -> tuple[Dataset, Dataset, MergeMap]:
    """(facts as stored, facts with each cluster of entities merged, the merge map).
    ``stored``: the database's facts when already loaded (or from a run's snapshot). A
    cluster keeps the id of its scenario entity, else of its record stored first (stable)."""
    from riskengine.engine import combine
    from riskengine.ingest.merge import merge_dataset

    with open_store(settings) as store:
        ranks = store.first_seen()  # never updated: also right for a past run's snapshot
        facts = combine(rules, store.load_dataset() if stored is None else stored)
    prefer = frozenset(e.id for e in rules.scenario.entities)
    merged, mm = merge_dataset(facts, merge_rules(settings), prefer, ranks)
    return facts, merged, mm


def _evaluate(settings: Settings, as_of: date, stored: Dataset | None = None
              ) -> tuple[Evaluation, Dataset, MergeMap]:
    from riskengine.engine import evaluate
    from riskengine.graph import GraphData

    rules = load_rules(settings)
    _raw, facts, mm = merged_facts(settings, rules, stored)
    return evaluate(GraphData.from_dataset(facts), rules, as_of), facts, mm


@contextmanager
def compiled_graph(settings: Settings, store: Store | None = None
                   ) -> Iterator[tuple[Loaded, RuleSet, Store]]:
    """The compiled graph of the store and rules in use (built when missing, stale or
    corrupt), with the rules and the open store its explanations read from (``store``, or
    one opened here)."""
    from riskengine.compiled.use import open_graph

    rules = load_rules(settings)
    with nullcontext(store) if store is not None else open_store(settings) as opened:
        yield (open_graph(settings, opened, rules, rules_dir(settings),
                          merge_rules(settings, opened)),
               rules, opened)


def compiled_evaluation(loaded: Loaded, rules: RuleSet, as_of: date,
                        overrides: list[Override]) -> tuple[Evaluation, Overrides]:
    """Whole-graph verdicts of a compiled graph with ``overrides`` (manual statuses set)."""
    from riskengine.compiled.facts import facts_about
    from riskengine.engine import evaluate, with_overrides

    ev = evaluate(loaded.data, rules, as_of)
    facts = facts_about(loaded.facts, loaded.data, [o.entity_id for o in overrides])
    return with_overrides(ev, facts, overrides)


def screening_inputs(settings: Settings, as_of: date, overrides: list[Override]
                     ) -> tuple[Evaluation, Overrides, list[Entity]]:
    """For screening: the compiled graph's verdicts with ``overrides`` and every entity (as
    merged) for the screener's index."""
    from riskengine.store.facts_snapshot import read_entities

    with compiled_graph(settings) as (loaded, rules, _store):
        ev, found = compiled_evaluation(loaded, rules, as_of, overrides)
        return ev, found, loaded.facts.all_entities(read_entities(settings.db_url))


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
    from riskengine.cli.coverage_service import stored_sources
    from riskengine.cli.overrides_service import stored_overrides

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
        ev, found = compiled_evaluation(loaded, rules, as_of, overrides)
        return score(ev, entity_id, found, sources).model_copy(update={"match": how})


def _resolve_compiled(settings: Settings, loaded: Loaded, query: str) -> tuple[str, str]:
    """``_resolve`` on a compiled graph's id and name look-up; the fuzzy fallback reads every
    stored entity (it needs them all)."""
    from riskengine.compiled.use import lookup
    from riskengine.errors import AmbiguousError

    found = lookup(loaded, query)
    ids = loaded.facts.ids
    if len(found) > 1:
        candidates = [(ids[i], loaded.facts.names[i]) for i in found]
        raise AmbiguousError(f"{query!r} matches {len(found)} entities", candidates)
    if not found:
        _raw, facts, _mm = merged_facts(settings, load_rules(settings))
        return _fuzzy(settings, facts, query)
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
    from riskengine.cli.screen_cmd import load_config
    from riskengine.errors import AmbiguousError, NotFoundError
    from riskengine.screening.match import Screener, fallback_match

    screener = Screener.build(facts.entities, load_config(settings))
    best = fallback_match(screener, query)
    if best is not None:
        return best.entity_id, (f"fuzzy match {best.confidence:.2f} on {best.matched_name!r} "
                                f"for {query!r} (no exact name or alias)")
    found = [c for c in screener.screen(query, limit=5) if c.confidence > 0]
    if not found:
        raise NotFoundError(f"no entity named {query!r} (try an id, a name or an alias)")
    candidates = [(c.entity_id, f"{c.entity_name} ({c.confidence:.2f})") for c in found]
    raise AmbiguousError(f"no exact match for {query!r}; closest candidates", candidates)


def now() -> datetime:
    return datetime.now(UTC)


def ingest_ftm(settings: Settings, path: Path, actor: str) -> list[str]:
    """Read an FtM JSON-lines file and store it with its audit entry in one transaction;
    returns summary lines. Flat facts all the way (no domain objects): bulk writes."""
    from riskengine.ingest.ftm import resolve_flat, scan_ftm
    from riskengine.store.audit import ingest_audit
    from riskengine.store.store import IngestRecord

    started = now()
    parsed = scan_ftm(path)
    rules = load_rules(settings)
    store = open_store(settings)
    try:
        known = store.entity_ids() | {e.id for e in rules.scenario.entities}
        dataset, warnings = resolve_flat(parsed.facts, known)
        record = IngestRecord(
            source="ftm", file=str(path), content_hash=parsed.content_hash, published=None,
            started_at=started, finished_at=now(), counts=dict(parsed.counts),
        )
        lines = _summary(parsed.counts, parsed.skipped, [*parsed.warnings, *warnings])
        details = {"path": str(path), "published": None, "force": False, "summary": lines}
        store.save_ingest(dataset, record, ingest_audit(actor, details))
    finally:
        store.close()
    return lines


def _summary(counts: dict[str, int], skipped: dict[str, int], warnings: list[str]) -> list[str]:
    lines = [f"ingested {n} {schema}" for schema, n in sorted(counts.items())]
    lines += [f"skipped {n} {schema} (schema not used)" for schema, n in sorted(skipped.items())]
    return lines + [f"warning: {w}" for w in warnings]


# --- rule files of ingestion and entity resolution -----------------------------------------

INGEST_RULES_FILE = "ingest.yaml"
MERGE_RULES_FILE = "merges.yaml"
_M = TypeVar("_M", bound=BaseModel)


def _rule_file(settings: Settings, name: str, model: type[_M]) -> _M:
    """``model`` from ``rules/name`` of the rules directory in use (defaults when absent),
    once every rule file there is valid (the same check as ``load_rules``)."""
    from riskengine.ruleset.loader import load_rule_file

    folder = rules_dir(settings)
    return _remembered(settings, f"file:{name}", model,
                       lambda: load_rule_file(folder, name, model))


def ingest_rules(settings: Settings) -> IngestRules:
    from riskengine.ingest.editions import IngestRules

    return _rule_file(settings, INGEST_RULES_FILE, IngestRules)


def merge_rules(settings: Settings, store: Store | None = None) -> MergeRules:
    """``rules/merges.yaml`` with the approved decisions of the merge review queue (read
    from ``store`` when the caller has it open)."""
    from riskengine.cli.merges_service import with_decisions
    from riskengine.ingest.merge import MergeRules

    rules = _rule_file(settings, MERGE_RULES_FILE, MergeRules)
    with nullcontext(store) if store is not None else open_store(settings) as opened:
        return with_decisions(opened, rules, settings.known_at)


# --- official lists ------------------------------------------------------------------------

LIST_SOURCES = ("ofac-sdn", "ofac-cons", "uk", "eu", "un", "ca")


def read_list(source: str, path: Path, published: date | None) -> ListEdition:
    """The edition in ``path`` read by the reader of ``source`` (InputError when invalid)."""
    import importlib

    from riskengine.lists import ofac

    if source == "ofac-sdn":
        return ofac.read_sdn(path, published)
    if source == "ofac-cons":
        return ofac.read_cons(path, published)
    module = importlib.import_module(f"riskengine.lists.{source}")
    edition: ListEdition = module.read(path, published)
    return edition


def ingest_list(settings: Settings, source: str, path: Path, published: date | None,
                force: bool = False, actor: str = "unknown") -> list[str]:
    """Ingest one edition of an official list with its history and its audit entry (one
    transaction); returns summary lines. An edition already stored changes nothing and is
    audited alone.

    ``published`` (--published) dates a file that states no date of its own; such a file
    without it is refused (InputError naming the file): never silently dated today.
    """
    from riskengine.errors import InputError
    from riskengine.ingest.editions import Guard

    started = now()
    edition = read_list(source, path, published)
    guard = Guard.of(ingest_rules(settings), force)
    when = edition.published or published
    if when is None:
        raise InputError(str(path), "the file states no publication date of its own: give "
                                    "the edition's date with --published YYYY-MM-DD")
    store = open_store(settings)
    try:
        plan, ties = _plan(store, edition, when, guard, str(path))
        lines = _edition_summary(edition, plan, when, ties)
        details = {"path": str(path), "published": when.isoformat(), "force": force,
                   "summary": lines}
        if plan.already:
            _audit_unchanged(store, actor, edition, details)
        else:
            _save_edition(store, edition, (plan, ties), when, (started, path, actor, details))
    finally:
        store.close()
    return lines


def _audit_unchanged(store: Store, actor: str, edition: ListEdition,
                     details: dict[str, Any]) -> None:
    """The audit entry of an ingest that found its edition already stored (nothing saved)."""
    from riskengine.store.audit import record_audit

    record_audit(store, actor, "ingest", {**details, "ingest": None, "source": edition.source},
                 now(), {"file": edition.content_hash})


def _plan(store: Store, edition: ListEdition, when: date, guard: Any, label: str
          ) -> tuple[Plan, TiePlan]:
    """(designation changes, tie changes) the edition makes to the source's stored facts."""
    from riskengine.ingest.editions import PastEditions, plan_edition
    from riskengine.ingest.ties import plan_ties

    past = store.editions(edition.source)
    known = PastEditions(max((e.published for e in past), default=None),
                         frozenset(e.content_hash for e in past))
    stored = store.source_facts(edition.source)
    plan = plan_edition(edition, when, stored.designations, known, guard, label,
                        today=now().date())
    return plan, plan_ties(edition.dataset, stored, when)


def _save_edition(store: Store, edition: ListEdition, plans: tuple[Plan, TiePlan], when: date,
                  job: tuple[datetime, Path, str, dict[str, Any]]) -> None:
    from riskengine.ingest.editions import union_entity
    from riskengine.store.audit import ingest_audit
    from riskengine.store.store import EditionRecord, IngestRecord

    started, path, actor, details = job
    plan, ties = plans
    ds = edition.dataset
    old = store.entities(e.id for e in ds.entities)
    entities = tuple(union_entity(old.get(e.id), e, when) for e in ds.entities)
    counts = {"entities": len(entities), **plan.counts, **ties.counts}
    record = IngestRecord(source=edition.source, file=str(path),
                          content_hash=edition.content_hash, published=when,
                          started_at=started, finished_at=now(), counts=counts)
    stored = EditionRecord(source=edition.source, published=when,
                           content_hash=edition.content_hash, files=list(edition.files),
                           counts=counts)
    facts = ds.model_copy(update={"entities": entities, "designations": plan.designations,
                                  **ties.rows})
    store.save_edition(facts, record, stored, ingest_audit(actor, details))


def _edition_summary(edition: ListEdition, plan: Plan, when: date, ties: TiePlan
                     ) -> list[str]:
    head = f"{edition.source} edition of {when.isoformat()}"
    if plan.already:
        lines = [f"{head}: already ingested (same content), nothing changed"]
    else:
        c = plan.counts
        lines = [f"{head}: ingested {len(edition.dataset.entities)} entities; designations: "
                 f"{c['new']} new, {c['kept']} kept, {c['relisted']} relisted, "
                 f"{c['delisted']} delisted; ties: {ties.counts['ties_new']} new, "
                 f"{ties.counts['ties_ended']} ended, {ties.counts['ties_renewed']} renewed"]
    return lines + [f"warning: {w}" for w in edition.warnings]


# --- entities show -------------------------------------------------------------------------


def entity_report(settings: Settings, query: str) -> dict[str, Any]:
    """The merged entity ``query`` names: names, identifiers, source records, designations
    and why its records were merged (JSON-ready)."""
    from riskengine.engine import find
    from riskengine.names import NameIndex

    raw, facts, mm = merged_facts(settings, load_rules(settings))
    entity = find(NameIndex(facts.entities), mm.resolve(query))
    by_id = raw.entity_map()
    members = mm.members.get(entity.id, (entity.id,))
    return {
        "id": entity.id, "name": entity.name, "kind": entity.kind, "country": entity.country,
        "names": list(entity.all_names()),
        "identifiers": [i.model_dump(mode="json") for i in entity.identifiers],
        "birth_dates": list(entity.birth_dates), "nationalities": list(entity.nationalities),
        "members": list(members),
        "records": [_record(m, s) for m in members for s in by_id[m].sources],
        "designations": [_designation(d) for d in facts.designations
                         if d.entity_id == entity.id],
        "merged_because": list(mm.reasons.get(entity.id, ())),
        "merge_review": [f"{a} ~ {b}: {why}" for a, b, why in mm.review
                         if a in members or b in members],
    }


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _record(entity_id: str, source: Any) -> dict[str, Any]:
    return {"entity": entity_id, "source": source.source, "record_id": source.record_id,
            "file": source.file, "published": _iso(source.published)}


def _designation(d: Any) -> dict[str, Any]:
    return {"id": d.id, "regime": d.regime, "program": d.program, "list": d.list_name,
            "measure": d.measure, "listed_from": _iso(d.listed_from),
            "listed_to": _iso(d.listed_to), "source": d.source.cite()}


def entity_lines(report: dict[str, Any]) -> list[str]:
    """``entity_report`` as text for people."""
    lines = [f"{report['name']} ({report['id']}), {report['kind']}, "
             f"country {report['country'] or 'unknown'}",
             "Names: " + "; ".join(report["names"]),
             "Identifiers: " + ("; ".join(f"{i['scheme']} {i['value']}" + (
                 f" (no longer stated from {i['stated_to']})" if i.get("stated_to") else "")
                 for i in report["identifiers"]) or "none"),
             *([f"Born: {', '.join(report['birth_dates'])}"] if report["birth_dates"] else []),
             *([f"Nationality: {', '.join(report['nationalities'])}"]
               if report["nationalities"] else []),
             "Source records:"]
    lines += [f"  {r['source']} #{r['record_id'] or '-'} ({r['entity']}) file {r['file'] or '-'}"
              f" published {r['published'] or '-'}" for r in report["records"]]
    lines.append("Designations:")
    lines += [f"  {d['regime']} {d['program'] or d['list']} {d['listed_from'] or '?'}.."
              f"{d['listed_to'] or ''} [{d['source']}]" for d in report["designations"]]
    lines.append("Merged because:" if report["merged_because"] else "Merged: no")
    lines += [f"  {why}" for why in report["merged_because"]]
    if report.get("merge_review"):
        lines.append("Not merged, awaiting review (`entities merges`):")
    return lines + [f"  {why}" for why in report.get("merge_review", ())]
