"""Point 3: every command validates the whole rule set the way `rules check` does, so a
problem in an optional file (screening, alerts, ingest, retention, merges, coverage) stops
`score`, `rescore`, `ingest` and `screen` alike, with the same lines, store unchanged."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.hardening.conftest import BUNDLED_RULES, FIXTURES, copy_store, dump, run_cli

BROKEN = {  # optional file -> a problem to append to it
    "screening.yaml": "thresold: 0.5\n",
    "alerts.yaml": "score_move_threshold: lots\n",
    "ingest.yaml": "max_delisted_share: 7\n",
    "retention.yaml": "retention_years: -1\n",
    "merges.yaml": "forbid: 12\n",
    "coverage.yaml": "stale_after_days: soon\n",
}
COMMANDS = [
    ["score", "kamaz"],
    ["rescore", "--quiet"],
    ["ingest", "un", str(FIXTURES / "un" / "UN_consolidated.excerpt.xml")],
    ["screen", "PAO Kamaz"],
]


def _relative(lines: list[str], rules: Path) -> list[str]:
    """Problem lines with the rules directory (the user's, or a run's private copy of it)
    left out: 'alerts.yaml:7:1: ...'."""
    return [re.sub(r"^(error: )?\S*?/(?=[\w.]+\.yaml:)", "", line) for line in lines]


def test_every_command_refuses_what_rules_check_refuses(
        baseline: tuple[Path, list[str]], tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(BUNDLED_RULES, rules)
    for name, problem in BROKEN.items():
        with (rules / name).open("a", encoding="utf-8") as handle:
            handle.write(problem)
    checked = run_cli(tmp_path / "x.db", "rules", "check", str(rules))
    assert checked.code == 2
    problems = checked.err.strip().splitlines()
    assert sorted({p.split(":", 1)[0] for p in problems}) == sorted(
        str(rules / name) for name in BROKEN), problems
    db = copy_store(baseline[0], tmp_path / "store.db")
    for command in COMMANDS:
        run = run_cli(db, "--rules", str(rules), *command)
        assert run.code == 2, (command, run.err)
        assert _relative(run.err.strip().splitlines(), rules) == _relative(problems, rules)
        assert dump(db) == baseline[1], command
