"""`entities show`: an entity merged across lists, with every source record and why."""

from __future__ import annotations

from datetime import date
from typing import Any

from riskengine.application import base, service
from riskengine.settings import Settings


def entity_report(settings: Settings, query: str) -> dict[str, Any]:
    """The merged entity ``query`` names: names, identifiers, source records, designations
    and why its records were merged (JSON-ready)."""
    from riskengine.engine import find
    from riskengine.names import NameIndex

    raw, facts, mm = service.merged_facts(settings, base.load_rules(settings))
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
