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
        "ingest/merge_evidence.py", "ingest/merge_links.py", "ingest/continued.py",
        "screening/match.py", "screening/normalise.py", "screening/index.py", "runs",
        "overrides.py", "coverage.py"]
ALLOWED = ("riskengine.lists.base",  # the ListEdition data type, no I/O
           "riskengine.ingest.editions",  # pure itself (in PURE, checked here)
           "riskengine.ingest.merge_evidence", "riskengine.ingest.merge_links",  # likewise
           "riskengine.ingest.continued")
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
        "heavy = [m for m in ('pandas', 'scipy', 'numpy', 'sqlalchemy', 'networkx', 'pydantic') "
        "if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert "Usage" in out
    assert out.strip().endswith("HEAVY=")


def test_the_store_does_not_import_the_orm() -> None:
    # The schema is Core tables: sqlalchemy.orm would add about 0.25 s to every command.
    code = ("import sys\nimport riskengine.store.store, riskengine.application.service\n"
            "print('ORM=' + str('sqlalchemy.orm' in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "ORM=False"


def test_the_package_never_imports_scipy() -> None:
    # scipy is a bench-only extra (the reference implementation of bench/bench_kernels.py):
    # importing it cost a cold `score` about 0.15 s, and an install without it must work.
    found = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
             if any(m.split(".")[0] == "scipy" for m in _imports(ast.parse(p.read_text())))]
    assert found == []


# --- layers: core < application < adapters (cli, api); no cycles --------------------------

MODULES = {".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__"):
           p for p in PACKAGE.rglob("*.py")}
ADAPTERS = ("riskengine.cli", "riskengine.api")
UI_MODULES = ("typer", "click", "rich", "fastapi", "starlette", "uvicorn")
WEB = "riskengine.web"  # the service's pages: part of its adapter (riskengine.api mounts them)


def _runtime_imports(path: Path) -> set[str]:
    """The riskengine modules ``path`` imports when run (lazy imports included; imports under
    ``if TYPE_CHECKING:`` are for the type checker only). ``from pkg import mod`` names
    the module ``pkg.mod``, not the package."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(sub) for node in ast.walk(tree) if isinstance(node, ast.If)
                   and "TYPE_CHECKING" in ast.dump(node.test) for sub in ast.walk(node)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            subs = {f"{node.module}.{a.name}" for a in node.names} & MODULES.keys()
            found |= subs or {node.module}
    return found


def _import_graph() -> dict[str, set[str]]:
    return {m: {t for t in _runtime_imports(p) if t in MODULES and t != m}
            for m, p in MODULES.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    import networkx as nx

    g = nx.DiGraph([(a, b) for a, targets in graph.items() for b in targets])
    return sorted(sorted(c) for c in nx.strongly_connected_components(g) if len(c) > 1)


def test_no_import_cycles() -> None:
    assert _cycles(_import_graph()) == []


def test_cycle_finder_finds_a_cycle() -> None:  # the check above can fail
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("module", sorted(m for m in MODULES
                                          if m.startswith("riskengine.application")))
def test_application_layer_knows_no_adapter(module: str) -> None:
    found = {m for m in _runtime_imports(MODULES[module])
             if m.startswith(ADAPTERS) or m.split(".")[0] in UI_MODULES}
    assert found == set(), f"{module} imports adapter or UI modules {sorted(found)}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith(ADAPTERS)))
def test_adapters_do_not_import_each_other(module: str) -> None:
    own = next(a for a in ADAPTERS if module.startswith(a))
    others = tuple(a for a in ADAPTERS if a != own)
    found = {m for m in _runtime_imports(MODULES[module]) if m.startswith(others)}
    assert found == set(), f"{module} imports another adapter: {sorted(found)}"


@pytest.mark.parametrize("module", sorted(
    m for m in MODULES if not m.startswith((*ADAPTERS, "riskengine.application", WEB))
    and m not in ("riskengine.__main__",)))
def test_below_the_application_layer_nothing_imports_it(module: str) -> None:
    found = {m for m in _runtime_imports(MODULES[module])
             if m.startswith((*ADAPTERS, "riskengine.application"))}
    assert found == set(), f"{module} imports a layer above it: {sorted(found)}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES
                                          if m.startswith(("riskengine.application",
                                                           "riskengine.compiled"))))
def test_use_cases_read_no_environment(module: str) -> None:  # Settings.build reads it
    source = MODULES[module].read_text(encoding="utf-8")
    assert [c for c in ("os.environ", "os.getenv") if c in source] == []
