"""Every ingest is audited in its own transaction; a score is audited before it is shown."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from riskengine.errors import RiskEngineError
from riskengine.runs.chain import Entry
from riskengine.store import IngestRecord, Store
from riskengine.store.audit import audit_entries

ROOT = Path(__file__).resolve().parents[2]
FTM = ROOT / "fixtures" / "ftm" / "sample.ftm.json"
SDN = ROOT / "fixtures" / "ofac" / "sdn_csv"
INGESTS = [
    ("ftm", ("ingest", "ftm", str(FTM), "--actor", "ana")),
    ("ofac-sdn", ("ingest", "ofac-sdn", str(SDN), "--published", "2022-06-28", "--actor", "ana")),
]


def _stored(db: str) -> tuple[list[IngestRecord], list[Entry], int]:
    with Store.open(db) as store:
        return store.ingests(), audit_entries(store), len(store.load_dataset().entities)


def _file_hash(source: str, db: str) -> str:
    if source == "ftm":
        return hashlib.sha256(FTM.read_bytes()).hexdigest()
    with Store.open(db) as store:
        return store.editions()[0].content_hash


@pytest.mark.parametrize("args", [i[1] for i in INGESTS], ids=[i[0] for i in INGESTS])
def test_an_ingest_has_exactly_one_matching_audit_entry(cli, db: str,  # type: ignore[no-untyped-def]
                                                        args: tuple[str, ...]) -> None:
    assert cli(*args).code == 0
    ingests, entries, _n = _stored(db)
    [ingest], [entry] = ingests, entries
    assert (entry.action, entry.actor) == ("ingest", "ana")
    assert entry.details["ingest"] == ingest.id
    assert entry.details["source"] == args[1]
    assert entry.hashes["file"] == _file_hash(args[1], db)
    assert set(entry.hashes) == {"file", "ingest"}  # ingest: the digest of its ingest row
    assert entry.hashes["file"] == ingest.content_hash


def _broken(*_args: object, **_kw: object) -> None:
    raise OperationalError("INSERT INTO audit_log", {}, Exception("disk full"))


@pytest.mark.parametrize("args", [i[1] for i in INGESTS], ids=[i[0] for i in INGESTS])
def test_a_failing_audit_append_rolls_back_the_ingest(cli, db: str, args: tuple[str, ...],  # type: ignore[no-untyped-def]
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    Store.open(db).close()  # the empty, migrated database
    before = _stored(db)
    monkeypatch.setattr("riskengine.store.audit.append_audit", _broken)
    failed = cli(*args)
    assert failed.code == 1 and failed.out == ""
    assert failed.err.count("\n") == 1 and "nothing was written" in failed.err
    assert _stored(db) == before == ([], [], 0)


def test_an_edition_already_stored_is_audited_alone(cli, db: str) -> None:  # type: ignore[no-untyped-def]
    args = INGESTS[1][1]
    assert cli(*args).code == 0
    again = cli(*args)
    assert again.code == 0 and "already ingested" in again.out
    ingests, entries, _n = _stored(db)
    assert len(ingests) == 1
    assert [e.details["ingest"] for e in entries] == [1, None]
    assert entries[0].hashes["file"] == entries[1].hashes["file"]


def test_a_score_is_audited_before_it_is_printed(cli, db: str) -> None:  # type: ignore[no-untyped-def]
    shown = cli("score", "JAC Motors", "--format", "json", "--actor", "bob")
    assert shown.code == 0
    rules, entry = _stored(db)[1]  # the rule files, first seen, then the score
    assert (rules.action, entry.action, entry.actor) == ("rules.change", "score", "bob")
    assert entry.details["score"] == shown.json()["score"]


def test_a_failing_score_audit_prints_no_result(cli, db: str,  # type: ignore[no-untyped-def]
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kw: object) -> None:
        raise RiskEngineError("appending to the audit log failed: disk full")

    monkeypatch.setattr("riskengine.store.audit.append_audit", broken)
    for fmt in ("json", "table"):
        failed = cli("score", "JAC Motors", "--format", fmt)
        assert (failed.code, failed.out) == (1, "")
        assert failed.err == "error: appending to the audit log failed: disk full\n"
