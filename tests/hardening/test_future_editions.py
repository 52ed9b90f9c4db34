"""Point 4 for every list reader: an edition dated after today (beyond the day of tolerance
of rules/ingest.yaml), whether the file states the date or --published does, is refused
with exit 2 naming the file, the store unchanged; --force ingests it."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.hardening.conftest import FIXTURES, assert_refused, copy_store, run_cli

FUTURE = date.today() + timedelta(days=30)
DMY, MDY = FUTURE.strftime("%d/%m/%Y"), FUTURE.strftime("%m/%d/%Y")


def _sub(pattern: bytes, replacement: str) -> Callable[[bytes], bytes]:
    """A change of the file's own date: the first match of ``pattern`` replaced."""
    def change(data: bytes) -> bytes:
        changed, count = re.subn(pattern, replacement.encode(), data, count=1)
        assert count == 1, pattern
        return changed
    return change


def _xlsx(data: bytes) -> bytes:
    """The ConList workbook with its 'Last Updated' cell (B1) in the future."""
    book, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as new:
        for name in book.namelist():
            body = book.read(name)
            if name == "xl/worksheets/sheet1.xml":
                body = _sub(rb'(<c r="B1" t="inlineStr"><is><t>)[^<]*', rf"\g<1>{DMY}")(body)
            new.writestr(name, body)
    return out.getvalue()


# (source, fixture, how the file is dated in the future, or None: by --published)
READERS: list[tuple[str, Path, Callable[[bytes], bytes] | None]] = [
    ("ofac-sdn", FIXTURES / "ofac" / "sdn_csv", None),
    ("ofac-sdn", FIXTURES / "ofac" / "sdn_xml" / "sdn.xml",
     _sub(rb"<Publish_Date>[^<]*", f"<Publish_Date>{MDY}")),
    ("ofac-cons", FIXTURES / "ofac" / "cons_csv", None),
    ("ofac-cons", FIXTURES / "ofac" / "cons_xml" / "consolidated.xml",
     _sub(rb"<Publish_Date>[^<]*", f"<Publish_Date>{MDY}")),
    ("uk", FIXTURES / "uk" / "ConList.excerpt.csv", _sub(rb"^Last Updated,[^,]*",
                                                         f"Last Updated,{DMY}")),
    ("uk", FIXTURES / "uk" / "ConList.excerpt.xlsx", _xlsx),
    ("uk", FIXTURES / "uk" / "UK-Sanctions-List.excerpt.xml",
     _sub(rb"<DateGenerated>[^<]*", f"<DateGenerated>{DMY}")),
    ("eu", FIXTURES / "eu" / "fsf_excerpt.xml",
     _sub(rb'generationDate="[^"T]*', f'generationDate="{FUTURE.isoformat()}')),
    ("eu", FIXTURES / "eu" / "fsf_excerpt.csv",
     lambda data: re.sub(rb"(?m)^\d\d/\d\d/\d{4};", f"{DMY};".encode(), data)),
    ("un", FIXTURES / "un" / "UN_consolidated.excerpt.xml",
     _sub(rb'dateGenerated="[^"T]*', f'dateGenerated="{FUTURE.isoformat()}')),
    ("ca", FIXTURES / "ca" / "sema-lmes.excerpt.xml", None),
    ("bis", FIXTURES / "bis" / "consolidated.excerpt.csv", None),
    ("bis", FIXTURES / "bis" / "consolidated.excerpt.json", None),
]


def _dated(fixture: Path, change: Callable[[bytes], bytes] | None, folder: Path
           ) -> tuple[Path, list[str]]:
    """(the file or directory to ingest, the options dating it) in ``folder``."""
    target = folder / fixture.name
    if fixture.is_dir():  # OFAC CSV: another edition than the baseline's, one entry fewer
        shutil.copytree(fixture, target)
        main = target / ("sdn.csv" if (target / "sdn.csv").exists() else "cons_prim.csv")
        lines = main.read_bytes().split(b"\r\n")
        main.write_bytes(b"\r\n".join(lines[:-2] + lines[-1:]))
    else:
        target.write_bytes(change(fixture.read_bytes()) if change else fixture.read_bytes())
    return target, [] if change else ["--published", FUTURE.isoformat()]


@pytest.mark.parametrize(("source", "fixture", "change"), READERS,
                         ids=[f"{s}-{f.name}" for s, f, _c in READERS])
def test_an_edition_from_the_future_is_refused(
        baseline: tuple[Path, list[str]], tmp_path: Path, source: str, fixture: Path,
        change: Callable[[bytes], bytes] | None) -> None:
    db = copy_store(baseline[0], tmp_path / "store.db")
    path, options = _dated(fixture, change, tmp_path)
    run = run_cli(db, "ingest", source, str(path), *options)
    assert_refused(run, f"{path}: {source} edition of {FUTURE.isoformat()} is dated after "
                        f"today", db, baseline[1])
    forced = run_cli(db, "ingest", source, str(path), *options, "--force")
    assert forced.code == 0, forced.err
