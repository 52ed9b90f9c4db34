"""The lists' weak aliases, as the readers give them, screened as weaker evidence."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskengine.lists import ofac, uk
from riskengine.screening.config import ScreeningConfig
from riskengine.screening.match import Screener
from tests.conftest import FIXTURES


@pytest.mark.parametrize(("path", "query", "entity_id"), [
    (FIXTURES / "ofac" / "cons_xml" / "consolidated.xml", "AL-ZAHAR, Mahmoud", "ofac:9647"),
    (FIXTURES / "ofac" / "sdn_csv" / "sdn.csv", "TMZ PAO", "ofac:37759"),
])
def test_ofac_weak_alias_found_weaker(path: Path, query: str, entity_id: str) -> None:
    """Found through the weak alias, flagged as such, at weak_alias_weight of the strong
    score (the same names indexed as strong aliases)."""
    config = ScreeningConfig()
    entities = ofac.read(path).dataset.entities
    strong = [e.model_copy(update={"aliases": (*e.aliases, *e.weak_aliases),
                                   "weak_aliases": ()}) for e in entities]
    found = next(c for c in Screener.build(entities, config).screen(query)
                 if c.entity_id == entity_id)
    reference = next(c for c in Screener.build(strong, config).screen(query)
                     if c.entity_id == entity_id)
    assert "weak_alias" in {f.kind for f in found.features}
    assert found.confidence == pytest.approx(reference.confidence * config.weak_alias_weight,
                                             abs=1e-4)


def test_uk_low_quality_alias_is_weak() -> None:
    entities = uk.read(FIXTURES / "uk" / "ConList.excerpt.csv").dataset.entities
    found = Screener.build(entities, ScreeningConfig()).screen("ABO GHAITH")
    top = next(c for c in found if c.entity_id == "uk:AQD0318")
    assert top.matched_name == "ABO GHAITH"
    assert "weak_alias" in {f.kind for f in top.features}
