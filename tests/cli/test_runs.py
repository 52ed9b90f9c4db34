"""`rescore`, `runs`, `changes`, `history`, `audit` through the real console entry point."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from riskengine.store import Store
from riskengine.store.locks import hold_lock
from tests.cli.conftest import BACKENDS, backend_url, ok
from tests.conftest import FIXTURES

BEFORE, AFTER = "2022-06-01", "2022-07-01"  # around KAMAZ's OFAC listing of 2022-06-28


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Every test here runs on SQLite and on PostgreSQL."""
    return backend_url(request, tmp_path)


def raw(db: str, sql: str) -> None:
    engine = create_engine(db)
    with engine.begin() as conn:
        conn.execute(text(sql))
    engine.dispose()


def test_changes_around_the_kamaz_listing(cli) -> None:  # type: ignore[no-untyped-def]
    ok(cli, "rescore", "--as-of", BEFORE, "--quiet")
    alert = cli("rescore", "--as-of", AFTER, "--quiet", "--fail-on-changes")
    assert alert.code == 5
    assert "changes since run 1" in alert.out
    found = ok(cli, "changes", "--format", "json").json()
    assert (found["run"], found["previous"]) == (2, 1)
    kinds = {(c["entity_id"], c["kind"], c.get("regime")) for c in found["changes"]}
    assert ("kamaz", "newly_blocked", "us") in kinds
    assert ("jac", "band", None) in kinds
    jac = next(c for c in found["changes"] if c["entity_id"] == "jac" and c["kind"] == "band")
    assert (jac["before"], jac["after"]) == ("medium", "severe")


def test_no_changes_exit_0_and_formats(cli) -> None:  # type: ignore[no-untyped-def]
    ok(cli, "rescore", "--as-of", AFTER, "--quiet")
    ok(cli, "rescore", "--as-of", AFTER, "--quiet", "--fail-on-changes")
    table = ok(cli, "changes")
    assert table.out.startswith("run 2 vs run 1: 0 changes")
    rows = list(csv.reader(io.StringIO(ok(cli, "changes", "--format", "csv", "--run", "1").out)))
    assert rows == [["entity_id", "name", "kind", "regime", "before", "after"]]


def test_same_inputs_store_the_same_scores(cli, db: str) -> None:  # type: ignore[no-untyped-def]
    ok(cli, "rescore", "--as-of", AFTER, "--quiet")
    ok(cli, "rescore", "--as-of", AFTER, "--quiet")
    engine = create_engine(db)
    with engine.connect() as conn:
        runs = [conn.execute(text("SELECT entity_id, name, score, band, blocked, regimes FROM "
                                  "run_scores WHERE run_id = :r ORDER BY entity_id"),
                             {"r": r}).all() for r in (1, 2)]
        hashes = conn.execute(text("SELECT rules_hash, data_snapshot FROM runs")).all()
    engine.dispose()
    assert runs[0] == runs[1] and len(runs[0]) > 10
    assert hashes[0] == hashes[1]


def test_progress_on_stderr_unless_quiet(cli) -> None:  # type: ignore[no-untyped-def]
    loud = ok(cli, "rescore", "--as-of", AFTER, "--actor", "ana")
    assert "rescore: run 1 complete" in loud.err
    assert loud.out.startswith("1\tas of 2022-07-01")
    assert "by ana" in loud.out
    assert ok(cli, "rescore", "--as-of", AFTER, "--quiet").err == ""


def test_a_second_rescore_is_refused_while_one_runs(cli, db: str) -> None:  # type: ignore[no-untyped-def]
    with Store.open(db) as store, hold_lock(store, "rescore", "batch-host:4242 cron",
                                            datetime.now(UTC)):
        refused = cli("rescore", "--quiet")
    assert refused.code == 1
    assert refused.err.count("\n") == 1
    assert refused.err.startswith("error: another rescore is running on this database")
    assert "batch-host:4242 cron" in refused.err
    assert ok(cli, "runs", "list").out.strip() == "no runs yet"


def test_runs_list_and_show(cli) -> None:  # type: ignore[no-untyped-def]
    ok(cli, "rescore", "--as-of", BEFORE, "--quiet", "--actor", "ana")
    ok(cli, "rescore", "--as-of", AFTER, "--quiet", "--actor", "bob")
    listed = ok(cli, "runs", "list", "--format", "json").json()
    assert [(r["id"], r["as_of"], r["actor"], r["status"]) for r in listed] == [
        (1, BEFORE, "ana", "complete"), (2, AFTER, "bob", "complete")]
    ok(cli, "ingest", "ftm", str(FIXTURES / "ftm" / "sample.ftm.json"))
    ok(cli, "rescore", "--as-of", AFTER, "--quiet", "--actor", "bob")
    shown = ok(cli, "runs", "show", "2", "--format", "json").json()
    assert {k: v for k, v in shown.items() if k != "ingests"} == listed[1]
    assert shown["ingests"] == []  # the ingest came after run 2
    assert len(shown["rules_hash"]) == len(shown["data_snapshot"]) == 64
    assert shown["counts"]["blocked:us"] > listed[0]["counts"]["blocked:us"]
    (ingest,) = ok(cli, "runs", "show", "3", "--format", "json").json()["ingests"]
    assert (ingest["source"], len(ingest["content_hash"])) == ("ftm", 64)
    text = ok(cli, "runs", "show", "3").out
    assert "run 3 (complete)" in text and "data from 1 ingests:" in text
    assert f"ftm\t-\t{ingest['content_hash'][:12]}" in text
    assert cli("runs", "show", "7").code == 3


def test_history(cli) -> None:  # type: ignore[no-untyped-def]
    ok(cli, "rescore", "--as-of", BEFORE, "--quiet")
    ok(cli, "rescore", "--as-of", AFTER, "--quiet")
    found = ok(cli, "history", "KAMAZ", "--format", "json").json()
    assert found["entity"] == "kamaz"
    assert ["us" in r["blocked"] for r in found["runs"]] == [False, True]
    assert "run 2" in ok(cli, "history", "JAC Motors").out


def test_audit_verify_finds_edits_and_deletions(cli, db: str) -> None:  # type: ignore[no-untyped-def]
    for as_of in (BEFORE, AFTER, AFTER):
        ok(cli, "rescore", "--as-of", as_of, "--quiet", "--actor", "ana")
    assert ok(cli, "audit", "verify").out.strip() == ("audit log intact: 4 entries; "
                                                      "checked 3 runs")
    shown = ok(cli, "audit", "show", "--format", "json").json()
    assert [(e["id"], e["action"], e["actor"], e["details"].get("run")) for e in shown] == [
        (1, "rules.change", "ana", None), (2, "rescore", "ana", 1), (3, "rescore", "ana", 2),
        (4, "rescore", "ana", 3)]
    assert ok(cli, "audit", "show", "--since", "2999-01-01").out.strip() == "no audit entries"
    raw(db, "UPDATE audit_log SET actor = 'eve' WHERE id = 2")
    edited = cli("audit", "verify")
    assert edited.code == 6
    assert edited.err.strip() == ("error: audit log broken: entry 2: content does not match "
                                  "its hash (edited)")
    raw(db, "UPDATE audit_log SET actor = 'ana' WHERE id = 2")
    ok(cli, "audit", "verify")
    raw(db, "DELETE FROM audit_log WHERE id = 2")
    deleted = cli("audit", "verify")
    assert deleted.code == 6
    assert "entry 2 is missing" in deleted.err


def test_an_ingest_between_runs_changes_the_data_snapshot(cli) -> None:  # type: ignore[no-untyped-def]
    ok(cli, "rescore", "--as-of", AFTER, "--quiet")
    ok(cli, "ingest", "ftm", str(FIXTURES / "ftm" / "sample.ftm.json"))
    ok(cli, "rescore", "--as-of", AFTER, "--quiet")
    first, second = ok(cli, "runs", "list", "--format", "json").json()
    assert first["rules_hash"] == second["rules_hash"]
    assert first["data_snapshot"] != second["data_snapshot"]
    found = ok(cli, "changes", "--format", "json").json()["changes"]
    assert any(c["kind"] == "added" for c in found)


def test_changes_since_a_day_are_the_net_changes(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from riskengine.application import base

    for day, as_of in ((1, BEFORE), (2, AFTER), (3, AFTER)):
        moment = datetime(2026, 3, day, 12, tzinfo=UTC)
        monkeypatch.setattr(base, "now", lambda moment=moment: moment)
        ok(cli, "rescore", "--as-of", as_of, "--quiet")

    def found(*args: str) -> tuple[int | None, set[tuple[str, str]]]:
        shown = ok(cli, "changes", "--format", "json", *args).json()
        return shown["previous"], {(c["entity_id"], c["kind"]) for c in shown["changes"]}

    assert found() == (2, set())
    previous, since = found("--since", "2026-03-02")
    assert previous == 1 and ("kamaz", "newly_blocked") in since
    assert found("--since", "2026-03-03") == (2, set())
    assert found("--since", "2026-03-01") == (None, set())
    assert found("--since", "2026-03-02", "--run", "2") == (previous, since)
    assert cli("changes", "--since", "March").code == 2
