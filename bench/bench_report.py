"""Exposure graph drawing and case report rendering: how long they take.

    python bench/bench_report.py [--entities 200000] [--hub 50000]

A synthetic graph: ``--entities`` companies, about two supply ties each, one in a thousand
listed, and one hub supplying ``--hub`` of them. Prints the time to select and draw the
hub's graph (capped as rules/report.yaml says), to select a plain entity's, and to render
the seed's JAC Motors report as HTML and as PDF.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import numpy as np

from riskengine.derive.base import RegimeArrays
from riskengine.domain import Dataset, Entity, Relationship, Source
from riskengine.engine import evaluate, score
from riskengine.graph import GraphData
from riskengine.report.build import case_report
from riskengine.report.case import Header
from riskengine.report.graph_select import Caps, select
from riskengine.report.graph_svg import exposure_svg
from riskengine.report.html import render_html
from riskengine.report.pdf import render_pdf
from riskengine.report.ties import drawn_ties
from riskengine.ruleset.bundled import bundled_rules_dir
from riskengine.ruleset.loader import load_rules
from riskengine.ruleset.report import ReportRules

DAY = date(2024, 6, 1)


def synthetic(n: int, hub: int) -> Dataset:
    rng = np.random.default_rng(7)
    src = Source(source="bench")
    a, b = rng.integers(0, n, 2 * n), rng.integers(0, n, 2 * n)
    pairs = [(int(x), int(y)) for x, y in zip(a, b, strict=True) if x != y]
    pairs += [(0, int(k)) for k in rng.choice(np.arange(1, n), hub, replace=False)]
    return Dataset(entities=tuple(Entity(id=f"e{i}", name=f"Company {i}") for i in range(n)),
                   relationships=tuple(Relationship(id=f"r{k}", a=f"e{x}", b=f"e{y}",
                                                    kind="component_supply", source=src)
                                       for k, (x, y) in enumerate(pairs)))


def timed(label: str, make: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    out = make()
    print(f"{label}: {1000 * (time.perf_counter() - start):.1f} ms")
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entities", type=int, default=200_000)
    parser.add_argument("--hub", type=int, default=50_000)
    args = parser.parse_args()
    g = GraphData.from_dataset(synthetic(args.entities, args.hub)).at(DAY)
    listed = np.zeros(g.n, dtype=np.bool_)
    listed[::1000] = True
    listed[0] = False
    none = np.zeros(g.n, dtype=np.bool_)
    verdicts = {"us": RegimeArrays("us", listed, none, none, listed)}
    rules = ReportRules()
    caps = Caps(3, rules.ties_per_node, rules.max_nodes)
    print(f"graph: {g.n} entities, {len(g.relation)} ties; hub with {args.hub} ties")
    for who in (0, 1):
        sel = timed(f"select e{who}", lambda who=who: select(g, verdicts, who, caps))
        svg = timed(f"facts and SVG of e{who}", lambda sel=sel: exposure_svg(
            sel, drawn_ties(g, sel.links), {}, "x", "2024-06-01"))
        print(f"  e{who}: {len(sel.parties)} parties, {len(sel.links)} ties drawn of "
              f"{sel.included} qualifying; +more {sum(p.more for p in sel.parties)}; "
              f"{len(svg) / 1024:.0f} KiB SVG")
    seed_rules = load_rules(bundled_rules_dir())
    ev = evaluate(GraphData.from_dataset(seed_rules.scenario), seed_rules, DAY)
    result = score(ev, "jac")
    header = Header(entity_id="jac", entity_name=result.entity.name, as_of=DAY,
                    rules_hash="r", data_hash="d", generated_at=datetime(2026, 1, 1),
                    generated_by="bench")
    report = case_report(ev, result, header, Caps(seed_rules.scoring.max_depth))
    timed("JAC report HTML", lambda: render_html(report))
    data = timed("JAC report PDF", lambda: render_pdf(report))
    assert isinstance(data, bytes)
    print(f"  PDF {len(data) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
