"""Finding the rules directory: --rules option, RISKENGINE_RULES, bundled rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskengine.ruleset.bundled import bundled_rules_dir, resolve_rules_dir
from tests.ruleset.conftest import REAL_RULES


def test_bundled_rules_in_a_source_checkout() -> None:
    found = bundled_rules_dir()
    assert found.resolve() == REAL_RULES.resolve()
    assert (found / "regimes.yaml").is_file() and (found / "scoring.yaml").is_file()


@pytest.mark.parametrize(
    ("option", "env", "expected"),
    [
        (Path("/opt/mine"), {"RISKENGINE_RULES": "/etc/env"}, Path("/opt/mine")),
        (None, {"RISKENGINE_RULES": "/etc/env"}, Path("/etc/env")),
        (None, {"RISKENGINE_RULES": "  "}, None),
        (None, {"OTHER": "x"}, None),
    ],
)
def test_resolve_rules_dir(option: Path | None, env: dict[str, str], expected: Path | None) -> None:
    assert resolve_rules_dir(option, env) == (expected or bundled_rules_dir())


def test_bundled_rules_in_an_installed_wheel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wheel carries rules/ as riskengine/_bundled_rules; that copy wins when present."""
    (tmp_path / "_bundled_rules").mkdir()
    monkeypatch.setattr("importlib.resources.files", lambda package: tmp_path)
    assert bundled_rules_dir() == tmp_path / "_bundled_rules"
