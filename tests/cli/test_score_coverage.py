"""`riskengine score` never says "clear" for "no data": coverage of each verdict, editions
without a date of their own, the seed on request, overrides at a distance, the table's width,
and the error boundary's exit codes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.cli.conftest import ok
from tests.conftest import FIXTURES

UN = FIXTURES / "un" / "UN_consolidated.excerpt.xml"  # dateGenerated 2026-02-27
SDN = FIXTURES / "ofac" / "sdn_csv"  # the legacy CSV states no date


def as_json(cli, *args: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return ok(cli, *args, "--format", "json").json()


def rows(db: str, table: str) -> int:
    engine = create_engine(db)
    with engine.connect() as conn:
        found = int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
    engine.dispose()
    return found


# as of, un status, un covered, flag start (None: no flag)
UN_CASES = [
    ("2026-01-01", "not_covered", False, "un: 2026-01-01 is before the earliest un edition"),
    ("2026-03-01", "clear", True, None),
    ("2026-11-01", "clear", True, "un: newest un edition on or before 2026-11-01 is of "
                                  "2026-02-27, 247 days old"),
]


@pytest.mark.parametrize(("as_of", "status", "covered", "flag"), UN_CASES,
                         ids=[c[0] for c in UN_CASES])
def test_un_verdict_rests_on_the_un_edition(cli, as_of: str, status: str, covered: bool,  # type: ignore[no-untyped-def]
                                            flag: str | None) -> None:
    ok(cli, "ingest", "un", str(UN))
    result = as_json(cli, "score", "jac", "--as-of", as_of)
    un = result["regimes"]["un"]
    assert (un["status"], un["coverage"]["covered"]) == (status, covered)
    assert un["coverage"]["sources"][0]["source"] == "un"
    assert un["coverage"]["sources"][0]["earliest"] == "2026-02-27"
    found = [f for f in result["flags"] if f.startswith("un:")]
    assert [f.startswith(flag) for f in found] == ([True] if flag else [])


def test_a_regime_with_no_list_is_not_covered_in_the_table(cli) -> None:  # type: ignore[no-untyped-def]
    out = ok(cli, "score", "jac", "--as-of", "2026-11-01").out
    un = next(line for line in out.splitlines() if line.startswith("│ un "))
    assert "not covered" in un and "clear" not in un.split("│")[2]
    us = next(line for line in out.splitlines() if line.startswith("│ us "))
    assert "rules (seed)" in us


def test_an_edition_without_a_date_needs_published(cli, db: str) -> None:  # type: ignore[no-untyped-def]
    ok(cli, "ingest", "un", str(UN))
    before = (rows(db, "ingests"), rows(db, "designations"))
    run = cli("ingest", "ofac-sdn", str(SDN))
    assert run.code == 2
    assert run.err.startswith(f"error: {SDN}: ") and "--published" in run.err
    assert len(run.err.strip().splitlines()) == 1
    assert (rows(db, "ingests"), rows(db, "designations")) == before
    ok(cli, "ingest", "ofac-sdn", str(SDN), "--published", "2022-06-28")
    assert rows(db, "list_editions") == 2


@pytest.mark.parametrize(("args", "env"), [(("--no-seed",), None), ((), "0"), ((), "false")])
def test_the_seed_on_request(cli, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...],  # type: ignore[no-untyped-def]
                             env: str | None) -> None:
    if env is not None:
        monkeypatch.setenv("RISKENGINE_SEED", env)
    assert cli(*args, "score", "jac").code == 3
    ok(cli, *args, "ingest", "un", str(UN))
    result = as_json(cli, *args, "score", "un:CDi.002", "--as-of", "2026-03-01")
    assert {s["source"] for v in result["regimes"].values()
            for s in v["coverage"]["sources"]} == {"un"}
    assert result["regimes"]["us"]["status"] == "not_covered"


def test_the_seed_stays_by_default_and_with_seed(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("RISKENGINE_SEED", "0")
    assert as_json(cli, "--seed", "score", "kamaz")["regimes"]["us"]["status"] == "listed"
    monkeypatch.delenv("RISKENGINE_SEED")
    assert as_json(cli, "score", "kamaz")["regimes"]["us"]["status"] == "listed"


def test_an_empty_ftm_file_is_refused(cli, db: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ok(cli, "score", "kamaz")  # creates the database
    for content in ("", "\n\n"):
        empty = tmp_path / "empty.ftm.json"
        empty.write_text(content, encoding="utf-8")
        run = cli("ingest", "ftm", str(empty))
        assert run.code == 2 and str(empty) in run.err and "empty" in run.err
    assert rows(db, "ingests") == 0


@pytest.mark.parametrize(("args", "code"), [
    (("score", "no such entity"), 3),
    (("score", "jac", "--as-of", "yesterday"), 2),
    (("ingest", "ofac-sdn", str(SDN)), 2),
])
def test_debug_keeps_the_exit_code(cli, args: tuple[str, ...], code: int) -> None:  # type: ignore[no-untyped-def]
    plain, debug = cli(*args), cli("--debug", *args)
    assert plain.code == debug.code == code
    assert "Traceback (most recent call last)" in debug.err
    assert "Traceback" not in plain.err


def test_an_override_elsewhere_is_named(cli) -> None:  # type: ignore[no-untyped-def]
    before = as_json(cli, "score", "jac", "--as-of", "2026-11-01")
    ok(cli, "override", "add", "kamaz", "--kind", "manual_status", "--regime", "us",
       "--status", "clear", "--reason", "licence", "--expires", "2099-01-01", "--actor", "ann",
       "--as-of", "2026-11-01")
    ok(cli, "override", "approve", "1", "--actor", "bob")
    after = as_json(cli, "score", "jac", "--as-of", "2026-11-01")
    assert after["score"] < before["score"]
    assert after["overrides_elsewhere"] == [{
        "override": 1, "entity": {"id": "kamaz", "name": "KAMAZ PJSC"},
        "detail": after["overrides_elsewhere"][0]["detail"], "score_without": before["score"]}]
    table = ok(cli, "score", "jac", "--as-of", "2026-11-01").out
    assert "override elsewhere: override #1 (manual_status us clear on KAMAZ PJSC) changed " \
           "this score" in " ".join(table.split())
    assert as_json(cli, "score", "kamaz", "--as-of", "2026-11-01")["overrides_elsewhere"] == []


def test_the_table_fits_the_terminal(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COLUMNS", "80")
    out = ok(cli, "score", "jac", "--as-of", "2026-11-01").out
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "…" in out  # long sources are cut


def test_wide_cites_sources_uncut(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COLUMNS", "80")
    found = as_json(cli, "score", "jac", "--as-of", "2026-11-01")
    cited = [i["source"] for c in found["contributions"] for i in c["path"] if i.get("source")]
    longest = max(cited, key=len)
    assert len(longest) > 110
    out = ok(cli, "score", "jac", "--as-of", "2026-11-01", "--wide").out
    assert longest in out and "…" not in out
