"""Coverage of regime verdicts by the editions loaded: not covered, before the earliest
edition, out of date; and how a verdict takes its coverage."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from riskengine.coverage import (
    CoverageRules,
    Edition,
    Sources,
    coverage_flags,
    regime_coverage,
    seed_edition,
    with_coverage,
)
from riskengine.domain import Designation, Source
from riskengine.result import Coverage, Evidence, RegimeVerdict
from riskengine.ruleset.loader import check_rules
from riskengine.ruleset.optional import load_optional
from tests.conftest import ROOT

DAY = date(2024, 6, 1)
RULES = CoverageRules(stale_after_days=31)
SDN_MAY = Edition("ofac-sdn", date(2024, 5, 3))
SDN_2022 = Edition("ofac-sdn", date(2022, 6, 28))
UK_LATE = Edition("uk", date(2025, 1, 1))
SEED = Edition("rules", None, ("us", "eu"))
FTM = Edition("ftm", None, ("un",))

# name, editions, regime, (covered, [(source, newest, earliest, editions)], flag starts)
CASES = [
    ("nothing loaded", [], "us", (False, [], ["no list of this regime is loaded"])),
    ("fresh edition", [SDN_MAY, SDN_2022], "us",
     (True, [("ofac-sdn", date(2024, 5, 3), date(2022, 6, 28), 2)], [])),
    ("stale edition", [SDN_2022], "us",
     (True, [("ofac-sdn", date(2022, 6, 28), date(2022, 6, 28), 1)],
      ["newest ofac-sdn edition on or before 2024-06-01 is of 2022-06-28, 704 days old"])),
    ("before the earliest edition", [UK_LATE], "uk",
     (False, [("uk", None, date(2025, 1, 1), 1)],
      ["2024-06-01 is before the earliest uk edition loaded (2025-01-01)"])),
    ("seed alone covers, undated", [SEED], "eu", (True, [("rules", None, None, 1)], [])),
    ("seed plus a list before its first edition", [SEED, Edition("eu", date(2025, 1, 1))],
     "eu", (True, [("eu", None, date(2025, 1, 1), 1), ("rules", None, None, 1)],
            ["2024-06-01 is before the earliest eu edition loaded"])),
    ("ftm covers the regimes of its designations", [FTM], "un",
     (True, [("ftm", None, None, 1)], [])),
    ("a source maps to its regime only", [SDN_MAY], "uk",
     (False, [], ["no list of this regime is loaded"])),
    ("consolidated list covers us", [Edition("ofac-cons", date(2024, 5, 20))], "us",
     (True, [("ofac-cons", date(2024, 5, 20), date(2024, 5, 20), 1)], [])),
]


@pytest.mark.parametrize(("name", "editions", "regime", "expected"), CASES,
                         ids=[c[0] for c in CASES])
def test_regime_coverage(name: str, editions: list[Edition], regime: str,
                         expected: tuple[bool, list[tuple[object, ...]], list[str]]) -> None:
    found = regime_coverage(editions, [regime], DAY, RULES)[regime]
    covered, sources, flags = expected
    assert found.covered == covered, name
    assert [(s.source, s.newest, s.earliest, s.editions) for s in found.sources] == sources
    assert len(found.flags) == len(flags)
    assert all(f.startswith(want) for f, want in zip(found.flags, flags, strict=True))


@pytest.mark.parametrize(("days", "stale"), [(29, False), (31, False), (32, True)])
def test_stale_threshold_comes_from_the_rule(days: int, stale: bool) -> None:
    edition = Edition("un", date.fromordinal(DAY.toordinal() - days))
    found = regime_coverage([edition], ["un"], DAY, RULES)["un"]
    assert bool(found.flags) == stale


def test_regimes_of_editions_are_added() -> None:
    assert set(regime_coverage([UK_LATE, FTM], ["us"], DAY, RULES)) == {"us", "uk", "un"}


def test_seed_edition_names_the_regimes_of_the_seed() -> None:
    seed = [Designation(id=f"d{r}", entity_id="x", regime=r, source=Source(source="rules"))
            for r in ("us", "eu", "us")]
    assert seed_edition(seed) == Edition("rules", None, ("eu", "us"))
    assert seed_edition([]) is None
    found = Sources((SDN_MAY,), RULES).of(["us", "eu", "un"], DAY, seed)
    assert [s.source for s in found["us"].sources] == ["ofac-sdn", "rules"]
    assert (found["eu"].covered, found["un"].covered) == (True, False)


UNCOVERED = Coverage(covered=False, flags=("no list of this regime is loaded: not covered",))
COVERED = Coverage(covered=True)
MANUAL = Evidence(kind="manual_status", detail="override #1")
VERDICTS = [
    ("clear without data", RegimeVerdict(status="clear", blocked=False, possibly_blocked=False),
     UNCOVERED, "not_covered"),
    ("clear with data", RegimeVerdict(status="clear", blocked=False, possibly_blocked=False),
     COVERED, "clear"),
    ("listed stays listed", RegimeVerdict(status="listed", blocked=True, possibly_blocked=True),
     UNCOVERED, "listed"),
    ("a manual clear stays", RegimeVerdict(status="clear", blocked=False, possibly_blocked=False,
                                           evidence=(MANUAL,)), UNCOVERED, "clear"),
]


@pytest.mark.parametrize(("name", "verdict", "coverage", "status"), VERDICTS,
                         ids=[v[0] for v in VERDICTS])
def test_with_coverage(name: str, verdict: RegimeVerdict, coverage: Coverage, status: str
                       ) -> None:
    found = with_coverage(verdict, coverage)
    assert (found.status, found.coverage, found.blocked) == (status, coverage, verdict.blocked)


def test_coverage_flags_name_the_regime() -> None:
    assert coverage_flags("un", UNCOVERED) == ["un: no list of this regime is loaded: not covered"]


@pytest.mark.parametrize(("text", "expected"), [
    ("stale_after_days: -1\n", "coverage.yaml:1:19:"),
    ("stale_after_dayz: 30\n", "coverage.yaml:1:1: unknown key 'stale_after_dayz'"),
])
def test_coverage_rule_file_is_checked(tmp_path: Path, text: str, expected: str) -> None:
    for name in ("regimes.yaml", "scoring.yaml"):
        shutil.copy(ROOT / "rules" / name, tmp_path / name)
    (tmp_path / "coverage.yaml").write_text(text, encoding="utf-8")
    problems = check_rules(tmp_path)
    assert len(problems) == 1 and problems[0].startswith(f"{tmp_path}/{expected}")


def test_bundled_coverage_rule_file_is_the_default() -> None:
    found = load_optional(ROOT / "rules", "coverage.yaml", CoverageRules)
    assert found.stale_after_days == CoverageRules().stale_after_days and found.description
