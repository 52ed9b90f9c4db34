"""The SVG drawing: parses, draws exactly the selected parties and ties, the same bytes
for the same inputs, "+N more" on a capped hub, and the golden drawings of KAMAZ and JAC on
the bundled seed (regenerate: RISKENGINE_REGOLD=1 pytest tests/report)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from defusedxml import ElementTree

from riskengine.engine import Evaluation, evaluate, score
from riskengine.graph import GraphData
from riskengine.report.graph_select import Caps, path_weights, select
from riskengine.report.graph_svg import exposure_svg
from riskengine.report.ties import drawn_ties
from riskengine.ruleset.bundled import bundled_rules_dir
from riskengine.ruleset.loader import load_rules
from tests.report.helpers import graph_of, verdicts_of

GOLDEN = Path(__file__).parent / "golden"
NS = "{http://www.w3.org/2000/svg}"
DAY = date(2024, 6, 1)


@pytest.fixture(scope="module")
def seed() -> Evaluation:
    rules = load_rules(bundled_rules_dir())
    return evaluate(GraphData.from_dataset(rules.scenario), rules, DAY)


def drawing(ev: Evaluation, entity: str) -> str:
    result = score(ev, entity)
    sel = select(ev.graph, ev.verdicts, ev.graph.index[entity],
                 Caps(ev.rules.scoring.max_depth), result)
    return exposure_svg(sel, drawn_ties(ev.graph, sel.links), path_weights(result)[0],
                        result.entity.name, DAY.isoformat())


def groups(svg: str, kind: str) -> list[dict[str, str]]:
    root = ElementTree.fromstring(svg.encode())
    return [dict(g.attrib) for g in root.iter(f"{NS}g")
            if g.get("class", "").split()[0] == kind]


@pytest.mark.parametrize("entity", ["kamaz", "jac"])
def test_golden_drawing_on_the_seed(seed: Evaluation, entity: str) -> None:
    svg = drawing(seed, entity)
    path = GOLDEN / f"{entity}-{DAY.isoformat()}.svg"
    if os.environ.get("RISKENGINE_REGOLD"):
        path.write_text(svg, encoding="utf-8")
    assert svg == path.read_text(encoding="utf-8")


def test_the_same_inputs_give_the_same_bytes(seed: Evaluation) -> None:
    assert drawing(seed, "jac") == drawing(seed, "jac")


def test_every_drawn_tie_is_a_fact_of_the_seed(seed: Evaluation) -> None:
    facts = {o.id: (o.owner, o.asset) for o in seed.rules.scenario.ownerships}
    facts |= {c.id: (c.controller, c.controlled) for c in seed.rules.scenario.controls}
    facts |= {r.id: (r.a, r.b) for r in seed.rules.scenario.relationships}
    for entity in ("kamaz", "jac", "rostec"):
        svg = drawing(seed, entity)
        parties = {g["data-id"] for g in groups(svg, "party")}
        for tie in groups(svg, "tie"):
            assert facts[tie["data-id"]] == (tie["data-from"], tie["data-to"])
            assert {tie["data-from"], tie["data-to"]} <= parties


def test_jac_is_drawn_with_its_ties_to_listed_kamaz_and_moskvich(seed: Evaluation) -> None:
    svg = drawing(seed, "jac")
    parties = {g["data-id"]: g for g in groups(svg, "party")}
    assert {"jac", "kamaz", "moskvich", "jag"} <= parties.keys()
    assert "us" in parties["kamaz"]["data-blocked"].split()
    assert parties["jac"]["data-blocked"] == ""
    strong = [t["data-id"] for t in groups(svg, "tie") if "strongest" in t["class"]]
    assert strong == ["jac-kamaz-licence"]  # the contribution with the most points


def test_a_hub_shows_plus_n_more() -> None:
    g = graph_of(301, [(0, k, "rel") for k in range(1, 301)])
    sel = select(g, verdicts_of(301, {7}), 0, Caps(3, 10, 60))
    svg = exposure_svg(sel, drawn_ties(g, sel.links), {}, "Party 0", DAY.isoformat())
    more = groups(svg, "more")
    assert [(m["data-of"], m["data-count"]) for m in more] == [("e0", "290")]
    assert "+290 more" in svg
    assert len(groups(svg, "party")) == 11 and len(groups(svg, "tie")) == 10
