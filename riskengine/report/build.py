"""A case report from an evaluation and the entity's explained result (pure: the facts are
read through the graph's ``Facts``, which a compiled graph reads on demand)."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

from riskengine.engine import Evaluation
from riskengine.report.case import CaseReport, Cited, Header, cited, distinct
from riskengine.report.graph_select import Caps, Selection, path_weights, select
from riskengine.report.graph_svg import exposure_svg
from riskengine.report.ties import DrawnTie, drawn_ties
from riskengine.result import PathItem, ScoreResult


def case_report(ev: Evaluation, result: ScoreResult, header: Header, caps: Caps,
                overrides: tuple[str, ...] = ()) -> CaseReport:
    """The report of ``result``'s entity on ``ev`` (the evaluation it was scored on)."""
    g = ev.graph
    sel = select(g, ev.verdicts, g.index[result.entity.id], caps, result)
    ties = drawn_ties(g, sel.links)
    svg = exposure_svg(sel, ties, path_weights(result)[0], result.entity.name,
                       result.as_of.isoformat())
    sources = distinct([*_entity_sources(ev, result), *_listing_sources(ev, result),
                        *_tie_sources(ev, ties)])
    return CaseReport(header=header, result=result, graph_svg=svg, sources=sources,
                      overrides=overrides, graph_note=graph_note(sel, len(ties), caps))


def graph_note(sel: Selection, ties: int, caps: Caps) -> str:
    hidden = sum(p.more for p in sel.parties)
    note = (f"{len(sel.parties)} parties and {ties} ties drawn: the entity's own ties and "
            f"every tie on a walk of at most {caps.max_depth} hops to a blocked party "
            f"({sel.included} such ties in all). Red: blocked; amber: possibly blocked; "
            f"red ties: on the score's evidence paths (thicker: more points).")
    if hidden:
        note += (f" {hidden} tied parties left out (at most {caps.ties_per_node} new "
                 f"parties per party, {caps.max_nodes} in all): see '+N more'.")
    return note


def _name(ev: Evaluation, entity_id: str) -> str:
    i = ev.graph.index.get(entity_id)
    names = ev.graph.dataset.names
    return (names[i] or entity_id) if i is not None else entity_id


def _entity_sources(ev: Evaluation, result: ScoreResult) -> Iterator[Cited]:
    entity = ev.graph.dataset.entities[ev.graph.index[result.entity.id]]
    for source in entity.sources:
        yield cited(f"{entity.name}: entity record", source)


def _paths(result: ScoreResult) -> Iterator[tuple[PathItem, ...]]:
    yield from (c.path for c in result.contributions)
    yield from (e.path for v in result.regimes.values() for e in v.evidence)


def _listing_sources(ev: Evaluation, result: ScoreResult) -> Iterator[Cited]:
    """The designation of every listing on an evidence path (the entity before it is the
    one listed)."""
    for path in _paths(result):
        for before, item in pairwise(path):
            if item.type != "listing" or before.type != "entity":
                continue
            for d in ev.graph.dataset.designations_of(before.id):
                if d.id == item.id:
                    yield cited(f"{_name(ev, before.id)}: {item.label}", d.source)


def _tie_sources(ev: Evaluation, ties: tuple[DrawnTie, ...]) -> Iterator[Cited]:
    for t in ties:
        yield cited(f"{_name(ev, t.src)} → {_name(ev, t.dst)}: {t.label}", t.origin)
