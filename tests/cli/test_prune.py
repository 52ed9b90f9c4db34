"""`runs prune`: the retention period, dry run, and how pruned runs read back (both databases)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.cli.conftest import BACKENDS, backend_url, ok

BEFORE, AFTER = "2022-06-01", "2022-07-01"
LATER = datetime(2040, 6, 1, 9, 0, tzinfo=UTC)  # 'now' once the first runs are old enough


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Every test here runs on SQLite and on PostgreSQL."""
    return backend_url(request, tmp_path)


def _statuses(cli) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    return [(r["id"], r["status"]) for r in ok(cli, "runs", "list", "--format", "json").json()]


@pytest.fixture
def aged(cli, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Runs 1 and 2 made today, then the clock moved to 2040 and run 3 made."""
    ok(cli, "rescore", "--as-of", BEFORE, "--quiet")
    ok(cli, "rescore", "--as-of", AFTER, "--quiet")
    monkeypatch.setattr("riskengine.application.base.now", lambda: LATER)
    ok(cli, "rescore", "--as-of", AFTER, "--quiet")
    return cli


def test_refuses_a_date_within_the_retention_period(cli) -> None:  # type: ignore[no-untyped-def]
    ok(cli, "rescore", "--as-of", AFTER, "--quiet")
    refused = cli("runs", "prune", "--before", "2999-01-01", "--yes")
    assert refused.code == 2
    assert refused.err.count("\n") == 1
    assert refused.err.startswith("error: --before: 2999-01-01 is within the retention period")
    assert "kept 10 years" in refused.err
    assert _statuses(cli) == [(1, "complete")]


def test_without_yes_only_says_what_it_would_prune(aged) -> None:  # type: ignore[no-untyped-def]
    entries = len(ok(aged, "audit", "show", "--format", "json").json())
    dry = ok(aged, "runs", "prune", "--before", "2030-01-01")
    assert dry.out.startswith("would prune 2 runs finished before 2030-01-01: 1, 2\n")
    assert dry.out.strip().endswith("run again with --yes to prune them")
    assert _statuses(aged) == [(1, "complete"), (2, "complete"), (3, "complete")]
    assert len(ok(aged, "audit", "show", "--format", "json").json()) == entries


def test_prune_then_read_pruned_runs(aged) -> None:  # type: ignore[no-untyped-def]
    done = ok(aged, "runs", "prune", "--before", "2030-01-01", "--yes", "--actor", "ana")
    assert done.out.strip() == "pruned 2 runs (scores deleted, headers kept): 1, 2"
    assert _statuses(aged) == [(1, "pruned"), (2, "pruned"), (3, "complete")]
    assert "\tpruned (scores deleted)" in ok(aged, "runs", "list").out.splitlines()[0]
    shown = ok(aged, "runs", "show", "1", "--format", "json").json()
    assert shown["status"] == "pruned" and shown["counts"]["entities"] > 10
    audit = ok(aged, "audit", "show", "--format", "json").json()[-1]
    assert (audit["action"], audit["actor"], audit["details"]["runs"]) == ("prune", "ana", [1, 2])
    assert ok(aged, "audit", "verify").out.startswith("audit log intact")
    again = ok(aged, "runs", "prune", "--before", "2030-01-01", "--yes")
    assert again.out.strip() == "no completed run finished before 2030-01-01: nothing to prune"


PRUNED_READS = [
    ("changes", ("changes", "--run", "2"), 3, "error: run 2 was pruned (retention)"),
    ("score", ("score", "kamaz", "--run", "1"), 3, "error: run 1 was pruned (retention)"),
]


@pytest.mark.parametrize(("args", "code", "err"), [r[1:] for r in PRUNED_READS],
                         ids=[r[0] for r in PRUNED_READS])
def test_reading_a_pruned_run_says_so(aged, args: tuple[str, ...], code: int,  # type: ignore[no-untyped-def]
                                      err: str) -> None:
    ok(aged, "runs", "prune", "--before", "2030-01-01", "--yes")
    found = aged(*args)
    assert (found.code, found.out) == (code, "")
    assert found.err.startswith(err) and found.err.count("\n") == 1


def test_changes_and_history_skip_pruned_runs(aged) -> None:  # type: ignore[no-untyped-def]
    ok(aged, "runs", "prune", "--before", "2030-01-01", "--yes")
    head = ok(aged, "changes").out.splitlines()[0]
    assert head == "run 3: no previous run to compare with (pruned runs skipped: 1, 2)"
    found = ok(aged, "changes", "--format", "json").json()
    assert (found["previous"], found["pruned_runs_skipped"]) == (None, [1, 2])
    history = ok(aged, "history", "KAMAZ", "--format", "json").json()
    assert ([r["run"] for r in history["runs"]], history["pruned_runs"]) == ([3], [1, 2])
    lines = ok(aged, "history", "KAMAZ").out.splitlines()
    assert lines[-1] == "not shown: pruned runs (scores deleted under retention): 1, 2"


def test_changes_compare_with_the_latest_run_with_scores(aged) -> None:  # type: ignore[no-untyped-def]
    ok(aged, "runs", "prune", "--before", "2030-01-01", "--yes")
    ok(aged, "rescore", "--as-of", AFTER, "--quiet")  # run 4, vs run 3
    assert ok(aged, "changes").out.startswith("run 4 vs run 3: 0 changes\n")
