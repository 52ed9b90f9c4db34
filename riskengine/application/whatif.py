"""What would change, before it counts (issue 16): a rule edit's differences in plain words
(``rules_diff``), the whole book scored under proposed rules against the current ones
(``dry_run``: nothing stored but an audit entry naming the proposed rules), and one party
scored with hypothetical facts (``score_with``: "what if JAC signs with Moskvich").

Both scorings of a dry run use the whole-graph arrays (``whatif_books``): the book under
the rules in use is kept beside the compiled graph and read again; the proposed rules are
evaluated on the same graph (verdicts derived once when the regimes are the same), their tie
exposure updated from the kept one, and get a graph of their own only when their scenario
entities or merges differ. What-if facts are appended to the compiled graph's arrays
(``compiled.whatif``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskengine.application import base, runs, service
from riskengine.application.whatif_books import books, graph_id
from riskengine.settings import Settings

if TYPE_CHECKING:
    from riskengine.compiled.use import Loaded
    from riskengine.coverage import Sources
    from riskengine.domain import Dataset
    from riskengine.overrides import Override
    from riskengine.result import ScoreResult
    from riskengine.ruleset.diff import Difference
    from riskengine.ruleset.models import RuleSet
    from riskengine.runs.changes import Change
    from riskengine.runs.whatif import Mover


def rules_diff(settings: Settings, directory: Path, against: Path | None = None
               ) -> list[Difference]:
    """Differences from ``against`` (default: the rules in use) to ``directory``; both
    must be valid rules directories (RuleErrors otherwise)."""
    from riskengine.ruleset.diff import diff_rules
    from riskengine.ruleset.loader import load_rules
    from riskengine.ruleset.optional import load_optional, optional_models

    old_dir = against or base.rules_dir(settings)
    old, new = load_rules(old_dir), load_rules(directory)
    models = optional_models()
    return diff_rules(old, new, {n: load_optional(old_dir, n, m) for n, m in models.items()},
                      {n: load_optional(directory, n, m) for n, m in models.items()})


# --- dry run ------------------------------------------------------------------------------

@dataclass(frozen=True)
class DryRun:
    """What rescoring under the proposed rules would change, against the rules in use."""

    as_of: date
    proposed: Path
    proposed_hash: str  # sha256 of the proposed rule files (as a run's rules snapshot)
    proposed_rules_hash: str  # RuleSet.content_hash of the proposed rules
    current_rules_hash: str
    entities: int
    changes: list[Change]
    movers: list[Mover]
    audit_entry: int
    graph: str  # "shared": one graph scored twice; "shared+ties": with the proposed
    # scenario's new ties appended; "own": the proposed rules' own compiled graph

    def head_json(self) -> dict[str, Any]:
        """Everything but the changes: what was compared, counts per kind, top movers."""
        from riskengine.runs.whatif import summary

        return {"as_of": self.as_of.isoformat(), "proposed_rules": str(self.proposed),
                "proposed_rule_files_hash": self.proposed_hash,
                "proposed_rules_hash": self.proposed_rules_hash,
                "current_rules_hash": self.current_rules_hash, "entities": self.entities,
                "graph": self.graph, "audit_entry": self.audit_entry,
                **summary(self.changes, self.movers)}

    def to_json_dict(self) -> dict[str, Any]:
        return {**self.head_json(),
                "changes": [c.model_dump(mode="json") for c in self.changes]}


def dry_run(settings: Settings, proposed: Path, as_of: date, actor: str, top: int = 10
            ) -> DryRun:
    """Score every entity under the rules in use and under ``proposed`` (same data, date
    and overrides) and compare, as ``changes`` compares two runs (``rules/alerts.yaml`` of
    the rules in use). Nothing is stored but the audit entry."""
    from riskengine.ruleset.snapshot import digest, encode, read_rule_files
    from riskengine.runs.whatif import compare_books, top_movers

    other = settings.model_copy(update={"rules_dir": proposed})
    current, new_rules = base.load_rules(settings), base.load_rules(other)  # both validated
    files_hash = digest(encode(read_rule_files(proposed)))
    with base.open_store(settings) as store:
        before, after, how = books(settings, other, store, as_of)
    found = compare_books(before, after, runs.alert_rules(settings))
    movers = top_movers(before, after, top)
    details = {"proposed_rules": str(proposed), "as_of": as_of.isoformat(),
               "entities": len(after.ids), "changes": len(found)}
    entry = runs.record(settings, actor, "rescore.dry_run", details,
                        {"proposed_rule_files": files_hash,
                         "proposed_rules": new_rules.content_hash})
    return DryRun(as_of, proposed, files_hash, new_rules.content_hash, current.content_hash,
                  len(after.ids), found, movers, entry.id or 0, how)


# --- what-if facts ------------------------------------------------------------------------

@dataclass(frozen=True)
class WhatIf:
    """One party scored with and without hypothetical facts (``without`` None: a party the
    data does not hold, defined by the what-if file)."""

    file: Path
    file_hash: str
    with_facts: ScoreResult
    without: ScoreResult | None

    def difference(self) -> dict[str, Any]:
        from riskengine.runs.table import contribution_parts

        before = self.without
        old = contribution_parts(before) if before else {}
        new = contribution_parts(self.with_facts)
        parts = {k: {"before": old.get(k, 0.0), "after": new.get(k, 0.0),
                     "delta": round(new.get(k, 0.0) - old.get(k, 0.0), 2)}
                 for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)}
        return {"score": {"before": before.score if before else None,
                          "after": self.with_facts.score,
                          "delta": round(self.with_facts.score - (before.score if before
                                                                  else 0.0), 2)},
                "band": {"before": before.band if before else None,
                         "after": self.with_facts.band},
                "regimes": _regime_moves(before, self.with_facts), "parts": parts,
                "new_contributions": _new_contributions(before, self.with_facts)}

    def to_json_dict(self) -> dict[str, Any]:
        return {"file": str(self.file), "file_hash": self.file_hash,
                "with": self.with_facts.to_json_dict(),
                "without": self.without.to_json_dict() if self.without else None,
                "difference": self.difference()}


def _regime_moves(before: ScoreResult | None, after: ScoreResult) -> dict[str, Any]:
    """Verdicts that differ (for a new party: those that are not plainly clear)."""
    found = {}
    for code, v in after.regimes.items():
        old = before.regimes.get(code) if before else None
        plain = v.status in ("clear", "not_covered") and not v.possibly_blocked
        if (old is None and not plain) or (
                old is not None and (old.status, old.blocked) != (v.status, v.blocked)):
            found[code] = {"before": old.status if old else None, "after": v.status,
                           "blocked": v.blocked}
    return found


def _key(c: Any) -> tuple[str, str | None, tuple[str, ...]]:
    return c.factor, c.regime, tuple(p.id for p in c.path)


def _new_contributions(before: ScoreResult | None, after: ScoreResult) -> list[dict[str, Any]]:
    known = {_key(c) for c in before.contributions} if before else set()
    return [c.model_dump(mode="json", exclude_none=True) for c in after.contributions
            if _key(c) not in known]


def score_with(settings: Settings, query: str, file: Path, as_of: date, actor: str
               ) -> WhatIf:
    """``query`` scored as of ``as_of`` with the hypothetical facts of ``file`` (scenario
    format; its facts may name entities of the data by id) and without them; recorded in
    the audit log. The query may name an entity the file defines."""
    from riskengine.application.coverage import stored_sources
    from riskengine.ruleset.snapshot import digest

    raw = _read(file)
    overrides, sources = base.stored_overrides(settings), stored_sources(settings)
    with service.compiled_graph(settings) as (loaded, rules, _store):
        extra = _whatif_facts(loaded, file, raw)
        target, how = _target(settings, loaded, extra, query, file)
        with_facts = _scored_with(loaded, rules, extra, target, (as_of, overrides, sources))
        without = (None if target in {e.id for e in extra.entities} else
                   _scored_plain(loaded, rules, target, (as_of, overrides, sources)))
    result = WhatIf(file, digest(raw), with_facts.model_copy(update={"match": how}),
                    without if without is None else without.model_copy(update={"match": how}))
    details = {"query": query, "entity": target, "as_of": as_of.isoformat(),
               "score": with_facts.score, "band": with_facts.band,
               "score_without": without.score if without else None, "with": str(file)}
    runs.record(settings, actor, "score.whatif", details, {"whatif_file": result.file_hash})
    return result


def _read(file: Path) -> bytes:
    from riskengine.errors import InputError

    try:
        return file.read_bytes()
    except OSError as exc:
        raise InputError(str(file), f"cannot read file: {exc.strerror}") from None


def _whatif_facts(loaded: Loaded, file: Path, raw: bytes) -> Dataset:
    """The file's facts (RuleErrors naming path:line:col for every problem): entities new to
    the data, facts naming them or the data's entities by id (record ids included)."""
    from riskengine.errors import RuleErrors
    from riskengine.ruleset.scenario_checks import build_scenario
    from riskengine.ruleset.yamlpos import parse_bytes

    doc, problems = parse_bytes(str(file), raw)
    if doc is None or problems:
        raise RuleErrors([str(p) for p in problems] or [f"{file}: cannot read file"])
    extra, found = build_scenario([(file.name, doc)],
                                  known=lambda ref: graph_id(loaded, ref) is not None)
    lines = [str(p) for p in found]
    for k, entity in enumerate(extra.entities):
        if graph_id(loaded, entity.id) is not None:
            line = doc.at(("entities", k, "id"), f"entity {entity.id!r} is already in the "
                          f"data: name it in the facts instead of defining it")
            lines.append(str(line))
    if lines:
        raise RuleErrors(lines)
    return _cited(extra)


WHATIF_SOURCE = "what-if"


def _cited(extra: Dataset) -> Dataset:
    """Hypothetical facts cite themselves as such: the default source key ``rules`` of the
    scenario format becomes ``what-if`` (the file and line stay)."""
    def cite(fact: Any) -> Any:
        if fact.source.source != "rules":
            return fact
        return fact.model_copy(update={"source": fact.source.model_copy(
            update={"source": WHATIF_SOURCE})})

    return extra.model_copy(update={name: tuple(cite(f) for f in getattr(extra, name))
                                    for name in ("designations", "ownerships", "controls",
                                                 "relationships")})


def _target(settings: Settings, loaded: Loaded, extra: Dataset, query: str, file: Path
            ) -> tuple[str, str]:
    """(entity id, how ``query`` matched): an entity the file defines (id, name or alias),
    else the data's (exact id, name or alias)."""
    from riskengine.names import normalise

    wanted = normalise(query)
    for entity in extra.entities:
        if query == entity.id or wanted in {normalise(n) for n in entity.all_names()}:
            return entity.id, f"defined in {file.name}: {query!r}"
    found = service.find_entity(settings, query, loaded)
    return found.entity_id, found.how


_Job = tuple[date, "list[Override]", "Sources"]


def _scored_with(loaded: Loaded, rules: RuleSet, extra: Dataset, target: str, job: _Job
                 ) -> ScoreResult:
    """The explained score of ``target`` on the graph with ``extra`` appended (overrides
    checked against the stored facts, as without: only the hypothetical facts differ)."""
    from riskengine.compiled.facts import facts_about
    from riskengine.compiled.whatif import with_facts
    from riskengine.engine import evaluate, score, with_overrides

    as_of, overrides, sources = job
    data = with_facts(loaded.data, extra, lambda ref: graph_id(loaded, ref) or ref)
    facts = facts_about(loaded.facts, loaded.data, [o.entity_id for o in overrides])
    ev, found = with_overrides(evaluate(data, rules, as_of), facts, overrides)
    return score(ev, target, found, sources)


def _scored_plain(loaded: Loaded, rules: RuleSet, target: str, job: _Job) -> ScoreResult:
    from riskengine.engine import score

    as_of, overrides, sources = job
    ev, found = service.compiled_evaluation(loaded, rules, as_of, overrides)
    return score(ev, target, found, sources)
