"""Replay of real lists arriving one after another, a rescore after each: no false change.

OFAC SDN 2022-06-17, 2022-06-28 and 2024-05-03 (with the ~Dec 2025 companions, as the
real-list tests read it), the UK ConList, UN, Canada and OFAC consolidated are ingested in
turn through the real CLI, with ``rescore`` and ``changes`` after each. Entities are
followed by their records, so between two runs: no ``removed`` for an entity whose records
are all still stored, no ``added`` for one that existed under another id, no
``newly_blocked``/``unblocked`` under a regime whose list did not change in that step unless
the entity merged or split then, and every merge and split reported as such. A small FtM
book, on SQLite and PostgreSQL, checks one merge and one split row by row.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from riskengine.runs.table import EntityState
from riskengine.store import Store
from riskengine.store.runs import run_states
from tests.cli.conftest import ok

pytestmark = pytest.mark.shared_data
AS_OF = "2026-03-01"  # after every edition below: the runs differ by data only


@dataclass(frozen=True)
class Step:
    source: str
    path: str  # under the shared data folder ("sdn-2024": the assembled 2024 set)
    published: str
    regime: str  # the regime whose list this step changes


STEPS = [
    Step("ofac-sdn", "ofac_sdn_csv/2022-06-17", "2022-06-17", "us"),
    Step("ofac-sdn", "ofac_sdn_csv/2022-06-28", "2022-06-28", "us"),
    Step("ofac-sdn", "sdn-2024", "2024-05-03", "us"),
    Step("uk", "uk_ofsi_conlist/ConList.xlsx", "2025-04-14", "uk"),
    Step("un", "un_sc_consolidated/UN_consolidated.xml", "2026-02-27", "un"),
    Step("ca", "canada_sema/cannada.xml", "2026-01-01", "ca"),
    Step("ofac-cons", "ofac_consolidated_non_sdn/csv", "2026-01-08", "us"),
]
BLOCK_KINDS = ("newly_blocked", "unblocked")


def sdn_2024(shared: Path, tmp_path: Path) -> Path:
    """sdn.csv of 2024-05-03 with the ~Dec 2025 add/alt/sdn_comments beside it."""
    folder = tmp_path / "sdn-2024"
    folder.mkdir()
    base = shared / "ofac_sdn_csv"
    for src in [base / "2024-05-03" / "sdn.csv", *sorted((base / "2025-12_companions").iterdir())]:
        shutil.copy(src, folder / src.name)
    return folder


def records(states: Mapping[str, EntityState]) -> dict[str, str]:
    """Record id -> the id of the entity holding it in a run."""
    return {r: s.entity_id for s in states.values() for r in s.records}


def false_rows(changes: list[dict[str, str]], before: Mapping[str, EntityState],
               after: Mapping[str, EntityState], stored: set[str], step: Step) -> list[str]:
    """Every change row of one step that should not be there, as text."""
    held_before, linked = records(before), {c["entity_id"] for c in changes
                                            if c["kind"] in ("merged", "split")}
    wrong = []
    for c in changes:
        kind, entity = c["kind"], c["entity_id"]
        if kind == "removed" and set(before[entity].records) <= stored:
            wrong.append(f"removed while its records are stored: {c}")
        if kind == "added" and set(after[entity].records) & set(held_before):
            wrong.append(f"added though it existed: {c}")
        if kind in BLOCK_KINDS and c["regime"] != step.regime and entity not in linked:
            wrong.append(f"{kind} under an unchanged list: {c}")
    return wrong


def unreported_links(changes: list[dict[str, str]], before: Mapping[str, EntityState],
                     after: Mapping[str, EntityState]) -> list[str]:
    """Entities made of records of other previous entities without a merged/split row."""
    held_before = records(before)
    named = {(c["entity_id"], c["before"]) for c in changes if c["kind"] in ("merged", "split")}
    missing = []
    for state in after.values():
        previous = {held_before[r] for r in state.records if r in held_before}
        missing += [f"{state.entity_id} <- {p}" for p in sorted(previous - {state.entity_id})
                    if (state.entity_id, p) not in named]
    return missing


def test_replay_real_lists_reports_no_false_change(cli, db: str, shared_data: Path,  # type: ignore[no-untyped-def]
                                                   tmp_path: Path) -> None:
    paths = {"sdn-2024": sdn_2024(shared_data, tmp_path)}
    kinds: dict[str, int] = {}
    merged_in: list[int] = []  # runs that report a merge
    after: dict[str, EntityState] = {}
    for number, step in enumerate(STEPS, start=1):
        path = paths.get(step.path, shared_data / step.path)
        ok(cli, "ingest", step.source, str(path), "--published", step.published)
        ok(cli, "rescore", "--as-of", AS_OF, "--quiet")
        changes = ok(cli, "changes", "--format", "json").json()["changes"]
        with Store.open(db) as store:
            before, after = after, run_states(store, number)
            stored = store.entity_ids()
        if number == 1:
            continue
        assert false_rows(changes, before, after, stored, step) == [], step
        assert unreported_links(changes, before, after) == [], step
        for c in changes:
            kinds[c["kind"]] = kinds.get(c["kind"], 0) + 1
        merged_in += [number] if any(c["kind"] == "merged" for c in changes) else []
    assert {"merged", "added", "newly_blocked"} <= set(kinds), kinds
    check_outputs(cli, merged_in[0], records(after))


def check_outputs(cli, run: int, final: Mapping[str, str]) -> None:  # type: ignore[no-untyped-def]
    """The CSV of a run with merges names both ids; score, score --run and history follow
    an absorbed id (one still merged in the last run, ``final``: record -> entity)."""
    rows = list(csv.DictReader(io.StringIO(ok(cli, "changes", "--run", str(run), "--format",
                                              "csv").out)))
    merged = [r for r in rows if r["kind"] == "merged"]
    assert merged and all(r["before"] and r["after"] == r["entity_id"] for r in merged)
    absorbed, survivor = next((r["before"], r["entity_id"]) for r in merged
                              if final[r["before"]] == r["entity_id"])
    assert ok(cli, "score", absorbed, "--format", "json").json()["entity"]["id"] == survivor
    again = ok(cli, "score", absorbed, "--run", str(run - 1), "--format", "json").json()
    assert again["entity"]["id"] == absorbed  # as the run before knew it
    history = ok(cli, "history", absorbed, "--format", "json").json()
    assert history["entity"] == survivor
    ids_by_run = {(r["run"], r["id"]) for r in history["runs"]}
    assert {(run - 1, absorbed), (run, survivor)} <= ids_by_run


# --- a merge and a split on a small book, on both backends -------------------------------

Record = dict[str, object]
ALPHA: Record = {"id": "x-alpha", "schema": "Company", "properties": {
    "name": ["Alpha Widgets"], "innCode": ["7700000001"], "country": ["ru"]}}
BETA: Record = {"id": "y-beta", "schema": "Company", "properties": {
    "name": ["Beta Gears"], "country": ["ru"]}}


def bridge(name: str) -> Record:
    """A later record with the smallest id: Alpha's tax number, and ``name``."""
    return {"id": "a-bridge", "schema": "Company", "properties": {
        "name": [name], "innCode": ["7700000001"], "country": ["ru"]}}


def ftm(tmp_path: Path, name: str, *entities: Record) -> str:
    path = tmp_path / f"{name}.ftm.json"
    path.write_text("".join(json.dumps(e) + "\n" for e in entities), encoding="utf-8")
    return str(path)


MERGE_STEPS: list[tuple[tuple[Record, ...], list[tuple[str, str, str]]]] = [
    # (the file's records, the expected (entity, kind, before) change rows)
    ((ALPHA, BETA), []),
    ((bridge("Beta Gears"),), [("x-alpha", "merged", "y-beta")]),
    ((bridge("Gamma Gears"),), [("y-beta", "split", "x-alpha")]),
]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def book(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    from tests.cli.conftest import backend_url

    return backend_url(request, tmp_path)


def test_merge_and_split_keep_ids(cli, monkeypatch: pytest.MonkeyPatch, book: str,  # type: ignore[no-untyped-def]
                                  tmp_path: Path) -> None:
    monkeypatch.setenv("RISKENGINE_DB", book)
    for number, (entities, expected) in enumerate(MERGE_STEPS, start=1):
        ok(cli, "ingest", "ftm", ftm(tmp_path, f"step{number}", *entities))
        ok(cli, "rescore", "--as-of", AS_OF, "--quiet")
        changes = ok(cli, "changes", "--format", "json").json()["changes"]
        assert [(c["entity_id"], c["kind"], c["before"]) for c in changes] == expected
    history = ok(cli, "history", "y-beta", "--format", "json").json()
    assert history["entity"] == "y-beta"
    assert [(r["run"], r["id"]) for r in history["runs"]] == [(1, "y-beta"), (3, "y-beta")]
    merged = ok(cli, "history", "a-bridge", "--format", "json").json()
    assert merged["entity"] == "x-alpha"
    assert [(r["run"], r["id"]) for r in merged["runs"]] == [(1, "x-alpha"), (2, "x-alpha"),
                                                             (3, "x-alpha")]
    assert ok(cli, "score", "y-beta", "--run", "2", "--format", "json").json()["entity"][
        "id"] == "x-alpha"
    assert "x-alpha\tAlpha Widgets\tmerged: y-beta -> x-alpha" in ok(cli, "changes", "--run",
                                                                      "2").out
