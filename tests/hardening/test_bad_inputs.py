"""Point 2: inputs that ended in 'error: unexpected ...' (exit 1) are refused with exit 2,
naming the file and line (or the option), leaving the store as it was."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.hardening.conftest import FIXTURES, assert_refused, copy_store, run_cli

UN = (FIXTURES / "un" / "UN_consolidated.excerpt.xml").read_bytes()
XLSX = (FIXTURES / "uk" / "ConList.excerpt.xlsx").read_bytes()
CONLIST = (FIXTURES / "uk" / "ConList.excerpt.csv").read_bytes()
SHEET = "xl/worksheets/sheet1.xml"


def _declared(encoding: str) -> bytes:
    """The UN file (UTF-8, with Arabic names) declaring another encoding."""
    body = UN.split(b"?>", 1)[1] if UN.startswith(b"<?xml") else UN
    return f'<?xml version="1.0" encoding="{encoding}"?>'.encode() + body


def _workbook(change: Callable[[str, bytes], bytes | None]) -> bytes:
    """The ConList workbook with each part passed through ``change`` (None: left out)."""
    book = zipfile.ZipFile(io.BytesIO(XLSX))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as new:
        for name in book.namelist():
            body = change(name, book.read(name))
            if body is not None:
                new.writestr(name, body)
    return out.getvalue()


CASES = [
    # (id, source, file name, content, expected location and message after the path)
    ("un-impossible-date", "un", "un.xml",
     UN.replace(b"<LISTED_ON>2005-11-01<", b"<LISTED_ON>2022-13-45<", 1),
     r":\d+: no such date '2022-13-45'"),
    ("un-impossible-edition-date", "un", "un.xml",
     re.sub(rb'dateGenerated="[^"]*"', b'dateGenerated="2022-13-45T00:00:00Z"', UN, count=1),
     r":2: no such date"),
    ("xml-declares-utf16", "un", "un.xml", _declared("UTF-16"), r":1: malformed XML: "),
    ("xml-declares-ascii", "un", "un.xml", _declared("ascii"), r":1: malformed XML: "),
    ("xml-unknown-encoding", "un", "un.xml", _declared("bogus-8"),
     r":1: malformed XML: Unsupported encoding"),
    ("xlsx-without-sheet", "uk", "ConList.xlsx",
     _workbook(lambda n, b: None if n == SHEET else b), r": not a readable xlsx workbook"),
    ("xlsx-truncated-sheet", "uk", "ConList.xlsx",
     _workbook(lambda n, b: b[: len(b) // 2] if n == SHEET else b),
     r":\d+: unreadable worksheet row"),
    ("xlsx-garbage-sheet", "uk", "ConList.xlsx",
     _workbook(lambda n, b: b"<garbage" if n == SHEET else b), r": not a readable xlsx"),
    ("xlsx-truncated-file", "uk", "ConList.xlsx", XLSX[: len(XLSX) // 2],
     r": not a readable xlsx workbook"),
    ("uk-file-without-extension", "uk", "ConList", CONLIST,
     r": unknown file type \(no extension\): expected a \.xml/\.xlsx/\.csv file"),
    ("un-record-without-any-name", "un", "un.xml", re.sub(
        rb"<(FIRST_NAME|SECOND_NAME|THIRD_NAME|FOURTH_NAME|ALIAS_NAME|NAME_ORIGINAL_SCRIPT)>"
        rb"[^<]*</\1>", rb"<\1></\1>", UN), r":\d+: record [\w.]+: entry has no name"),
    ("ftm-huge-number", "ftm", "x.ftm.json",
     b'{"id": "x", "schema": "Company", "n": ' + b"9" * 5000 + b"}\n",
     r":1: invalid JSON: Exceeds the limit \(4300 digits\)"),
]


@pytest.mark.parametrize(("source", "name", "content", "expected"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_list_file_is_refused_with_its_location(
        baseline: tuple[Path, list[str]], tmp_path: Path, source: str, name: str,
        content: bytes, expected: str) -> None:
    db = copy_store(baseline[0], tmp_path / "store.db")
    path = tmp_path / name
    path.write_bytes(content)
    run = run_cli(db, "ingest", source, str(path))
    assert_refused(run, str(path), db, baseline[1])
    assert re.match(re.escape(f"error: {path}") + expected, run.err), run.err


def test_huge_run_number_is_a_usage_error(baseline: tuple[Path, list[str]],
                                          tmp_path: Path) -> None:
    db = copy_store(baseline[0], tmp_path / "store.db")
    run = run_cli(db, "score", "kamaz", "--run", "9" * 40)
    assert run.code == 2
    assert "'--run'" in run.err and "Traceback" not in run.err and "unexpected" not in run.err


def test_huge_number_in_a_rule_file_is_positioned(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    (rules / "scenario").mkdir(parents=True)
    for name in ("regimes.yaml", "scoring.yaml"):
        (rules / name).write_bytes((FIXTURES.parent / "rules" / name).read_bytes())
    (rules / "retention.yaml").write_text("retention_years: " + "7" * 5000 + "\n")
    run = run_cli(tmp_path / "x.db", "rules", "check", str(rules))
    assert run.code == 2
    assert run.err.startswith(f"{rules / 'retention.yaml'}:1:18: invalid whole number"), run.err
