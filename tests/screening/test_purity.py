"""The matcher is pure: no database, CLI, list readers, clock or environment."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "riskengine" / "screening"
PURE = ["normalise.py", "index.py", "match.py", "config.py", "report.py"]
FORBIDDEN = ("sqlalchemy", "typer", "click", "rich", "riskengine.store", "riskengine.cli",
             "riskengine.ingest", "riskengine.lists", "os", "datetime", "time")


@pytest.mark.parametrize("name", PURE)
def test_matcher_modules_import_no_io(name: str) -> None:
    tree = ast.parse((PACKAGE / name).read_text(encoding="utf-8"))
    imported = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    imported += [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module]
    bad = [m for m in imported if m.split(".")[0] in FORBIDDEN or m.startswith(FORBIDDEN)]
    assert bad == []
