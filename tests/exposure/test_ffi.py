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


def _random_facts(seed: int) -> Dataset:
    """Banks and plants tied at random, some plants designated under EO 14024 in a
    military-industrial sector, some under another program or sector."""
    rng = np.random.default_rng(seed)
    n = 12
    names = ["ALFA BANK AO", "TRUCK DEALER LLC", "FINCOM AO", "MILITARY PLANT", "SHOP OOO"]
    sectors = [None, "retail", "defense and related materiel", "aerospace"]
    entities = tuple(Entity(id=f"e{k}", name=str(rng.choice(names)),
                            sector=sectors[int(rng.integers(len(sectors)))],
                            identifiers=(Identifier(scheme="swift", value="ABCDRUMM"),)
                            if rng.random() < 0.2 else (), sources=(SRC,)) for k in range(n))
    programs = ["RUSSIA-EO14024", "UKRAINE-EO13662"]
    designations = tuple(Designation(id=f"d{k}", entity_id=f"e{k}", regime="us",
                                     authority="OFAC", list_name="SDN",
                                     program=programs[int(rng.integers(2))],
                                     listed_from=date(2023, 1, 1), source=SRC)
                         for k in range(n) if rng.random() < 0.4)
    pairs = {(int(a), int(b)) for a, b in rng.integers(0, n, (20, 2)) if a != b}
    relationships = tuple(Relationship(id=f"r{a}-{b}", a=f"e{a}", b=f"e{b}", kind="financing",
                                       source=SRC) for a, b in sorted(pairs))
    return Dataset(entities=entities, designations=designations, relationships=relationships)


@pytest.mark.parametrize("seed", range(25))
@pytest.mark.parametrize("as_of", [AFTER, BETWEEN, BEFORE])
def test_one_entity_check_equals_the_whole_graph_pass(seed: int, as_of: date) -> None:
    """``exposed_ffi_at`` (a cold single score: the entity's neighbourhood only) against the
    whole-graph ``exposed_ffis``, for every entity; and the same explained score."""
    from riskengine.exposure import ffi

    g = GraphData.from_dataset(_random_facts(seed)).at(as_of)
    params = rules().scoring.ffi_secondary
    banks, base = ffi.exposed_ffis(g, params)
    for i in range(g.n):
        exposed, near_base = ffi.exposed_ffi_at(g, params, i)
        assert exposed == bool(banks[i])
        if exposed:
            assert ffi.explain_ffi(g, params, i, near_base) == ffi.explain_ffi(g, params, i, base)
