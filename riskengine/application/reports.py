"""The case report use case (``riskengine report``, the entity page's "Download PDF").

The report is built on the evaluation its score came from: as of a date, on the data and
rules in use (the CLI's compiled graph, or the service's warm version), or from a stored
run's own inputs (facts snapshot, rule files and the overrides known when it started:
what we knew then). The rendered file's sha256 is appended to the audit log, under the
caller's name, before the file is handed back: a filed report can always be matched to the
log entry that says who made it, when, from which data and rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal

from riskengine.application import base, service
from riskengine.settings import Settings

if TYPE_CHECKING:
    from riskengine.application.users import User
    from riskengine.application.warm import Version, Warm
    from riskengine.engine import Evaluation, Overrides
    from riskengine.report.case import CaseReport, Header
    from riskengine.report.graph_select import Caps
    from riskengine.result import ScoreResult

Format = Literal["html", "pdf"]
REPORT_RULES_FILE = "report.yaml"
MEDIA = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}


@dataclass(frozen=True)
class Rendered:
    """A rendered report: its bytes, their sha256 (in the audit log) and the report."""

    data: bytes
    sha256: str
    fmt: Format
    report: CaseReport

    @property
    def media_type(self) -> str:
        return MEDIA[self.fmt]


def caps(settings: Settings, max_depth: int) -> Caps:
    from riskengine.report.graph_select import Caps
    from riskengine.ruleset.report import ReportRules

    found = base.rule_file(settings, REPORT_RULES_FILE, ReportRules)
    return Caps(max_depth, found.ties_per_node, found.max_nodes)


def _header(result: ScoreResult, rules_hash: str, data_hash: str, actor: str,
            at: datetime) -> Header:
    from riskengine.report.case import Header

    return Header(entity_id=result.entity.id, entity_name=result.entity.name,
                  as_of=result.as_of, run=result.run, rules_hash=rules_hash,
                  data_hash=data_hash, generated_at=at, generated_by=actor)


def _in_force(found: Overrides, entity_id: str) -> tuple[str, ...]:
    from riskengine.application.overrides import override_line

    return tuple(override_line(o, "active") for o in found.active if o.entity_id == entity_id)


def _assemble(settings: Settings, ev: Evaluation, found: Overrides, result: ScoreResult,
              header: Header) -> CaseReport:
    from riskengine.report.build import case_report

    return case_report(ev, result, header, caps(settings, ev.rules.scoring.max_depth),
                       _in_force(found, result.entity.id))


def current(settings: Settings, query: str, as_of: date, actor: str, at: datetime
            ) -> CaseReport:
    """The report on the data and rules in use, as of ``as_of`` (the CLI)."""
    from riskengine.application.audit_writer import RuleFiles
    from riskengine.application.coverage import stored_sources
    from riskengine.engine import score

    overrides = base.stored_overrides(settings)
    with service.compiled_graph(settings) as (loaded, rules, store):
        entity_id, how = service.resolve_on(loaded, query, _fuzzy(settings, as_of))
        ev, found = service.compiled_evaluation(loaded, rules, as_of, overrides)
        result = score(ev, entity_id, found, stored_sources(settings, store)).model_copy(
            update={"match": how})
        header = _header(result, RuleFiles.read(base.rules_dir(settings)).snapshot,
                         store.data_version(), actor, at)
        return _assemble(settings, ev, found, result, header)


def _fuzzy(settings: Settings, as_of: date) -> Callable[[str], tuple[str, str]]:
    """No exact id, name or alias: the score command's own matcher decides (one confident
    match, else AmbiguousError)."""

    def fallback(text: str) -> tuple[str, str]:
        found = service.score_query(settings, text, as_of)
        return found.entity.id, found.match or "matched by the screening matcher"

    return fallback


def of_run(settings: Settings, query: str, run_id: int | None, actor: str, at: datetime
           ) -> CaseReport:
    """The report of what run ``run_id`` (the latest when None) gave the entity, drawn on
    the run's own facts, rules and overrides (the result checked against the run's row)."""
    from riskengine.application.reproduce import pinned_rules, reproduce, stored_inputs
    from riskengine.engine import with_overrides

    result = reproduce(settings, query, run_id)
    with base.open_store(settings) as store:
        wanted = base.run_or_latest(store, result.run)
        inputs = stored_inputs(store, wanted)
        overrides = base.stored_overrides(settings, known_at=wanted.started_at, store=store)
    then = settings.model_copy(update={"known_at": wanted.started_at})
    with pinned_rules(then, inputs.rule_files) as pinned:
        ev, facts = service.evaluation(pinned, wanted.as_of, inputs.stored)
        ev, found = with_overrides(ev, facts, overrides)
        header = _header(result, wanted.rules_snapshot or wanted.rules_hash,
                         wanted.facts_hash or wanted.data_snapshot, actor, at)
        return _assemble(pinned, ev, found, result, header)


def render(report: CaseReport, fmt: Format) -> Rendered:
    from riskengine.report.case import sha256
    from riskengine.report.html import render_html
    from riskengine.report.pdf import render_pdf

    data = render_pdf(report) if fmt == "pdf" else render_html(report).encode()
    return Rendered(data, sha256(data), fmt, report)


def audit_details(query: str, made: Rendered) -> dict[str, object]:
    r = made.report.result
    return {"query": query, "entity": r.entity.id, "as_of": r.as_of.isoformat(),
            "run": r.run, "score": r.score, "band": r.band, "format": made.fmt,
            "sha256": made.sha256, "bytes": len(made.data)}


def report(settings: Settings, query: str, as_of: date | None, run: int | None,
           fmt: Format, actor: str, today: date) -> Rendered:
    """The rendered report (``riskengine report``), its hash recorded under ``actor``."""
    from riskengine.application import runs
    from riskengine.errors import InputError

    at = base.now()
    if run is not None and as_of is not None:
        raise InputError("--as-of", "not with --run: a run is reproduced as of its own date")
    found = (of_run(settings, query, run, actor, at) if run is not None
             else current(settings, query, as_of or today, actor, at))
    made = render(found, fmt)
    runs.record(settings, actor, "report", audit_details(query, made),
                {"data_version": found.header.data_hash})
    return made


def on_version(warm: Warm, v: Version, query: str, as_of: date | None, run: int | None,
               user: User) -> CaseReport:
    """The report on the service's warm version (or from a stored run), unrendered (the
    entity page shows it; ``served_report`` renders and records it)."""
    from riskengine.engine import score

    at = base.now()
    if run is not None:
        return of_run(warm.settings, query, run, user.name, at)
    day = as_of or at.date()
    entity_id, how = service.resolve_on(v.loaded, query, lambda text: service.fuzzy_on(
        v.screening(warm.settings, day).screener, text))
    ev, found = v.evaluation(day)
    result = warm.result(v, (day, entity_id), lambda: score(ev, entity_id, found, v.sources)
                         ).model_copy(update={"match": how})
    header = _header(result, v.files.snapshot, v.stamp.data, user.name, at)
    return _assemble(warm.settings, ev, found, result, header)


def served_report(warm: Warm, v: Version, query: str, as_of: date | None, run: int | None,
                  fmt: Format, user: User) -> Rendered:
    """``on_version`` rendered, its hash in the audit log under the user's name."""
    made = render(on_version(warm, v, query, as_of, run, user), fmt)
    details = audit_details(query, made) | {"via": "web"}
    warm.audit.append(user.name, "report", details, {"data_version": v.stamp.data}, v.files,
                      base.now())
    return made


def viewed(warm: Warm, v: Version, query: str, found: CaseReport, user: User) -> None:
    """Record an entity page shown (a score request, as the API records one)."""
    r = found.result
    details = {"query": query, "entity": r.entity.id, "as_of": r.as_of.isoformat(),
               "score": r.score, "band": r.band, "run": r.run, "via": "web"}
    warm.audit.append(user.name, "score", details, {"data_version": v.stamp.data}, v.files,
                      base.now())
