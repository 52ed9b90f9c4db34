"""Point 1: alias bombs, self-referencing aliases, deep nesting (YAML and FtM JSON) and
numbers too long to convert are refused at their position, quickly, by every command."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hardening.conftest import FIXTURES, assert_refused, dump, run_cli, small_rules

BOMB = 'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]\n' + "".join(
    f"{new}: &{new} [{', '.join([f'*{old}'] * 9)}]\n"
    for old, new in zip("abcdefgh", "bcdefghi", strict=True)
)  # nine lines: 9**9 values once expanded

CASES = [
    # (file, text put at its top, expected 'line:col: message' in the file)
    ("regimes.yaml", BOMB, "5:8: aliases repeat more than 10000 values (an alias bomb?)"),
    ("scoring.yaml", "x: &a [1, *a]\n", "1:11: alias *a is used inside the value it names"),
    ("scoring.yaml", "x: " + "[" * 300 + "]" * 300 + "\n", "1:53: nesting deeper than 50"),
    ("alerts.yaml", "".join(f"{'  ' * i}k{i}:\n" for i in range(60)) + "  " * 60 + "v: 1\n",
     "50:99: nesting deeper than 50 levels"),
    ("regimes.yaml", "a: &a " + "[" * 40 + "1" + "]" * 40 + "\nb: " + "[" * 20 + "*a"
     + "]" * 20 + "\n", "2:24: alias *a nests deeper than 50 levels"),
    ("scoring.yaml", "x: " + "9" * 5000 + "\n", "1:4: invalid whole number"),
    ("scoring.yaml", "x: 1\ny: \x00\n", "2:4: character #x0000 is not allowed in YAML"),
]


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    return small_rules(tmp_path)


@pytest.mark.parametrize(("name", "text", "expected"), CASES)
def test_hostile_yaml_is_refused_where_it_is(rules: Path, tmp_path: Path, name: str, text: str,
                                             expected: str) -> None:
    path = rules / name
    path.write_text(text + path.read_text(encoding="utf-8"), encoding="utf-8")
    checked = run_cli(tmp_path / "x.db", "rules", "check", str(rules))
    assert checked.code == 2
    assert checked.err.startswith(f"{path}:{expected}"), checked.err
    scored = run_cli(tmp_path / "x.db", "--rules", str(rules), "score", "holdco")
    assert scored.code == 2
    assert scored.err.startswith(f"error: {path}:{expected}"), scored.err


def test_deep_ftm_line_is_refused_with_its_line(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    assert run_cli(db, "ingest", "ftm", str(FIXTURES / "ftm" / "sample.ftm.json")).code == 0
    before = dump(db)
    path = tmp_path / "deep.ftm.json"
    good = (FIXTURES / "ftm" / "sample.ftm.json").read_bytes().splitlines()[0]
    path.write_bytes(good + b"\n" + b'{"id": "x", "schema": "Company", "properties": {"name": '
                     + b"[" * 100_000 + b"]" * 100_000 + b"}}\n")
    run = run_cli(db, "ingest", "ftm", str(path))
    assert_refused(run, f"{path}:2: JSON nested deeper than 32 levels", db, before)
