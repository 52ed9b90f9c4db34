"""load_rules / check_rules: whole directories, regimes.yaml and scoring.yaml problems, hashing."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from pydantic import BaseModel

from riskengine.domain import CONTROL_KINDS, RELATION_KINDS
from riskengine.errors import RuleErrors
from riskengine.ruleset.loader import check_rules, load_rules
from riskengine.ruleset.models import (
    ControlWeights,
    HubDamping,
    OwnershipWeights,
    ScoringRules,
    StatusWeights,
)
from tests.ruleset.conftest import REAL_RULES, ROOT, MakeRules

GOLDEN = Path(__file__).parent / "golden" / "rules_bad.txt"
REQUIRED = ("regimes.yaml", "scoring.yaml")
NEEDS = "(a rules directory needs regimes.yaml and scoring.yaml)"

MIN_REGIMES = """\
regimes:
  - code: us
    name: United States
    periods:
      - {threshold: 50, inclusive: true, note: OFAC}
  - code: eu
    name: European Union
    periods:
      - {to: 2024-07-03, inclusive: false}
      - {from: 2024-07-03, inclusive: true}
"""

MIN_SCORING = """\
regime_weights: {us: 0.5, eu: 0.25}
control:
  controlled_by: {board_appointment: 0.8, voting_agreement: 0.8, dominant_influence: 0.7,
    management: 0.6, state: 0.7, trust: 0.7, nominee: 0.9, joint_arrangement: 0.3}
relationships:
  joint_venture: {weight: 0.6}
  technology_licence: {weight: 0.5, regimes: {us: 0.6}}
  technology_partner: {weight: 0.5}
  component_supply: {weight: 0.4}
  contract_assembly: {weight: 0.4}
  distribution: {weight: 0.25}
  financing: {weight: 0.5}
  officer: {weight: 0.6}
bands:
  - {name: blocked, min_score: 100}
  - {name: low, min_score: 1}
  - {name: none, min_score: 0}
"""


def test_minimal_rule_files_are_fine(make_rules: MakeRules) -> None:
    root = make_rules({"regimes.yaml": MIN_REGIMES, "scoring.yaml": MIN_SCORING})
    rules = load_rules(root)
    assert rules.regimes.params("eu", date(2024, 7, 2)).inclusive is False
    assert rules.scoring.relationships["technology_licence"].for_regime("us") == 0.6


BROKEN_RULE_FILES = [
    # (file, text, expected problems)
    ("regimes.yaml", MIN_REGIMES.replace("threshold: 50", "threshhold: 50"),
     ["r/regimes.yaml:5:10: unknown key 'threshhold' (allowed: from, to, ownership_test,"
      " threshold, inclusive, control_kinds, joint_arrangements_aggregate,"
      " joint_arrangement_partners, export_affiliates, note)"]),
    ("regimes.yaml", MIN_REGIMES.replace("threshold: 50", "threshold: fifty"),
     ["r/regimes.yaml:5:21: expected a number, got 'fifty'"]),
    ("regimes.yaml", MIN_REGIMES.replace("threshold: 50", "threshold: 120"),
     ["r/regimes.yaml:5:21: expected a number of at most 100, got 120"]),
    ("regimes.yaml", MIN_REGIMES.replace("inclusive: true, note", "ownership_test: sum, note"),
     ["r/regimes.yaml:5:41: unknown ownership_test 'sum' (allowed: aggregate, per_person, none)"]),
    ("regimes.yaml", MIN_REGIMES.replace("    name: European Union\n", ""),
     ["r/regimes.yaml:6:5: missing required key 'name'"]),
    ("regimes.yaml", MIN_REGIMES.replace("code: eu", "code: us"),
     ["r/regimes.yaml:6:11: duplicate regime code 'us' (first used by regime 1)"]),
    ("regimes.yaml", MIN_REGIMES.replace("{from: 2024-07-03,", "{from: 2024-01-01,"),
     ["r/regimes.yaml:10:9: period 2 overlaps period 1"]),
    ("regimes.yaml", MIN_REGIMES.replace("{to: 2024-07-03,", "{from: 2025-01-01, to: 2024-07-03,"),
     ["r/regimes.yaml:9:32: 'from' 2025-01-01 is not before 'to' 2024-07-03"]),
    ("regimes.yaml", MIN_REGIMES.replace("{to: 2024-07-03,", "{to: 2024-07-32,"),
     ["r/regimes.yaml:9:14: invalid date '2024-07-32' (day is out of range for month)"]),
    ("regimes.yaml", MIN_REGIMES.replace("note: OFAC}", "note: OFAC"),
     ["r/regimes.yaml:6:9: YAML syntax error: expected ',' or '}', but got ':'"
      " (while parsing a flow mapping at line 5, column 9)"]),
    ("regimes.yaml", "", ["r/regimes.yaml:1:1: file is empty"]),
    ("scoring.yaml", MIN_SCORING.replace("venture: {weight", "venture: {wieght"),
     ["r/scoring.yaml:6:18: missing required key 'weight'",
      "r/scoring.yaml:6:19: unknown key 'wieght' (allowed: weight, regimes, note)"]),
    ("scoring.yaml", MIN_SCORING.replace("{us: 0.5, eu", "{us: abc, eu"),
     ["r/scoring.yaml:1:22: expected a number, got 'abc'"]),
    ("scoring.yaml", MIN_SCORING.replace("{us: 0.5, eu", "{us: 1.5, eu"),
     ["r/scoring.yaml:1:22: weight 1.5 is outside 0-1"]),
    ("scoring.yaml", MIN_SCORING.replace("  officer: {weight: 0.6}\n", ""),
     ["r/scoring.yaml:5:1: missing weights for officer (every kind needs one)"]),
    ("scoring.yaml", MIN_SCORING.replace("state: 0.7", "stat: 0.7"),
     ["r/scoring.yaml:3:3: missing weights for state (every kind needs one)",
      "r/scoring.yaml:4:22: unknown key 'stat' (allowed: board_appointment, voting_agreement,"
      " dominant_influence, management, state, trust, nominee, joint_arrangement)"]),
    ("scoring.yaml", MIN_SCORING.replace("min_score: 1}", "min_score: 200}"),
     ["r/scoring.yaml:16:28: band 'low' starts above the band before it (list highest first)",
      "r/scoring.yaml:16:28: expected a number of at most 100, got 200"]),
    ("scoring.yaml", MIN_SCORING.replace("name: none, min_score: 0", "name: none, min_score: 0.5"),
     ["r/scoring.yaml:17:29: the last band must start at 0, got 0.5"]),
    ("scoring.yaml", MIN_SCORING + "max_depth: 9\n",
     ["r/scoring.yaml:18:12: expected a number of at most 6, got 9"]),
    ("scoring.yaml", MIN_SCORING.replace("bands:", "bands: []\nold_bands:"),
     ["r/scoring.yaml:14:8: expected at least 1 item(s), got 0",
      "r/scoring.yaml:15:1: unknown key 'old_bands' (allowed: scale, blocked_score,"
      " unblocked_cap, possibly_blocked, other_listing, export_affiliate, ffi_secondary,"
      " max_depth, decay, min_strength, explained_paths,"
      " regime_weights, default_regime_weight, hub_damping, ownership, control,"
      " relationships, status, bands)"]),
]


@pytest.mark.parametrize(("name", "text", "expected"), BROKEN_RULE_FILES)
def test_broken_rule_files(
    make_rules: MakeRules, name: str, text: str, expected: list[str]
) -> None:
    files = {"regimes.yaml": MIN_REGIMES, "scoring.yaml": MIN_SCORING, name: text}
    assert check_rules(make_rules(files)) == expected


def test_unknown_key_points_at_the_key(make_rules: MakeRules) -> None:
    text = "entities:\n  - id: a\n    name: A\n    sektor: auto\n"
    problems = check_rules(make_rules({"scenario/s.yaml": text}))
    assert len(problems) == 1
    assert problems[0].startswith("r/scenario/s.yaml:4:5: unknown key 'sektor' (allowed: id,")


def test_load_rules_raises_every_problem(make_rules: MakeRules) -> None:
    text = "entities:\n  - id: a\n    kind: firm\n    name: A\n  - name: B\n"
    with pytest.raises(RuleErrors) as caught:
        load_rules(make_rules({"scenario/s.yaml": text}))
    assert caught.value.problems == [
        "r/scenario/s.yaml:3:11: unknown kind 'firm' (allowed: company, person, organisation,"
        " public_body, vessel, financial_institution, unknown)",
        "r/scenario/s.yaml:5:5: missing required key 'id'",
    ]
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("missing_dir", ["{d}: rules directory not found"]),
        ("file", ["{d}: is not a directory"]),
        ("empty_dir", [f"{{d}}/{name}: file not found {NEEDS}" for name in REQUIRED]),
    ],
)
def test_missing_directory_or_files(tmp_path: Path, setup: str, expected: list[str]) -> None:
    target = tmp_path / "rules"
    if setup == "file":
        target.write_text("x")
    elif setup == "empty_dir":
        target.mkdir()
    assert check_rules(target) == [line.format(d=target) for line in expected]


def test_golden_problem_list(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many different errors at once; RISKENGINE_UPDATE_GOLDEN=1 rewrites the golden file."""
    monkeypatch.chdir(ROOT)
    problems = check_rules(Path("fixtures") / "rules_bad")
    if os.environ.get("RISKENGINE_UPDATE_GOLDEN"):
        GOLDEN.write_text("\n".join(problems) + "\n", encoding="utf-8")
    assert problems == GOLDEN.read_text(encoding="utf-8").splitlines()


def test_content_hash_tracks_file_contents(fixture_scenario: Path) -> None:
    first = load_rules(fixture_scenario).content_hash
    assert first == load_rules(fixture_scenario).content_hash
    scoring = fixture_scenario / "scoring.yaml"
    scoring.write_text(scoring.read_text() + "# a comment changes the bytes\n")
    second = load_rules(fixture_scenario).content_hash
    ties = fixture_scenario / "scenario" / "ties.yaml"
    ties.rename(ties.with_name("ties2.yaml"))
    third = load_rules(fixture_scenario).content_hash
    assert len({first, second, third}) == 3
    assert len(first) == 64


def test_real_rules_directory_loads(rules_dir: Path) -> None:
    """The bundled rules, including whatever seed scenario is checked in, have no problems."""
    assert check_rules(rules_dir) == []
    assert load_rules(rules_dir).regimes.get("us") is not None


def test_real_regimes_and_scoring(fixture_scenario: Path) -> None:
    rules = load_rules(fixture_scenario)
    regimes, scoring = rules.regimes, rules.scoring
    us, uk, un = (regimes.params(c, date(2024, 1, 1)) for c in ("us", "uk", "un"))
    eu_before, eu_after = (regimes.params("eu", date(2024, 7, d)) for d in (2, 3))
    assert (us.ownership_test, us.threshold, us.inclusive, us.control_kinds) == (
        "aggregate", 50, True, ())
    assert "398" in us.note and "401" in us.note
    assert (eu_before.inclusive, eu_after.inclusive) == (False, True)
    assert "state" in eu_after.control_kinds
    assert (uk.ownership_test, uk.inclusive, uk.joint_arrangements_aggregate) == (
        "per_person", False, True)
    assert "regulation 7" in uk.note and "4.14" in uk.note
    assert un.ownership_test == "none"
    assert regimes.params("xx", date(2024, 1, 1)) == regimes.default
    every_period = [p for r in regimes.regimes for p in r.periods] + [regimes.default]
    assert all(p.note for p in every_period)
    assert set(scoring.relationships) == set(RELATION_KINDS)
    assert set(scoring.control.controlled_by) == set(CONTROL_KINDS)
    assert [b.name for b in scoring.bands] == ["blocked", "severe", "high", "medium", "low", "none"]
    assert scoring.regime_weights == {"us": 0.5, "eu": 0.25, "uk": 0.25, "un": 0.25, "ca": 0.1}


def test_every_scoring_field_is_set_and_commented() -> None:
    """Each ScoringRules field (and nested field) is set, with a comment on or above its line."""
    lines = (REAL_RULES / "scoring.yaml").read_text(encoding="utf-8").splitlines()
    nested: list[type[BaseModel]] = [HubDamping, OwnershipWeights, ControlWeights, StatusWeights]
    names = [*ScoringRules.model_fields, *(f for m in nested for f in m.model_fields)]
    for name in names:
        index = next(i for i, ln in enumerate(lines) if ln.lstrip().startswith(f"{name}:"))
        above = lines[index - 1].lstrip() if index else ""
        assert "#" in lines[index] or above.startswith("#"), name
