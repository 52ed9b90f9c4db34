"""The remaining points of issue 12, each checked: BODS shares (exact, ranges, exclusive
bounds), control kinds and interest dates; replaced (0.2/0.3) and closed (0.4) statements
ending their ties; GLEIF INACTIVE relationships; provenance on every stored tie; broken
GLEIF and BODS files refused naming file and line; ``entities show`` listing all three
registers of one party."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest

from riskengine.registers import bods, gleif
from riskengine.registers.common import EPSILON, FlatControl, FlatOwnership, Notes
from riskengine.registers.stream import sha256_of
from riskengine.store.store import Store
from tests.cli.conftest import ok
from tests.conftest import FIXTURES

REG = FIXTURES / "registers"
LEI = "ZZZZ00000000000000B2"  # Zeta UK Branch Limited, in the chain's GLEIF file


def _ownership(key: str, interests: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"statementID": key, "statementType": "ownershipOrControlStatement",
            "subject": {"describedByEntityStatement": "e0"},
            "interestedParty": {"describedByPersonStatement": "p0"}, "interests": interests,
            **extra}


PARTIES: list[dict[str, Any]] = [
    {"statementID": "e0", "statementType": "entityStatement", "name": "Subject Ltd"},
    {"statementID": "p0", "statementType": "personStatement",
     "names": [{"fullName": "A Person"}]}]

# interest -> (low, high, known) of its ownership, or its control kind
INTERESTS = [
    ({"type": "shareholding", "share": {"exact": 30}}, (30.0, 30.0, True)),
    ({"type": "shareholding", "share": {"minimum": 25, "maximum": 50}}, (25.0, 50.0, True)),
    ({"type": "shareholding", "share": {"exclusiveMinimum": 50, "exclusiveMaximum": 75}},
     (50 + EPSILON, 75 - EPSILON, True)),
    ({"type": "shareholding"}, (0.0, 100.0, False)),
    ({"type": "appointment-of-board"}, "board_appointment"),
    ({"type": "other-influence-or-control"}, "dominant_influence"),
    ({"type": "voting-rights", "share": {"exact": 60}}, "voting_agreement"),
]


def _bods_facts(tmp_path: Path, statements: list[dict[str, Any]]) -> list[Any]:
    path = tmp_path / "s.json"
    path.write_bytes(orjson.dumps(statements))
    return list(bods.read([path], Notes(), {}))


@pytest.mark.parametrize(("interest", "expected"), INTERESTS)
def test_bods_interests(tmp_path: Path, interest: dict[str, Any], expected: Any) -> None:
    dated = {**interest, "startDate": "2019-05-01", "endDate": "2023-01-31"}
    (tie,) = [f for f in _bods_facts(tmp_path, [*PARTIES, _ownership("o1", [dated])])
              if isinstance(f, FlatOwnership | FlatControl)]
    found = tie.kind if isinstance(tie, FlatControl) else (tie.low, tie.high, tie.known)
    assert found == (expected if isinstance(expected, str) else pytest.approx(expected))
    assert (tie.valid_from, tie.valid_to) == (date(2019, 5, 1), date(2023, 1, 31))


def _ingest_bods(cli: Any, tmp_path: Path, name: str, statements: list[dict[str, Any]],
                 day: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"\n".join(orjson.dumps(s) for s in statements))  # JSON lines
    ok(cli, "ingest", "bods", str(path), "--published", day)


def _stored(db: str, source: str) -> dict[str, Any]:
    with Store.open(db) as store:
        facts = store.source_facts(source)
        return {t.id: t for t in (*facts.ownerships, *facts.controls)}


def test_bods_replaced_statement_ends_its_ties(cli: Any, db: str, tmp_path: Path) -> None:
    share = [{"type": "shareholding", "share": {"exact": 30}, "startDate": "2020-01-01"}]
    _ingest_bods(cli, tmp_path, "a.jsonl", [*PARTIES, _ownership("o1", share)], "2024-01-01")
    newer = _ownership("o2", [{**share[0], "share": {"exact": 40}}],
                       replacesStatements=["o1"], statementDate="2024-03-01")
    _ingest_bods(cli, tmp_path, "b.jsonl", [*PARTIES, _ownership("o1", share), newer],
                 "2024-04-01")
    ties = _stored(db, "bods")
    assert ties["bods:o1/0"].valid_to == date(2024, 3, 1)
    assert ties["bods:o2/0"].valid_to is None


def test_bods_04_closed_record_ends_its_ties(cli: Any, db: str, tmp_path: Path) -> None:
    record = {"recordId": "r1", "recordType": "relationship", "statementId": "s1",
              "recordDetails": {"subject": "e0", "interestedParty": "p0",
                                "interests": [{"type": "shareholding",
                                               "share": {"exact": 30}}]}}
    _ingest_bods(cli, tmp_path, "a.jsonl", [*PARTIES, record], "2024-01-01")
    closed = {**record, "statementId": "s2", "recordStatus": "closed",
              "statementDate": "2024-02-15"}
    _ingest_bods(cli, tmp_path, "b.jsonl", [*PARTIES, record, closed], "2024-03-01")
    assert _stored(db, "bods")["bods:r1/0"].valid_to == date(2024, 2, 15)


def test_gleif_inactive_relationship_ends_on_the_edition_date(shared_data: Path,
                                                              tmp_path: Path) -> None:
    rr = (shared_data / "gleif_level2_excerpts" / "rr-data.xml").read_text(encoding="utf-8")
    changed = tmp_path / "rr.xml"
    changed.write_text(rr.replace("<rr:RelationshipStatus>ACTIVE", "<rr:RelationshipStatus>"
                                  "INACTIVE", 1), encoding="utf-8")
    ends = [f.valid_to for f in gleif.read([changed], Notes(), {})
            if isinstance(f, FlatOwnership | FlatControl)]
    assert ends[0] == date(2023, 6, 5) and not any(ends[1:])


def test_every_tie_carries_its_provenance(cli: Any, db: str) -> None:
    files = {"gleif": [REG / "chain-gleif-lei.xml", REG / "chain-gleif-rr.xml"],
             "psc": [REG / "chain-psc.jsonl"]}
    for source, paths in files.items():
        ok(cli, "ingest", source, *map(str, paths))
    for source, paths in files.items():
        ties = list(_stored(db, source).values())
        assert ties
        for tie in ties:
            s = tie.source
            assert (s.source, s.content_hash) == (source, sha256_of(paths))
            assert s.record_id and s.published and s.file and s.file.startswith(str(paths[0]))


# (source, fixture file, text replaced, broken text); None: a BODS array, its third
# statement broken
BROKEN = [("gleif", "chain-gleif-rr.xml", b"</rr:EndNode>", b"</rr:EndNod>"),
          ("bods", None, None, b'"statementType": }')]


@pytest.mark.parametrize(("source", "name", "old", "new"), BROKEN)
def test_broken_file_exits_2_naming_file_and_line(cli: Any, db: str, tmp_path: Path,
                                                  source: str, name: str | None,
                                                  old: bytes | None, new: bytes) -> None:
    ok(cli, "ingest", "ftm", str(REG / "chain-listed.ftm.json"))
    path = tmp_path / (name or "broken.json")
    if name is not None and old is not None:
        path.write_bytes((REG / name).read_bytes().replace(old, new, 1))
    else:
        path.write_bytes(b'[{"statementID": "e0", "statementType": "entityStatement"},\n'
                         b'{"statementID": "e1", "statementType": "entityStatement"},\n'
                         b'{"statementID": "e2", ' + new + b"}]\n")
    data = path.read_bytes()
    line = data[:data.index(new)].count(b"\n") + 1  # where the file is broken
    before = Store.open(db).counts()
    run = cli("ingest", source, str(path), "--published", "2024-01-01")
    assert run.code == 2 and f"error: {path}:{line}: malformed" in run.err, run.err
    assert "Traceback" not in run.err and len(run.err.strip().splitlines()) == 1
    assert Store.open(db).counts() == before


def test_entities_show_lists_all_three_registers(cli: Any, tmp_path: Path) -> None:
    ok(cli, "ingest", "gleif", str(REG / "chain-gleif-lei.xml"), str(REG / "chain-gleif-rr.xml"))
    ok(cli, "ingest", "psc", str(REG / "chain-psc.jsonl"))
    _ingest_bods(cli, tmp_path, "b.jsonl", [
        {"statementID": "zb", "statementType": "entityStatement", "name": "Zeta UK Branch Ltd",
         "identifiers": [{"scheme": "XI-LEI", "id": LEI}]}], "2024-11-30")
    out = ok(cli, "--no-seed", "entities", "show", "Zeta UK Branch Limited").out
    records = out.split("Source records:")[1].split("Designations:")[0]
    assert [line.split()[0] for line in records.strip().splitlines()] == ["bods", "gleif",
                                                                          "psc"]
