"""`rules check` warnings: valid but suspicious values, each at the line and column of the
value that causes it; the bundled rules have none."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from riskengine.errors import RuleErrors
from riskengine.ruleset.warnings import rule_warnings
from tests.conftest import ROOT


def _rules(tmp_path: Path, rel: str, old: str, new: str) -> tuple[Path, int]:
    """The bundled rules with ``old`` replaced once by ``new`` in ``rel``; the edited line."""
    target = tmp_path / "r"
    shutil.copytree(ROOT / "rules", target)
    text = (target / rel).read_text(encoding="utf-8")
    assert old in text, old
    at = text.index(old)
    (target / rel).write_text(text[:at] + new + text[at + len(old):], encoding="utf-8")
    return target, text[:at].count("\n") + 1 + new[:len(new) - len(new.lstrip("\n"))].count("\n")


CASES = [
    ("regimes.yaml", "threshold: 50", "threshold: 25", "us threshold 25% is outside the legal "
                                                        "range 50%"),
    ("scoring.yaml", "  us: 0.5", "  us: 0.9", "one direct active tie (ownership.owned_by 1) "
                                                "to a party blocked under us scores 90 points"),
    ("scoring.yaml", "blocked_score: 100.0", "blocked_score: 90.0", "blocked_score 90 is below"),
    ("scoring.yaml", "  active: 1.0", "  active: 0.35", "status.prospective 0.4 weighs more "
                                                         "than an active tie (0.35)"),
    ("scoring.yaml", "decay: 0.5", "decay: 1.0", "decay 1: a tie 3 hops away counts as much"),
    ("scoring.yaml", "{name: severe, min_score: 60}", "{name: severe, min_score: 97}",
     "band 'severe' starts at 97, above the unblocked cap 95"),
]


def test_bundled_rules_have_no_warnings() -> None:
    assert rule_warnings(ROOT / "rules") == []


@pytest.mark.parametrize(("rel", "old", "new", "message"), CASES)
def test_each_warning_points_at_its_value(tmp_path: Path, rel: str, old: str, new: str,
                                          message: str) -> None:
    directory, line = _rules(tmp_path, rel, old, new)
    found = rule_warnings(directory)
    assert len(found) >= 1
    mine = [w for w in found if message in w]
    assert len(mine) >= 1, found
    where = re.match(rf"{re.escape(str(directory / rel))}:(\d+):(\d+): warning: ", mine[0])
    assert where is not None, mine[0]
    assert int(where.group(1)) == line + (1 if "active: 0.35" in new else 0)  # prospective


def test_other_listing_dominates_only_with_the_stricter_share(tmp_path: Path) -> None:
    directory, _line = _rules(tmp_path, "checks.yaml", "dominant_share: 0.9",
                              "dominant_share: 0.25")
    found = rule_warnings(directory)
    assert any("other_listing 0.5 alone scores 25 points" in w for w in found), found


def test_an_invalid_checks_file_is_an_error(tmp_path: Path) -> None:
    directory, _line = _rules(tmp_path, "checks.yaml", "dominant_share: 0.9",
                              "dominant_share: 2")
    with pytest.raises(RuleErrors, match=r"checks\.yaml:\d+:\d+: "):
        rule_warnings(directory)
