"""`riskengine rules check`, ambiguous queries, --rules/RISKENGINE_RULES and --debug."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOLDEN_BAD = ROOT / "tests" / "ruleset" / "golden" / "rules_bad.txt"

TWINS = """\
entities:
  - id: acme-ru
    name: Acme Trading
    country: ru
  - id: acme-cn
    name: ACME Trading
    country: cn
"""


@pytest.fixture
def twin_rules(tmp_path: Path) -> Path:
    """Bundled regime and scoring rules with a scenario where one name fits two entities."""
    rules = tmp_path / "rules"
    (rules / "scenario").mkdir(parents=True)
    for name in ("regimes.yaml", "scoring.yaml"):
        shutil.copy(ROOT / "rules" / name, rules / name)
    (rules / "scenario" / "twins.yaml").write_text(TWINS, encoding="utf-8")
    return rules


def test_bundled_rules_check_ok(cli) -> None:  # type: ignore[no-untyped-def]
    run = cli("rules", "check")
    assert run.code == 0, run.err
    assert "rules OK" in run.out


def test_broken_rules_report_every_problem(cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(ROOT)
    run = cli("rules", "check", "fixtures/rules_bad")
    assert run.code == 2
    assert run.err.splitlines() == GOLDEN_BAD.read_text(encoding="utf-8").splitlines()


def test_score_with_broken_rules_exits_2(cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(ROOT)
    run = cli("--rules", "fixtures/rules_bad", "score", "KAMAZ")
    assert run.code == 2
    assert "fixtures/rules_bad/" in run.err
    assert "Traceback" not in run.err


def test_ambiguous_query_lists_candidates(cli, twin_rules: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("--rules", str(twin_rules), "score", "acme trading")
    assert run.code == 4
    assert "acme-ru" in run.err and "acme-cn" in run.err
    assert cli("--rules", str(twin_rules), "score", "acme-cn").code == 0


def test_rules_dir_from_environment(cli, twin_rules: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("RISKENGINE_RULES", str(twin_rules))
    assert cli("score", "KAMAZ").code == 3  # not in this rule set
    assert cli("score", "acme-ru", "--format", "json").json()["entity"]["id"] == "acme-ru"


def test_debug_shows_traceback(cli) -> None:  # type: ignore[no-untyped-def]
    run = cli("--debug", "score", "No Such Company Ltd")
    assert run.code == 3  # the same exit code as without --debug
    assert "Traceback (most recent call last)" in run.err and "no entity named" in run.err


def test_factors_are_described(cli) -> None:  # type: ignore[no-untyped-def]
    run = cli("rules", "factors")
    assert run.code == 0
    assert "tie_exposure:" in run.out and "blocked:" in run.out
