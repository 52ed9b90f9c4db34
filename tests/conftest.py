"""Shared fixtures. Real list files live in ../shared/data (CI has it; a user's clone may not)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest_plugins = ["tests.pgfixture"]

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SHARED_DATA = Path(os.environ.get("RISKENGINE_SHARED_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture
def shared_data() -> Path:
    """The real public list files. Skips, visibly, where the folder is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real list files not found at {SHARED_DATA} (set RISKENGINE_SHARED_DATA)")
    return SHARED_DATA


@pytest.fixture
def rules_dir() -> Path:
    return ROOT / "rules"


@pytest.fixture(autouse=True)
def _private_cache(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
                   ) -> None:
    """Caches (validated rules, compiled graphs of PostgreSQL stores) go to the test run's
    temporary folder, never into the user's ~/.cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))
