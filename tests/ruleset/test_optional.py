"""Optional rule files (ingest, merges, alerts, retention, screening): `rules check`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from riskengine.ingest.editions import IngestRules
from riskengine.ruleset.loader import check_rules
from riskengine.ruleset.optional import load_optional, optional_models

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    for name in ("regimes.yaml", "scoring.yaml"):
        shutil.copy(ROOT / "rules" / name, tmp_path / name)
    return tmp_path


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("alerts.yaml", "score_move_treshold: 5\n",
         "alerts.yaml:1:1: unknown key 'score_move_treshold'"),
        ("ingest.yaml", "max_delisted_share: 2\n", "ingest.yaml:1:21: expected a number"),
        ("screening.yaml", "threshold: high\n", "screening.yaml:1:"),
        ("merges.yaml", "force: [[a, b]\n", "merges.yaml:"),
        ("retention.yaml", "retention_yeras: 5\n",
         "retention.yaml:1:1: unknown key 'retention_yeras'"),
    ],
)
def test_broken_optional_file_is_reported(rules: Path, name: str, text: str, expected: str) -> None:
    (rules / name).write_text(text, encoding="utf-8")
    problems = check_rules(rules)
    assert len(problems) == 1
    assert problems[0].startswith(str(rules / expected.split(":", 1)[0]))
    assert expected.split(":", 1)[1] in problems[0]


def test_bundled_optional_files_are_valid() -> None:
    for name, model in optional_models().items():
        assert (ROOT / "rules" / name).is_file(), name
        assert load_optional(ROOT / "rules", name, model) is not None


def test_absent_file_gives_defaults(tmp_path: Path) -> None:
    assert load_optional(tmp_path, "ingest.yaml", IngestRules) == IngestRules()
