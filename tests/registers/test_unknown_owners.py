"""Unknown owners raise the review flag (issue 12): a GLEIF reporting exception, a PSC that
exists but is not identified, an anonymous BODS person. Each flag names the register and
its reason; a company whose owners are all identified gets none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.cli.conftest import ok
from tests.conftest import FIXTURES

REG = FIXTURES / "registers"
LISTED = REG / "chain-listed.ftm.json"  # a listed party: the regimes are covered


def _flags(cli: Any, query: str) -> list[str]:
    found: list[str] = ok(cli, "--no-seed", "score", query, "--as-of", "2024-12-01",
                          "--format", "json").json()["flags"]
    return found


def _unknown(flags: list[str], regime: str) -> list[str]:
    return [f for f in flags if f.startswith(f"{regime}: ") and "does not identify" in f]


def test_psc_not_identified(cli: Any) -> None:
    ok(cli, "ingest", "ftm", str(LISTED))
    ok(cli, "ingest", "psc", str(REG / "chain-psc.jsonl"))
    flags = _flags(cli, "psc:ZZ300003")
    for regime in ("us", "uk"):
        (flag,) = _unknown(flags, regime)
        assert "psc register" in flag and "psc-exists-but-not-identified" in flag
        assert flag.endswith(": review")
    assert not _unknown(_flags(cli, "psc:ZZ200002"), "us")  # its PSC is identified


@pytest.mark.parametrize(("lei", "reason"), [("001GPB6A9XPE8XJICC14", "NO_KNOWN_PERSON"),
                                             ("004L5FPTUREIWK9T2N63", "NON_CONSOLIDATING")])
def test_gleif_reporting_exception(cli: Any, lei: str, reason: str) -> None:
    ok(cli, "ingest", "ftm", str(LISTED))
    ok(cli, "ingest", "gleif", str(REG / "repex-data.xml"))
    (flag,) = _unknown(_flags(cli, f"gleif:{lei}"), "us")
    assert "gleif register" in flag and reason in flag and flag.endswith(": review")


def _bods(tmp_path: Path, person_type: str) -> Path:
    statements = [
        {"statementID": "e1", "statementType": "entityStatement", "name": "Alpha Ltd",
         "statementDate": "2024-01-01"},
        {"statementID": "p1", "statementType": "personStatement", "personType": person_type,
         "names": [{"fullName": "A Person"}] if person_type == "knownPerson" else [],
         "statementDate": "2024-01-01"},
        {"statementID": "o1", "statementType": "ownershipOrControlStatement",
         "statementDate": "2024-01-01", "subject": {"describedByEntityStatement": "e1"},
         "interestedParty": {"describedByPersonStatement": "p1"},
         "interests": [{"type": "shareholding", "share": {"exact": 60}}]},
    ]
    path = tmp_path / f"{person_type}.json"
    path.write_bytes(orjson.dumps(statements))
    return path


def test_bods_anonymous_person(cli: Any, tmp_path: Path) -> None:
    ok(cli, "ingest", "ftm", str(LISTED))
    ok(cli, "ingest", "bods", str(_bods(tmp_path, "anonymousPerson")), "--published",
       "2024-06-01")
    (flag,) = _unknown(_flags(cli, "bods:e1"), "uk")
    assert "bods register" in flag and "anonymousPerson" in flag


def test_bods_known_person_is_not_flagged(cli: Any, tmp_path: Path) -> None:
    ok(cli, "ingest", "ftm", str(LISTED))
    ok(cli, "ingest", "bods", str(_bods(tmp_path, "knownPerson")), "--published", "2024-06-01")
    assert not [f for f in _flags(cli, "bods:e1") if "does not identify" in f]
