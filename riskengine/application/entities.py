"""`entities show`: an entity merged across lists, with every source record and why."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from riskengine.application import service
from riskengine.settings import Settings

if TYPE_CHECKING:
    from riskengine.compiled.use import Loaded
    from riskengine.ruleset.models import RuleSet
    from riskengine.store.store import Store


def entity_report(settings: Settings, query: str,
                  opened: tuple[Loaded, RuleSet, Store] | None = None) -> dict[str, Any]:
    """The merged entity ``query`` names: names, identifiers, source records, designations
    and why its records were merged (JSON-ready). From the compiled graph (``opened``: one
    the caller holds, with its rules and store): the entity's member records are read from
    the store by id, nothing else."""
    if opened is not None:
        return _report(settings, query, *opened)
    with service.compiled_graph(settings) as (loaded, rules, store):
        return _report(settings, query, loaded, rules, store)


def _report(settings: Settings, query: str, loaded: Loaded, rules: RuleSet, store: Store
            ) -> dict[str, Any]:
    found = service.find_entity(settings, query, loaded)
    facts, entity_id = loaded.facts, found.entity_id
    entity = facts.entities[facts.index[entity_id]]
    members = found.members
    records = {**store.entities([m for m in members if m not in rules.scenario.entity_map()]),
               **{e.id: e for e in rules.scenario.entities if e.id in members}}
    merges = loaded.compiled["merges"].to_pylist()
    designations = facts.designations_of(entity_id)
    return {
        "id": entity.id, "name": entity.name, "kind": entity.kind, "country": entity.country,
        "names": list(entity.all_names()),
        "identifiers": [i.model_dump(mode="json") for i in entity.identifiers],
        "birth_dates": list(entity.birth_dates), "nationalities": list(entity.nationalities),
        "members": sorted(members),
        "records": [_record(m, s) for m in sorted(members) for s in records[m].sources],
        "designations": [_designation(d) for d in designations],
        "merged_because": [r["why"] for r in merges if r["entity"] == entity_id],
        "merge_review": [f"{r['a']} ~ {r['b']}: {r['why']}" for r in merges
                         if not r["entity"] and (r["a"] in members or r["b"] in members)],
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
