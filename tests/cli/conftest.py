"""Run the real console entry point in-process, with its error boundary and exit codes."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from riskengine.cli.app import main


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    def json(self) -> dict:  # type: ignore[type-arg]
        return json.loads(self.out)  # type: ignore[no-any-return]


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'riskengine.db'}"


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def backend_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """For a module's own ``db`` fixture with ``params=BACKENDS``: a fresh SQLite file, or a
    fresh PostgreSQL schema (skipped with a message when no server answers)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'riskengine.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], db: str):  # type: ignore[no-untyped-def]
    """cli('score', 'JAC Motors') -> Run(code, out, err), against a fresh SQLite file."""
    monkeypatch.setenv("RISKENGINE_DB", db)
    monkeypatch.delenv("RISKENGINE_RULES", raising=False)
    monkeypatch.delenv("RISKENGINE_DEBUG", raising=False)
    monkeypatch.setenv("COLUMNS", "100")  # tables as on a common terminal, whatever runs this

    def run(*args: str) -> Run:
        capsys.readouterr()
        monkeypatch.setattr(sys, "argv", ["riskengine", *args])
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def ok(cli, *args: str) -> Run:  # type: ignore[no-untyped-def]
    """cli(*args), asserting exit code 0 (stderr shown otherwise)."""
    run: Run = cli(*args)
    assert run.code == 0, run.err
    return run

