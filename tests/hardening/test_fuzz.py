"""The attack as bounded property tests: damaged rule files and list files of every reader,
through the real CLI entry point. Invariants: accepted (exit 0) or refused with exit 2 and
one line naming the input (file and line where there is one), never a traceback or an
'unexpected' error, and a refused input leaves the store exactly as it was."""

from __future__ import annotations

import re
import shutil
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hardening.conftest import (
    CRASHED,
    FIXTURES,
    SMALL_RULES,
    assert_clean,
    copy_store,
    dump,
    run_cli,
    small_rules,
)
from tests.hardening.mutate import YAML_SNIPPETS, damaged, damaged_xlsx

FUZZ = settings(max_examples=4, deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])

# (source, fixture file or directory, file of it to damage)
READERS = [
    ("ofac-sdn", FIXTURES / "ofac" / "sdn_csv", "sdn.csv"),
    ("ofac-sdn", FIXTURES / "ofac" / "sdn_csv", "alt.csv"),
    ("ofac-sdn", FIXTURES / "ofac" / "sdn_xml" / "sdn.xml", None),
    ("ofac-cons", FIXTURES / "ofac" / "cons_csv", "cons_prim.csv"),
    ("ofac-cons", FIXTURES / "ofac" / "cons_xml" / "consolidated.xml", None),
    ("uk", FIXTURES / "uk" / "ConList.excerpt.csv", None),
    ("uk", FIXTURES / "uk" / "ConList.excerpt.xlsx", None),
    ("uk", FIXTURES / "uk" / "UK-Sanctions-List.excerpt.xml", None),
    ("eu", FIXTURES / "eu" / "fsf_excerpt.xml", None),
    ("eu", FIXTURES / "eu" / "fsf_excerpt.csv", None),
    ("un", FIXTURES / "un" / "UN_consolidated.excerpt.xml", None),
    ("ca", FIXTURES / "ca" / "sema-lmes.excerpt.xml", None),
    ("bis", FIXTURES / "bis" / "consolidated.excerpt.csv", None),
    ("bis", FIXTURES / "bis" / "consolidated.excerpt.json", None),
    ("ftm", FIXTURES / "ftm" / "sample.ftm.json", None),
    ("gleif", FIXTURES / "registers" / "chain-gleif-lei.xml", None),
    ("gleif", FIXTURES / "registers" / "repex-data.xml", None),
    ("psc", FIXTURES / "registers" / "psc-data-1.json", None),
]


def _input(folder: Path, fixture: Path, member: str | None, data: bytes) -> tuple[Path, Path]:
    """(path to give the CLI, file to write the damaged bytes to) inside ``folder``."""
    if member is None:
        return folder / fixture.name, folder / fixture.name
    target = folder / fixture.name
    shutil.copytree(fixture, target)
    return target, target / member


def _strategy(fixture: Path, member: str | None) -> st.SearchStrategy[bytes]:
    data = (fixture / member if member else fixture).read_bytes()
    if fixture.suffix == ".xlsx":
        return damaged_xlsx(data)
    from tests.hardening.mutate import LIST_SNIPPETS

    return damaged(data, LIST_SNIPPETS)


@pytest.mark.parametrize(("source", "fixture", "member"), READERS,
                         ids=[f"{s}-{(m or f.name)}" for s, f, m in READERS])
def test_damaged_list_file(baseline: tuple[Path, list[str]], source: str, fixture: Path,
                           member: str | None) -> None:
    @FUZZ
    @given(data=_strategy(fixture, member))
    def check(data: bytes) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            db = copy_store(baseline[0], folder / "store.db")
            given_path, damaged_file = _input(folder, fixture, member, data)
            damaged_file.write_bytes(data)
            args = ["ingest", source, str(given_path)]
            if source != "ftm":
                args += ["--published", date.today().isoformat()]
            assert_clean(run_cli(db, *args), str(given_path), db, baseline[1])

    check()


_PROBLEM = re.compile(r"^(?P<path>[^:]+\.yaml)(?::\d+:\d+)?: \S")


@pytest.mark.parametrize("rel", ["regimes.yaml", "alerts.yaml", "scenario/ties.yaml"])
def test_damaged_rule_file(baseline: tuple[Path, list[str]], rel: str) -> None:
    """``rules check`` accepts or lists positioned problems; when it refuses, ``score`` and
    ``ingest`` refuse with the same lines and leave the store as it was."""
    @FUZZ
    @given(data=damaged(SMALL_RULES[rel].read_bytes(), YAML_SNIPPETS))
    def check(data: bytes) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            rules = small_rules(folder)
            (rules / rel).write_bytes(data)
            checked = run_cli(folder / "unused.db", "rules", "check", str(rules))
            assert not CRASHED.search(checked.err)
            assert checked.code in (0, 2), checked.err
            if checked.code == 0:
                return
            problems = checked.err.strip().splitlines()
            for line in problems:
                found = _PROBLEM.match(line)
                assert found and found["path"].startswith(str(rules)), line
            db = copy_store(baseline[0], folder / "store.db")
            for args in (["score", "holdco"],
                         ["ingest", "un", str(FIXTURES / "un" / "UN_consolidated.excerpt.xml")]):
                run = run_cli(db, "--rules", str(rules), *args)
                assert run.code == 2, run.err
                assert run.err.strip().splitlines() == ["error: " + problems[0], *problems[1:]]
                assert dump(db) == baseline[1]

    check()
