"""The import direction and start-up cost are part of the design: enforce them."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "riskengine"
PURE = ["domain.py", "graph.py", "result.py", "engine.py", "names.py", "derive", "exposure",
        "ruleset/models.py", "ingest/editions.py", "ingest/merge.py", "ingest/ties.py",
        "ingest/merge_evidence.py", "ingest/merge_links.py",
        "screening/match.py", "screening/normalise.py", "screening/index.py", "runs",
        "overrides.py", "coverage.py"]
ALLOWED = ("riskengine.lists.base",  # the ListEdition data type, no I/O
           "riskengine.ingest.editions",  # pure itself (in PURE, checked here)
           "riskengine.ingest.merge_evidence", "riskengine.ingest.merge_links")  # likewise
FORBIDDEN_MODULES = ("sqlalchemy", "typer", "click", "rich", "alembic", "riskengine.store",
                     "riskengine.cli", "riskengine.ingest", "riskengine.lists")
FORBIDDEN_CALLS = ("date.today", "datetime.now", "datetime.utcnow", "os.environ", "os.getenv",
                   "time.time")


def _pure_files() -> list[Path]:
    files: list[Path] = []
    for entry in PURE:
        path = PACKAGE / entry
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return files


def _imports(tree: ast.AST) -> list[str]:
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


@pytest.mark.parametrize("path", _pure_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_pure_core_imports_no_io(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    bad = [m for m in _imports(tree) if m.startswith(FORBIDDEN_MODULES) and m not in ALLOWED]
    assert bad == [], f"{path.name} imports I/O-side modules {bad}"
    calls = [c for c in FORBIDDEN_CALLS if c in source]
    assert calls == [], f"{path.name} reads the clock or environment: {calls}"


def test_help_does_not_import_heavy_modules() -> None:
    code = (
        "import sys\n"
        "sys.argv = ['riskengine', '--help']\n"
        "from riskengine.cli.app import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('pandas', 'scipy', 'numpy', 'sqlalchemy', 'networkx') "
        "if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert "Usage" in out
    assert out.strip().endswith("HEAVY=")
