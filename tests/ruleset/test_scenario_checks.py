"""Scenario problems: each broken snippet gives exactly the expected positioned messages."""

from __future__ import annotations

import pytest

from riskengine.ruleset.loader import check_rules
from tests.ruleset.conftest import MakeRules

BASE = """\
entities:
  - {id: kamaz, name: KAMAZ}
  - {id: nefaz, name: NEFAZ}
  - {id: rostec, name: Rostec}
  - {id: x, name: X}
"""

F = "r/scenario/t.yaml"

SNIPPETS = [
    # (scenario/t.yaml text, expected problems); scenario/base.yaml (BASE) is always present
    ("entities:\n  - id: a\n    name: A\n    wieght: 1\n",
     [f"{F}:4:5: unknown key 'wieght' (allowed: id, kind, name, aliases, country, identifiers,"
      " sector, source)"]),
    ("entities:\n  - id: a\n    name: A\n    aliases: KAMAZ\n",
     [f"{F}:4:14: expected a list, got 'KAMAZ'"]),
    ("entities:\n  - {id: kamaz, name: Again}\n",
     [f"{F}:2:10: duplicate entity id 'kamaz' (first defined at r/scenario/base.yaml:2:5)"]),
    ("designations:\n  - {entity: kamazz, regime: us, source: {note: n}}\n",
     [f"{F}:2:14: unknown entity 'kamazz' (did you mean 'kamaz'?)"]),
    ("designations:\n  - {entity: zzz, regime: us, source: {note: n}}\n",
     [f"{F}:2:14: unknown entity 'zzz'"]),
    ("designations:\n  - {entity: x, regime: us}\n",
     [f"{F}:2:5: missing required key 'source' (every fact needs one, with a note or a"
      " record_id)"]),
    ("designations:\n  - {entity: x, regime: us, source: {url: 'https://x'}}\n",
     [f"{F}:2:37: a source needs at least a note or a record_id"]),
    ("designations:\n  - {entity: x, source: {note: n}}\n",
     [f"{F}:2:5: missing required key 'regime'"]),
    ("designations:\n  - {entity: x, regime: us, from: 2023-01-01, to: 2022-01-01,"
     " source: {note: n}}\n",
     [f"{F}:2:51: 'from' 2023-01-01 is after 'to' 2022-01-01"]),
    ("designations:\n  - {entity: x, regime: us, from: 2022, source: {note: n}}\n",
     [f"{F}:2:35: expected a date (YYYY-MM-DD), got 2022"]),
    ("ownerships:\n  - {owner: x, asset: kamaz, share: 120, source: {note: n}}\n",
     [f"{F}:2:37: share 120 is outside 0-100"]),
    ("ownerships:\n  - {owner: x, asset: kamaz, share: '60-40', source: {note: n}}\n",
     [f"{F}:2:37: share range 60-40 is reversed"]),
    ("ownerships:\n  - {owner: x, asset: x, share: 10, source: {note: n}}\n",
     [f"{F}:2:23: 'x' owns itself"]),
    ("ownerships:\n  - {asset: x, share: 10, source: {note: n}}\n",
     [f"{F}:2:5: missing required key 'owner'"]),
    ("ownerships:\n"
     "  - {owner: kamaz, asset: nefaz, share: 50.01, from: 2020-01-01, source: {note: n}}\n"
     "  - {owner: x, asset: nefaz, share: 80.49, from: 2023-01-01, source: {note: n}}\n",
     [f"{F}:3:5: stakes in 'nefaz' add up to 130.5% on 2023-01-01 (owners: kamaz 50.01%,"
      " x 80.49%)"]),
    ("ownerships:\n"
     "  - {owner: kamaz, asset: nefaz, share: 60, to: 2023-01-01, source: {note: n}}\n"
     "  - {owner: x, asset: nefaz, share: 60, from: 2023-01-01, source: {note: n}}\n",
     []),
    ("ownerships:\n"
     "  - {owner: kamaz, asset: nefaz, share: 60, source: {note: n}}\n"
     "  - {owner: x, asset: nefaz, share: '50-60', source: {note: n}}\n"
     "  - {owner: rostec, asset: nefaz, share: unknown, source: {note: n}}\n",
     [f"{F}:2:5: stakes in 'nefaz' add up to 110% from the start (owners: kamaz 60%,"
      " x 50-60%)"]),
    ("controls:\n  - {id: c1, controller: x, controlled: kamaz, kind: state, source: {note: n}}\n"
     "  - {id: c1, controller: x, controlled: nefaz, kind: trust, source: {note: n}}\n",
     [f"{F}:3:10: duplicate fact id 'c1' (first used at {F}:2:10)"]),
    ("controls:\n  - {controller: x, controlled: kamaz, kind: owner, source: {note: n}}\n",
     [f"{F}:2:46: unknown kind 'owner' (allowed: board_appointment, voting_agreement,"
      " dominant_influence, management, state, trust, nominee, joint_arrangement)"]),
    ("relationships:\n  - {a: x, b: kamaz, kind: officer, hs_codes: [8707], source: {note: n}}\n",
     [f"{F}:2:48: expected text, got 8707 (put it in quotes to make it text)"]),
    ("relationships:\n  - {a: x, b: kamaz, kind: officer, source: {note: n}}\n"
     "  - {id: t:relationship:0, a: x, b: nefaz, kind: officer, source: {note: n}}\n",
     [f"{F}:3:10: duplicate fact id 't:relationship:0' (first used at {F}:2:5)"]),
    ("entities:\n  - id: a\n    name: [A\n",
     [f"{F}:4:1: YAML syntax error: expected ',' or ']', but got '<stream end>' (while"
      " parsing a flow sequence at line 3, column 11)"]),
    ("relationships: {a: x}\n", [f"{F}:1:16: expected a list, got a mapping"]),
    ("- 1\n", [f"{F}:1:1: expected a mapping with sections entities, designations, ownerships,"
               " controls, relationships; got a list"]),
    ("", []),
]


@pytest.mark.parametrize(("text", "expected"), SNIPPETS)
def test_broken_scenario_snippets(make_rules: MakeRules, text: str, expected: list[str]) -> None:
    root = make_rules({"scenario/base.yaml": BASE, "scenario/t.yaml": text})
    assert check_rules(root) == expected


def test_later_files_may_define_referenced_entities(make_rules: MakeRules) -> None:
    early = "designations:\n  - {entity: late, regime: us, source: {note: n}}\n"
    late = "entities:\n  - {id: late, name: Defined later}\n"
    root = make_rules({"scenario/a.yaml": early, "scenario/z.yaml": late})
    assert check_rules(root) == []


def test_only_yaml_files_in_scenario_are_read(make_rules: MakeRules) -> None:
    root = make_rules({"scenario/notes.txt": "not: [yaml", "scenario/old.yml": "- broken"})
    assert check_rules(root) == []
