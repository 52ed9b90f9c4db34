"""Helpers for rule-file tests: small rules directories written under tmp_path."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REAL_RULES = ROOT / "rules"
SCENARIO_FIXTURE = ROOT / "fixtures" / "rules_scenario" / "scenario"

MakeRules = Callable[[dict[str, str]], Path]


@pytest.fixture
def make_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MakeRules:
    """Build ``r/`` (relative, cwd = tmp_path) from the real regimes/scoring plus given files.

    Problems then read ``r/scenario/x.yaml:3:5: ...``. Texts are dedented.
    """
    monkeypatch.chdir(tmp_path)

    def make(files: dict[str, str]) -> Path:
        root = Path("r")
        (root / "scenario").mkdir(parents=True, exist_ok=True)
        for name in ("regimes.yaml", "scoring.yaml"):
            shutil.copy(REAL_RULES / name, root / name)
        for rel, text in files.items():
            (root / rel).write_text(textwrap.dedent(text), encoding="utf-8")
        return root

    return make


@pytest.fixture
def fixture_scenario(make_rules: MakeRules) -> Path:
    """A rules dir with the real regimes/scoring and the small made-up scenario fixture."""
    root = make_rules({})
    for path in SCENARIO_FIXTURE.glob("*.yaml"):
        shutil.copy(path, root / "scenario" / path.name)
    return root
