"""`entities show` and the history/override look-ups on the compiled graph equal the same
reports made from every stored fact in memory (the reference)."""

from __future__ import annotations

from typing import Any

import pytest

from riskengine.application import base, service
from riskengine.application.entities import _designation, _record, entity_report
from riskengine.errors import NotFoundError
from riskengine.overrides import fingerprint
from riskengine.settings import Settings


def _reference(settings: Settings, entity_id: str) -> dict[str, Any]:
    """The report from the whole store loaded as objects and merged in memory."""
    raw, facts, mm = service.merged_facts(settings, base.load_rules(settings))
    entity = facts.entity_map()[entity_id]
    by_id = raw.entity_map()
    members = sorted(mm.members.get(entity.id, (entity.id,)))
    return {
        "id": entity.id, "name": entity.name, "kind": entity.kind, "country": entity.country,
        "names": list(entity.all_names()),
        "identifiers": [i.model_dump(mode="json") for i in entity.identifiers],
        "birth_dates": list(entity.birth_dates), "nationalities": list(entity.nationalities),
        "members": members,
        "records": [_record(m, s) for m in members for s in by_id[m].sources],
        "designations": [_designation(d) for d in facts.designations
                         if d.entity_id == entity.id],
        "merged_because": list(mm.reasons.get(entity.id, ())),
        "merge_review": [f"{a} ~ {b}: {why}" for a, b, why in mm.review
                         if a in members or b in members],
    }


def _some_entities(settings: Settings) -> list[str]:
    """Every merged entity, every entity awaiting review, and a few single ones."""
    _raw, facts, mm = service.merged_facts(settings, base.load_rules(settings))
    review = {x for a, b, _ in mm.review for x in (mm.resolve(a), mm.resolve(b))}
    single = [e.id for e in facts.entities if e.id not in mm.members][:5]
    return sorted(set(mm.members) | review) + single


def test_entity_reports_equal_the_reference(settings: Settings) -> None:
    wanted = _some_entities(settings)
    assert len(wanted) > 5  # the fixture store holds merged records
    reports = [entity_report(settings, entity_id) for entity_id in wanted]
    for entity_id, report in zip(wanted, reports, strict=True):
        assert report == _reference(settings, entity_id), entity_id
    assert any(r["merged_because"] for r in reports)  # the comparison covers merge reasons


def test_found_facts_give_the_reference_fingerprint(settings: Settings) -> None:
    from datetime import date

    _raw, facts, _mm = service.merged_facts(settings, base.load_rules(settings))
    for entity_id in _some_entities(settings):
        found = service.find_entity(settings, entity_id)
        for day in (date(2022, 6, 1), date(2026, 1, 1)):
            assert (fingerprint(found.facts, entity_id, day)
                    == fingerprint(facts, entity_id, day)), (entity_id, day)
    assert found.regimes == {d.regime for d in facts.designations}


@pytest.mark.parametrize("query", ["no such party at all", "kamaz trading zzz"])
def test_an_unknown_name_is_not_found(settings: Settings, query: str) -> None:
    with pytest.raises(NotFoundError):
        service.find_entity(settings, query)
