"""`riskengine ingest SOURCE PATH` for official lists: history, safety, merging, `entities show`."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from riskengine.domain import Dataset, Designation
from riskengine.store import Store

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
SDN = FIXTURES / "ofac" / "sdn_csv"
UK_XLSX = FIXTURES / "uk" / "ConList.excerpt.xlsx"
KAMAZ_LEASING = '37757,"LEASING COMPANY KAMAZ INCORPORATED"'
Cli = Callable[..., object]


def state(db: str) -> tuple[dict[str, int], Dataset]:
    with Store.open(db) as store:
        return store.counts(), store.load_dataset()


def designations(db: str, entity_id: str) -> list[Designation]:
    with Store.open(db) as store:
        return [d for d in store.source_designations("ofac-sdn") if d.entity_id == entity_id]


def sdn_copy(tmp_path: Path, name: str, keep: Callable[[str], bool]) -> Path:
    """A copy of the SDN fixture folder keeping the sdn.csv lines ``keep`` accepts."""
    folder = tmp_path / name
    shutil.copytree(SDN, folder)
    lines = (SDN / "sdn.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / "sdn.csv").write_text("".join(x for x in lines if keep(x)), encoding="utf-8")
    return folder


def us_status(cli, query: str, as_of: str) -> str:  # type: ignore[no-untyped-def]
    run = cli("score", query, "--as-of", as_of, "--format", "json")
    assert run.code == 0, run.err
    return str(run.json()["regimes"]["us"]["status"])


@pytest.mark.parametrize(
    ("source", "path", "published"),
    [
        ("ofac-sdn", SDN, "2024-01-01"),
        ("ofac-cons", FIXTURES / "ofac" / "cons_csv", "2024-01-01"),
        ("uk", UK_XLSX, "2025-04-14"),
        ("uk", FIXTURES / "uk" / "UK-Sanctions-List.excerpt.xml", "2026-03-26"),
        ("eu", FIXTURES / "eu" / "fsf_excerpt.xml", "2025-06-02"),
        ("un", FIXTURES / "un" / "UN_consolidated.excerpt.xml", "2026-02-27"),
        ("ca", FIXTURES / "ca" / "sema-lmes.excerpt.xml", "2024-01-01"),
    ],
)
def test_every_source_ingests_once(cli, db: str, source: str, path: Path,  # type: ignore[no-untyped-def]
                                   published: str) -> None:
    run = cli("ingest", source, str(path), "--published", "2024-01-01")
    assert run.code == 0, run.err
    assert run.out.startswith(f"{source} edition of {published}: ingested ")
    assert all(x.startswith("warning: ") for x in run.out.splitlines()[1:])
    before = state(db)
    assert before[0]["list_editions"] == 1
    again = cli("ingest", source, str(path), "--published", "2024-01-01")
    assert again.code == 0 and "already ingested" in again.out
    assert state(db) == before


def test_history_new_delisted_relisted(cli, db: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    without = sdn_copy(tmp_path, "without", lambda x: not x.startswith(KAMAZ_LEASING))
    later = sdn_copy(tmp_path, "later", lambda x: not x.startswith(KAMAZ_LEASING))
    (later / "sdn_comments.csv").write_text("", encoding="utf-8")  # same entries, new file
    steps = [(without, "2022-06-17"), (SDN, "2022-06-28"), (later, "2022-07-01")]
    for folder, when in steps:
        assert cli("ingest", "ofac-sdn", str(folder), "--published", when).code == 0
    again = sdn_copy(tmp_path, "again", lambda x: True)
    (again / "sdn_comments.csv").write_text("", encoding="utf-8")
    run = cli("ingest", "ofac-sdn", str(again), "--published", "2022-08-01")
    assert run.code == 0, run.err
    assert "1 relisted" in run.out
    periods = [(d.id, d.listed_from, d.listed_to) for d in designations(db, "ofac:37757")]
    assert periods == [
        ("ofac-sdn:37757:RUSSIA-EO14024", date(2022, 6, 28), date(2022, 7, 1)),
        ("ofac-sdn:37757:RUSSIA-EO14024@2022-08-01", date(2022, 8, 1), None),
    ]
    expected = {"2022-06-27": "clear", "2022-06-28": "listed", "2022-07-01": "clear",
                "2022-08-01": "listed"}
    assert {day: us_status(cli, "ofac:37757", day) for day in expected} == expected
    kept = designations(db, "ofac:37758")
    assert [(d.listed_from, d.listed_to) for d in kept] == [(date(2022, 6, 17), None)]


def test_older_edition_is_refused_unless_forced(cli, db: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("ingest", "ofac-sdn", str(SDN), "--published", "2022-06-28").code == 0
    before = state(db)
    older = sdn_copy(tmp_path, "older", lambda x: not x.startswith(KAMAZ_LEASING))
    run = cli("ingest", "ofac-sdn", str(older), "--published", "2022-06-17")
    assert run.code == 2
    assert run.err.count("\n") == 1 and "older than the newest" in run.err
    assert state(db) == before
    forced = cli("ingest", "ofac-sdn", str(older), "--published", "2022-06-17", "--force")
    assert forced.code == 0, forced.err
    assert state(db)[0]["list_editions"] == 2


def test_truncated_edition_is_refused_unless_forced(cli, db: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("ingest", "ofac-sdn", str(SDN), "--published", "2022-06-28").code == 0
    before = state(db)
    head = sdn_copy(tmp_path, "head", lambda x: not x.startswith(("37", "44")))
    run = cli("ingest", "ofac-sdn", str(head), "--published", "2022-07-01")
    assert run.code == 2
    assert run.err.count("\n") == 1 and "would delist" in run.err and "--force" in run.err
    assert state(db) == before
    assert cli("ingest", "ofac-sdn", str(head), "--published", "2022-07-01", "--force").code == 0
    assert [d.listed_to for d in designations(db, "ofac:37756")] == [date(2022, 7, 1)]


def _broken_csv(tmp_path: Path) -> Path:
    return sdn_copy(tmp_path, "broken", lambda x: True).joinpath("sdn.csv")


def _append_bad_row(tmp_path: Path) -> Path:
    path = _broken_csv(tmp_path)
    path.write_text(path.read_text(encoding="utf-8") + '99999,"BROKEN\n', encoding="utf-8")
    return path.parent


def _truncated_xml(tmp_path: Path) -> Path:
    text = (FIXTURES / "ofac" / "sdn_xml" / "sdn.xml").read_text(encoding="utf-8")
    path = tmp_path / "sdn.xml"
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    return path


@pytest.mark.parametrize("broken", [_append_bad_row, _truncated_xml], ids=["csv", "xml"])
def test_broken_file_exits_2_and_changes_nothing(cli, db: str, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                 broken: Callable[[Path], Path]) -> None:
    assert cli("ingest", "ofac-sdn", str(SDN), "--published", "2024-01-01").code == 0
    before = state(db)
    run = cli("ingest", "ofac-sdn", str(broken(tmp_path)), "--published", "2024-02-01")
    assert run.code == 2
    assert run.err.startswith("error: ") and run.err.count("\n") == 1
    assert state(db) == before


def test_lists_merge_into_the_scenario_entity(cli, db: str) -> None:  # type: ignore[no-untyped-def]
    assert cli("ingest", "ofac-sdn", str(SDN), "--published", "2022-06-28").code == 0
    assert cli("ingest", "uk", str(UK_XLSX)).code == 0
    run = cli("entities", "show", "ofac:37756", "--format", "json")
    assert run.code == 0, run.err
    report = run.json()
    assert report["id"] == "kamaz"
    assert {"kamaz", "ofac:37756", "uk:RUS1422"} <= set(report["members"])
    assert {(r["source"], r["record_id"]) for r in report["records"]} >= {
        ("ofac-sdn", "37756"), ("uk", "RUS1422")}
    assert any(why.startswith("kamaz = ofac:37756: same ") for why in report["merged_because"])
    sources = {d["source"].split(" ")[0] for d in report["designations"]}
    assert {"ofac-sdn", "uk"} <= sources
    score = cli("score", "KAMAZ", "--format", "json")
    assert score.code == 0, score.err
    assert score.json()["entity"]["id"] == "kamaz"
    table = cli("entities", "show", "КАМАЗ")
    assert table.code == 0 and "Merged because:" in table.out and "uk #RUS1422" in table.out


def rules_copy(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", folder)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_forbidden_merge_is_respected(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rules = rules_copy(tmp_path, "merges.yaml", (
        "forbid:\n  - ids: [kamaz, 'ofac:37756']\n    reason: test\n"))
    assert cli("ingest", "ofac-sdn", str(SDN), "--published", "2022-06-28").code == 0
    run = cli("--rules", str(rules), "entities", "show", "ofac:37756", "--format", "json")
    assert run.code == 0, run.err
    assert run.json()["members"] == ["ofac:37756"]


@pytest.mark.parametrize(
    ("name", "text", "command", "message"),
    [
        ("merges.yaml", "forbid: []\nforse: []\n", ("score", "KAMAZ"),
         "merges.yaml:2:1: unknown key 'forse'"),
        ("merges.yaml", "force:\n  - ids: [a, b]\n", ("entities", "show", "KAMAZ"),
         "merges.yaml:2:5:"),
        ("ingest.yaml", "max_delisted_share: 2\n",
         ("ingest", "ofac-sdn", str(SDN)), "ingest.yaml:1:21:"),
    ],
    ids=["unknown-key", "missing-reason", "share-range"],
)
def test_invalid_rule_files_exit_2_with_a_position(cli, tmp_path: Path, name: str, text: str,  # type: ignore[no-untyped-def]
                                                   command: tuple[str, ...], message: str) -> None:
    rules = rules_copy(tmp_path, name, text)
    run = cli("--rules", str(rules), *command)
    assert run.code == 2
    assert message in run.err


def test_bad_published_date_exits_2(cli) -> None:  # type: ignore[no-untyped-def]
    run = cli("ingest", "ofac-sdn", str(SDN), "--published", "28/06/2022")
    assert run.code == 2 and "--published" in run.err


# --- the real lists (../shared/data) -------------------------------------------------------


def test_real_sdn_editions_date_new_listings(cli, db: str, shared_data: Path) -> None:  # type: ignore[no-untyped-def]
    folder = shared_data / "ofac_sdn_csv"
    for when in ("2022-06-17", "2022-06-28"):
        run = cli("ingest", "ofac-sdn", str(folder / when), "--published", when)
        assert run.code == 0, run.err
    expected = {"2022-06-27": "clear", "2022-06-28": "listed"}
    assert {day: us_status(cli, "ofac:37757", day) for day in expected} == expected
    kamaz = cli("entities", "show", "KAMAZ", "--format", "json").json()
    assert kamaz["id"] == "kamaz" and "ofac:37756" in kamaz["members"]
    ofac = [d for d in kamaz["designations"] if d["id"].startswith("ofac-sdn:37756:")]
    assert [(d["listed_from"], d["listed_to"]) for d in ofac] == [("2022-06-28", None)]


def test_real_truncated_sdn_and_uk_merge(cli, db: str, shared_data: Path,  # type: ignore[no-untyped-def]
                                         tmp_path: Path) -> None:
    full = shared_data / "ofac_sdn_csv" / "2022-06-28" / "sdn.csv"
    assert cli("ingest", "ofac-sdn", str(full.parent), "--published", "2022-06-28").code == 0
    head = tmp_path / "head" / "sdn.csv"
    head.parent.mkdir()
    with full.open(encoding="utf-8", newline="") as lines:
        head.write_text("".join(next(lines) for _ in range(50)), encoding="utf-8")
    before = state(db)
    refused = cli("ingest", "ofac-sdn", str(head.parent), "--published", "2022-07-01")
    assert refused.code == 2 and "would delist" in refused.err
    assert state(db) == before
    forced = cli("ingest", "ofac-sdn", str(head.parent), "--published", "2022-07-01", "--force")
    assert forced.code == 0, forced.err
    assert [d.listed_to for d in designations(db, "ofac:37756")] == [date(2022, 7, 1)]
    uk = shared_data / "uk_ofsi_conlist" / "ConList.xlsx"
    run = cli("ingest", "uk", str(uk))
    assert run.code == 0, run.err
    report = cli("entities", "show", "uk:RUS1422", "--format", "json").json()
    assert {"kamaz", "ofac:37756", "uk:RUS1422"} <= set(report["members"])
    assert cli("score", "KAMAZ", "--format", "json").json()["entity"]["id"] == "kamaz"


def test_ties_end_and_renew_with_the_editions(cli, db: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    unlinked = sdn_copy(tmp_path, "unlinked", lambda x: True)
    sdn = unlinked / "sdn.csv"
    text = sdn.read_text(encoding="utf-8")
    assert "; Linked To: RUSSIAN MACHINES." in text
    sdn.write_text(text.replace("; Linked To: RUSSIAN MACHINES.", "."), encoding="utf-8")
    relinked = sdn_copy(tmp_path, "relinked", lambda x: True)
    (relinked / "sdn_comments.csv").write_text("", encoding="utf-8")  # same entries, new file
    outs = []
    for folder, when in [(SDN, "2024-01-01"), (unlinked, "2024-02-01"),
                         (relinked, "2024-03-01")]:
        run = cli("ingest", "ofac-sdn", str(folder), "--published", when)
        assert run.code == 0, run.err
        outs.append(run.out)
    assert "ties: 0 new, 1 ended, 0 renewed" in outs[1]
    assert "ties: 0 new, 0 ended, 1 renewed" in outs[2]
    with Store.open(db) as store:
        ties = store.source_facts("ofac-sdn").ownerships
    gaz = [(t.id, t.valid_from, t.valid_to) for t in ties
           if t.asset == "ofac:24230" and t.owner == "ofac:24229"]  # RUSSIAN MACHINES
    assert gaz == [("ofac-sdn:24230:linked:24229", None, date(2024, 2, 1)),
                   ("ofac-sdn:24230:linked:24229@2024-03-01", date(2024, 3, 1), None)]
    deripaska = [t.valid_to for t in ties if t.asset == "ofac:24230" and t.owner != "ofac:24229"]
    assert deripaska == [None]  # still stated: never ended
