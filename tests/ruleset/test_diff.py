"""diff_rules: each kind of rule edit said in plain words (pure: models in, lines out)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from riskengine.domain import Dataset, Entity, Relationship, Source
from riskengine.ruleset.diff import diff_lines, diff_rules
from riskengine.ruleset.loader import load_rules
from riskengine.ruleset.models import Regime, RuleSet
from riskengine.runs.changes import AlertRules
from tests.conftest import ROOT

BASE = load_rules(ROOT / "rules")


def _scoring(**changes: object) -> Callable[[RuleSet], RuleSet]:
    return lambda r: r.model_copy(update={"scoring": r.scoring.model_copy(update=changes)})


def _regimes(change: Callable[[tuple[Regime, ...]], tuple[Regime, ...]]
             ) -> Callable[[RuleSet], RuleSet]:
    return lambda r: r.model_copy(update={"regimes": r.regimes.model_copy(
        update={"regimes": change(r.regimes.regimes)})})


def _scenario(change: Callable[[Dataset], Dataset]) -> Callable[[RuleSet], RuleSet]:
    return lambda r: r.model_copy(update={"scenario": change(r.scenario)})


TIE = Relationship(id="new-tie", a="jac", b="kamaz", kind="financing",
                   source=Source(source="rules", note="loan", file="scenario/x.yaml", line=3))

CASES: list[tuple[str, Callable[[RuleSet], RuleSet], str]] = [
    ("decay", _scoring(decay=0.7),
     "scoring.yaml: decay: 0.5 -> 0.7 (multiplier per hop after the first)"),
    ("weight added", lambda r: _scoring(regime_weights={**r.scoring.regime_weights,
                                                        "fr": 0.2})(r),
     "scoring.yaml: regime_weights.fr: added: 0.2"),
    ("weight removed", lambda r: _scoring(regime_weights={
        k: v for k, v in r.scoring.regime_weights.items() if k != "ca"})(r),
     "scoring.yaml: regime_weights.ca: removed (was 0.1)"),
    ("regime removed", _regimes(lambda rs: tuple(x for x in rs if x.code != "un")),
     "regimes.yaml: un: regime removed (United Nations"),
    ("regime renamed", _regimes(lambda rs: tuple(
        x.model_copy(update={"name": "UN"}) if x.code == "un" else x for x in rs)),
     "regimes.yaml: un: name 'United Nations"),
    ("tie added", _scenario(lambda d: d.model_copy(update={
        "relationships": (*d.relationships, TIE)})),
     "scenario: relationship 'new-tie': added: jac -[financing, active]-> kamaz "
     "(scenario/x.yaml:3)"),
    ("entity removed", _scenario(lambda d: d.model_copy(update={
        "entities": tuple(e for e in d.entities if e.id != "byd")})),
     "scenario: entity 'byd': removed: "),
    ("entity renamed", _scenario(lambda d: d.model_copy(update={"entities": tuple(
        e.model_copy(update={"name": "X"}) if e.id == "byd" else e for e in d.entities)})),
     "scenario: entity 'byd': changed: name "),
]


@pytest.mark.parametrize(("label", "edit", "line"), CASES, ids=[c[0] for c in CASES])
def test_each_edit_in_plain_words(label: str, edit: Callable[[RuleSet], RuleSet],
                                  line: str) -> None:
    found = diff_lines(diff_rules(BASE, edit(BASE)))
    assert len(found) >= 1
    assert any(text.startswith(line) for text in found), found


def test_no_edit_no_difference() -> None:
    assert diff_lines(diff_rules(BASE, BASE)) == ["no differences"]


def test_moving_a_fact_in_its_file_is_no_difference() -> None:
    moved = _scenario(lambda d: d.model_copy(update={"relationships": tuple(
        r.model_copy(update={"source": r.source.model_copy(update={"line": 999})})
        for r in d.relationships)}))(BASE)
    assert diff_rules(BASE, moved) == []


def test_optional_files_are_compared_field_by_field() -> None:
    found = diff_lines(diff_rules(BASE, BASE, {"alerts.yaml": AlertRules()},
                                  {"alerts.yaml": AlertRules(score_move_threshold=5)}))
    assert found == ["alerts.yaml: score_move_threshold: 10 -> 5 (smallest score move (points, "
                     "0-100 scale) reported as a change)"]


def test_entities_are_described_when_added() -> None:
    extra = Entity(id="acme", name="Acme", country="de")
    found = diff_lines(diff_rules(BASE, _scenario(lambda d: d.model_copy(update={
        "entities": (*d.entities, extra)}))(BASE)))
    assert found == ["scenario: entity 'acme': added: Acme (company, de)"]
