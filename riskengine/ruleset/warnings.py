"""Values that are valid but suspicious, for ``riskengine rules check``: each a warning at
``path:line:col``, never an error (the rules still load and run).

* a threshold outside the regime's legal range (``rules/checks.yaml``: the statutes fix 50%
  for the US, EU, UK and Canada; a stricter internal policy can widen the range there);
* a weight that lets one factor dominate every score: one direct, active, full-strength tie
  to a party blocked under a regime (or a possible block, or a non-blocking listing) alone
  reaches ``dominant_share`` of the unblocked cap, so every entity with such a tie scores
  the same and the ranking says nothing;
* orderings that invert the model's meaning: a blocked entity scoring below the unblocked
  cap, a prospective or ended tie weighing more than an active one, no decay with distance,
  a band no unblocked entity can reach.

The limits are data (``CheckRules``, ``rules/checks.yaml``, optional: defaults when absent).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from riskengine.ruleset.loader import REGIMES_FILE, SCORING_FILE, load_rules
from riskengine.ruleset.models import RuleSet, ScoringRules
from riskengine.ruleset.optional import load_optional
from riskengine.ruleset.yamlpos import Loc, Problem, YamlDoc, parse_bytes

CHECKS_FILE = "checks.yaml"


class LegalRange(BaseModel):
    """The ownership thresholds the law of one regime allows (percent, both ends included)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min: float = Field(ge=0, le=100, description="lowest threshold the law allows")
    max: float = Field(ge=0, le=100, description="highest threshold the law allows")
    note: str = Field("", description="the legal basis")


class CheckRules(BaseModel):
    """``rules/checks.yaml``: what ``rules check`` warns about (valid but suspicious)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    legal_thresholds: dict[str, LegalRange] = Field(
        default_factory=dict, description="regime code -> the thresholds its law allows")
    dominant_share: float = Field(
        1.0, gt=0, le=1, description="warn when one direct, active tie alone reaches this "
                                     "share of unblocked_cap (1: the cap itself)")
    description: str | None = Field(None, description="free text for the analyst")


def rule_warnings(directory: Path) -> list[str]:
    """Warnings of a valid rules directory as 'path:line:col: warning: message' (RuleErrors
    when the directory or its checks.yaml is invalid)."""
    rules = load_rules(directory)
    checks = load_optional(directory, CHECKS_FILE, CheckRules)
    regimes, scoring = _doc(directory, REGIMES_FILE), _doc(directory, SCORING_FILE)
    found = [*_thresholds(regimes, rules, checks), *_dominance(scoring, rules.scoring, checks),
             *_orderings(scoring, rules.scoring)]
    return [f"{p.path}:{p.line}:{p.col}: warning: {p.message}" for p in sorted(found)]


def _doc(directory: Path, name: str) -> YamlDoc:
    doc, _problems = parse_bytes(str(directory / name), (directory / name).read_bytes())
    assert doc is not None  # load_rules parsed it already
    return doc


def _thresholds(doc: YamlDoc, rules: RuleSet, checks: CheckRules) -> Iterator[Problem]:
    for i, regime in enumerate(rules.regimes.regimes):
        legal = checks.legal_thresholds.get(regime.code)
        for j, p in enumerate(regime.periods):
            if legal is None or p.ownership_test == "none":
                continue
            if not legal.min <= p.threshold <= legal.max:
                span = f"{legal.min:g}%" if legal.min == legal.max else \
                    f"{legal.min:g}-{legal.max:g}%"
                yield doc.at(("regimes", i, "periods", j, "threshold"),
                             f"{regime.code} threshold {p.threshold:g}% is outside the legal "
                             f"range {span} ({legal.note or CHECKS_FILE})")


def strongest_tie(scoring: ScoringRules, code: str) -> tuple[float, str]:
    """(weight, what) of the strongest single direct tie for regime ``code``."""
    found = [(scoring.ownership.owned_by, "ownership.owned_by"),
             (scoring.ownership.owns, "ownership.owns"),
             (scoring.control.controls, "control.controls")]
    found += [(w, f"control.controlled_by.{k}") for k, w in scoring.control.controlled_by.items()]
    found += [(r.for_regime(code), f"relationships.{k}") for k, r in scoring.relationships.items()]
    return max(found)


def _dominance(doc: YamlDoc, scoring: ScoringRules, checks: CheckRules) -> Iterator[Problem]:
    limit = checks.dominant_share * scoring.unblocked_cap
    weights: list[tuple[Loc, str, float]] = [
        (("regime_weights", code), code, w) for code, w in scoring.regime_weights.items()]
    weights.append((("default_regime_weight",), "(not listed)", scoring.default_regime_weight))
    for loc, code, w in weights:
        tie, what = strongest_tie(scoring, code)
        points = scoring.scale * w * tie * scoring.status.active
        if points >= limit:
            yield doc.at(loc, f"one direct active tie ({what} {tie:g}) to a party blocked under "
                              f"{code} scores {points:g} points (scale {scoring.scale:g} x weight "
                              f"{w:g} x tie {tie:g} x active {scoring.status.active:g}), at or "
                              f"above {limit:g} of the unblocked cap "
                              f"{scoring.unblocked_cap:g}: that factor dominates every score")
    top = max([*scoring.regime_weights.values(), scoring.default_regime_weight])
    for name in ("possibly_blocked", "other_listing"):
        points = scoring.scale * top * getattr(scoring, name)
        if points >= limit:
            yield doc.at((name,), f"{name} {getattr(scoring, name):g} alone scores {points:g} "
                                  f"points under the heaviest regime weight {top:g}, at or "
                                  f"above {limit:g}: that factor dominates every score")


def _orderings(doc: YamlDoc, s: ScoringRules) -> Iterator[Problem]:
    if s.blocked_score < s.unblocked_cap:
        yield doc.at(("blocked_score",), f"blocked_score {s.blocked_score:g} is below "
                                         f"unblocked_cap {s.unblocked_cap:g}: a blocked "
                                         f"entity can score below an unblocked one")
    for name in ("prospective", "ended"):
        weight = getattr(s.status, name)
        if weight > s.status.active:
            yield doc.at(("status", name), f"status.{name} {weight:g} weighs more than an "
                                           f"active tie ({s.status.active:g})")
    if s.decay >= 1 and s.max_depth > 1:
        yield doc.at(("decay",), f"decay {s.decay:g}: a tie {s.max_depth} hops away counts as "
                                 f"much as a direct one")
    for k, band in enumerate(s.bands[1:], start=1):
        if band.min_score > s.unblocked_cap:
            yield doc.at(("bands", k, "min_score"),
                         f"band {band.name!r} starts at {band.min_score:g}, above the unblocked "
                         f"cap {s.unblocked_cap:g}: no unblocked entity can reach it (the "
                         f"top band is kept for blocked entities)")
