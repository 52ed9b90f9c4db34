"""Point 4 (an edition from the future) and point 7 (read-only store, --db values, override
input, ConList bytes): each refused with exit 2 (the read-only store: one line, no SQL)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.hardening.conftest import FIXTURES, assert_refused, copy_store, dump, run_cli

UN = (FIXTURES / "un" / "UN_consolidated.excerpt.xml").read_bytes()
CONLIST = (FIXTURES / "uk" / "ConList.excerpt.csv").read_bytes()


def _dated(day: date) -> bytes:
    return re.sub(rb'dateGenerated="[^"]*"', f'dateGenerated="{day}T00:00:00Z"'.encode(), UN,
                  count=1)


@pytest.mark.parametrize(
    ("days_ahead", "force", "refused"),
    [(27_000, False, True), (2, False, True), (27_000, True, False), (1, False, False)],
)
def test_edition_from_the_future_is_refused_unless_forced(
        baseline: tuple[Path, list[str]], tmp_path: Path, days_ahead: int, force: bool,
        refused: bool) -> None:
    db = copy_store(baseline[0], tmp_path / "store.db")
    path = tmp_path / "un.xml"
    day = date.today() + timedelta(days=days_ahead)
    path.write_bytes(_dated(day))
    run = run_cli(db, "ingest", "un", str(path), *(["--force"] if force else []))
    if refused:
        assert_refused(run, f"{path}: un edition of {day.isoformat()} is dated after today", db,
                       baseline[1])
    else:
        assert run.code == 0, run.err


def test_read_only_store_is_one_line_without_sql(baseline: tuple[Path, list[str]],
                                                 tmp_path: Path) -> None:
    db = copy_store(baseline[0], tmp_path / "store.db")
    url = f"sqlite:///file:{db}?mode=ro&uri=true"
    run = run_cli(db, "ingest", "uk", str(FIXTURES / "uk" / "ConList.excerpt.xlsx"),
                  env={"RISKENGINE_DB": url})
    assert run.code == 1
    assert len(run.err.strip().splitlines()) == 1, run.err
    assert "readonly" in run.err and "[SQL" not in run.err and "INSERT" not in run.err
    assert dump(db) == baseline[1]


@pytest.mark.parametrize("value", ["::::", "", "  "])
def test_bad_db_option_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  value: str) -> None:
    monkeypatch.chdir(tmp_path)
    run = run_cli(tmp_path / "unused.db", "--db", value, "score", "kamaz")
    assert run.code == 2, run.err
    assert run.err.startswith("error: --db: "), run.err
    assert list(tmp_path.iterdir()) == []  # no file made, the default database not used


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--reason", "", "--expires", "2099-01-01"], "--reason: empty"),
        (["--reason", "   ", "--expires", "2099-01-01"], "--reason: empty"),
        (["--reason", "ok", "--expires", "2001-01-01"], "--expires: 2001-01-01 is in the "
                                                         "past"),
        (["--reason", "ok", "--expires", "2099-01-01", "--actor", "bob\x1b[2J"],
         "--actor: control character '\\x1b'"),
        (["--reason", "ok\nforged line", "--expires", "2099-01-01"],
         "--reason: control character '\\n'"),
    ],
)
def test_override_input_is_checked(baseline: tuple[Path, list[str]], tmp_path: Path,
                                   options: list[str], expected: str) -> None:
    db = copy_store(baseline[0], tmp_path / "store.db")
    run = run_cli(db, "override", "add", "kamaz", "--kind", "accepted_risk", "--cap", "40",
                  *options)
    assert_refused(run, expected, db, baseline[1])


@pytest.mark.parametrize(
    ("bad", "message"),
    [(b"\xff\xfe", "not UTF-8 text (byte 0xff"), (b"\x00", "NUL byte")],
)
def test_conlist_bad_byte_is_reported_on_its_line(baseline: tuple[Path, list[str]],
                                                  tmp_path: Path, bad: bytes,
                                                  message: str) -> None:
    db = copy_store(baseline[0], tmp_path / "store.db")
    lines = CONLIST.split(b"\n")
    lines[11] = lines[11].replace(b",", b"," + bad, 1)  # line 12 of the file
    path = tmp_path / "ConList.csv"
    path.write_bytes(b"\n".join(lines))
    assert_refused(run_cli(db, "ingest", "uk", str(path)), f"{path}:12: {message}", db,
                   baseline[1])
