"""EO 14114: a financial institution tied to Russia's military-industrial base scores
ffi_military_base once (bundled rules: 100 x us weight 0.50 x 0.30 = 15 points), from
22 December 2023; before 12 June 2024 only ties to EO 14024 designees in a military-industrial
sector count (OFAC FAQ 1181 then widened it to every EO 14024 designee)."""

from __future__ import annotations

from datetime import date
from functools import cache

import numpy as np
import pytest

from riskengine.derive.verdicts import derive_all
from riskengine.domain import Dataset, Designation, Entity, Identifier, Relationship, Source
from riskengine.exposure.score import score_all, score_entity
from riskengine.graph import GraphData
from riskengine.ruleset.bundled import bundled_rules_dir
from riskengine.ruleset.loader import load_rules
from riskengine.ruleset.models import RuleSet

SRC = Source(source="test", note="test fact")
AFTER, BETWEEN, BEFORE = date(2024, 7, 1), date(2024, 3, 1), date(2023, 12, 21)


@cache
def rules() -> RuleSet:
    return load_rules(bundled_rules_dir())


def facts(name: str, program: str, sector: str | None, swift: bool = False) -> Dataset:
    ids = (Identifier(scheme="swift", value="ABCDRUMM"),) if swift else ()
    return Dataset(
        entities=(Entity(id="f", name=name, identifiers=ids, sources=(SRC,)),
                  Entity(id="m", name="MILITARY PLANT", sector=sector, sources=(SRC,))),
        designations=(Designation(id="m/us", entity_id="m", regime="us", authority="OFAC",
                                  list_name="SDN", program=program,
                                  listed_from=date(2023, 1, 1), source=SRC),),
        relationships=(Relationship(id="r", a="f", b="m", kind="financing", source=SRC),))


CASES = [
    ("bank-after-faq-1181", facts("ALFA BANK AO", "RUSSIA-EO14024", None), AFTER, 15.0),
    ("before-eo-14114", facts("ALFA BANK AO", "RUSSIA-EO14024", None), BEFORE, 0.0),
    ("sector-needed-before-june-2024", facts("ALFA BANK AO", "RUSSIA-EO14024", "retail"),
     BETWEEN, 0.0),
    ("defense-sector-before-june-2024",
     facts("ALFA BANK AO", "RUSSIA-EO14024", "defense and related materiel"), BETWEEN, 15.0),
    ("swift-code-no-bank-word", facts("FINCOM AO", "RUSSIA-EO14024", None, swift=True),
     AFTER, 15.0),
    ("not-a-financial-institution", facts("TRUCK DEALER LLC", "RUSSIA-EO14024", None),
     AFTER, 0.0),
    ("other-program", facts("ALFA BANK AO", "UKRAINE-EO13662", None), AFTER, 0.0),
]


@pytest.mark.parametrize(("ds", "as_of", "points"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_ffi_factor(ds: Dataset, as_of: date, points: float) -> None:
    g = GraphData.from_dataset(ds).at(as_of)
    verdicts = derive_all(g, rules().regimes)
    result = score_entity(g, verdicts, rules().scoring, g.index["f"], {})
    found = [c for c in result.contributions if c.factor == "ffi_military_base"]
    assert sum(c.points for c in found) == points
    assert result.score == round(sum(c.points for c in result.contributions), 2)
    table = score_all(g, verdicts, rules().scoring)
    assert float(table.score[g.index["f"]]) == result.score
    if found:
        (c,) = found
        assert [(p.type, p.id) for p in c.path] == [
            ("entity", "f"), ("edge", "r"), ("entity", "m"), ("listing", "m/us")]
        assert "EO 14114" in c.detail and "x us weight 0.50 x 0.30" in c.detail
        assert all(p.source for p in c.path if p.type != "entity")
    assert not np.asarray(table.blocked_any)[g.index["f"]]
