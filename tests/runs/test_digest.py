"""Digests of stored decisions (pure): the rows digest against a brute-force reference,
order independence, and every edit of a row, header or override content changing it; the
cross-check functions naming what was edited."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskengine.runs.chain import Entry
from riskengine.runs.crosscheck import (
    ingest_problem,
    override_problem,
    run_problem,
    scores_problem,
)
from riskengine.runs.digest import (
    HEADER_COLUMNS,
    SCORE_COLUMNS,
    RowsDigest,
    content_digest,
    header_digest,
    json_text,
    row_digest,
    row_digest_of_cells,
    rows_digest,
)

AT = datetime(2026, 11, 1, 9, 0, 0, 250_000, tzinfo=UTC)

ROW = st.fixed_dictionaries({
    "entity_id": st.text(min_size=1, max_size=8), "name": st.text(max_size=12),
    "score": st.floats(0, 100, allow_nan=False), "band": st.sampled_from(["low", "high"]),
    "blocked": st.booleans(),
    "regimes": st.dictionaries(st.sampled_from(["us", "eu"]),
                               st.tuples(st.sampled_from(["listed", "owned"]), st.booleans(),
                                         st.booleans()).map(list), max_size=2),
    "parts": st.one_of(st.none(), st.dictionaries(st.sampled_from(["blocked:us", "cap"]),
                                                  st.floats(-100, 100, allow_nan=False))),
    "members": st.one_of(st.none(), st.lists(st.text(min_size=1, max_size=4), max_size=3)),
})


def reference(rows: list[dict[str, Any]]) -> str:
    """The definition, spelled out: sha256 over the sorted sha256 of each row's columns as
    sorted-key JSON."""
    each = sorted(hashlib.sha256(json.dumps(
        [r.get(c) if c != "score" else float(r[c]) for c in SCORE_COLUMNS],
        sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()).digest()
        for r in rows)
    return hashlib.sha256(b"".join(each)).hexdigest()


@settings(max_examples=60, deadline=None, database=None, derandomize=True)
@given(rows=st.lists(ROW, max_size=12), seed=st.integers(0, 2**32 - 1))
def test_rows_digest_is_the_reference_in_any_order(rows: list[dict[str, Any]],
                                                   seed: int) -> None:
    shuffled = [rows[i] for i in np.random.default_rng(seed).permutation(len(rows))]
    assert rows_digest(rows) == (len(rows), reference(rows))
    assert rows_digest(shuffled) == rows_digest(rows)


@settings(max_examples=60, deadline=None, database=None, derandomize=True)
@given(rows=st.lists(ROW, min_size=1, max_size=6), other=ROW, data=st.data())
def test_any_edit_of_a_row_changes_the_digest(rows: list[dict[str, Any]],
                                              other: dict[str, Any], data: st.DataObject
                                              ) -> None:
    at = data.draw(st.integers(0, len(rows) - 1))
    column = data.draw(st.sampled_from(SCORE_COLUMNS))
    edited = [dict(r) for r in rows]
    edited[at][column] = other[column]
    same = reference(edited) == reference(rows)
    assert (rows_digest(edited) == rows_digest(rows)) == same
    assert rows_digest(rows[1:])[1] != rows_digest(rows)[1]  # a row deleted


def test_numpy_values_digest_as_python_ones() -> None:
    row = {"entity_id": "e", "name": "E", "score": 12.5, "band": "low", "blocked": True,
           "regimes": {}, "parts": {"cap": -2.5}, "members": None}
    typed = row | {"score": np.float64(12.5), "blocked": np.bool_(True)}
    assert rows_digest([typed]) == rows_digest([row])
    assert rows_digest([row | {"score": 12}]) == rows_digest([row | {"score": 12.0}])


def test_passing_feeds_the_digest_and_yields_the_rows_unchanged() -> None:
    rows = [{"entity_id": f"e{i}", "score": float(i)} for i in range(5)]
    digest = RowsDigest()
    assert list(digest.passing(iter(rows))) == rows
    assert (digest.count, digest.hexdigest()) == rows_digest(rows)


HEADER: dict[str, Any] = {
    "id": 1, "status": "complete", "started_at": AT, "finished_at": AT,
    "as_of": date(2026, 11, 1), "rules_hash": "r" * 64, "data_snapshot": "d" * 64,
    "actor": "ana", "counts": {"entities": 3}, "facts_hash": "f" * 64, "rules_snapshot": "s" * 64}


@pytest.mark.parametrize("column", HEADER_COLUMNS)
def test_every_header_column_is_in_its_digest(column: str) -> None:
    changed = {**HEADER, column: "x" if column not in ("counts",) else {"entities": 4}}
    assert header_digest(changed) != header_digest(HEADER)


def test_header_digest_ignores_id_and_status_and_the_time_zone_written() -> None:
    from datetime import timedelta, timezone

    later = AT.astimezone(timezone(timedelta(hours=2)))
    assert header_digest(HEADER | {"id": 9, "status": "pruned"}) == header_digest(HEADER)
    assert header_digest(HEADER | {"started_at": later}) == header_digest(HEADER)


def entry(action: str, details: dict[str, Any], hashes: dict[str, Any],
          actor: str = "ana") -> Entry:
    return Entry(1, AT, actor, action, details, hashes, "0" * 64, "1" * 64)


def rescore_entry(**change: Any) -> Entry:
    details = {"run": 1, "as_of": "2026-11-01", "counts": {"entities": 3},
               "started_at": AT.isoformat(), "finished_at": AT.isoformat(), "rows": 3}
    hashes = {"rules": "r" * 64, "data": "d" * 64, "facts": "f" * 64, "rule_files": "s" * 64,
              "header": header_digest(HEADER), "scores": "c" * 64}
    return entry("rescore", details | change, hashes)


RUN_EDITS = [
    # (column edited, value, problem named)
    ("actor", "eve", "run 1: header edited (actor)"),
    ("rules_hash", "x" * 64, "run 1: header edited (rules_hash)"),
    ("rules_snapshot", "y" * 64, "run 1: header edited (rules_snapshot)"),
    ("facts_hash", None, "run 1: header edited (facts_hash)"),
    ("counts", {"entities": 2}, "run 1: header edited (counts)"),
    ("as_of", date(2025, 1, 1), "run 1: header edited (as_of)"),
    ("finished_at", datetime(2027, 1, 1, tzinfo=UTC), "run 1: header edited (finished_at)"),
    ("status", "running", "run 1 has status 'running' (edited)"),
    ("status", "pruned", "run 1 is marked pruned, but no prune entry names it (edited)"),
]


@pytest.mark.parametrize(("column", "value", "expected"), RUN_EDITS)
def test_an_edited_run_header_is_named(column: str, value: Any, expected: str) -> None:
    assert run_problem(HEADER, rescore_entry(), set()) is None
    assert run_problem(HEADER | {column: value}, rescore_entry(), set()) == expected


def test_run_without_entry_and_old_entries() -> None:
    assert run_problem(HEADER, None, set()) == ("run 1 has no audit entry (entries deleted, "
                                                "or the run inserted)")
    old = entry("rescore", {"run": 1, "as_of": "2026-11-01", "counts": {"entities": 3}},
                {"rules": "r" * 64, "data": "d" * 64})  # written before digests
    assert run_problem(HEADER | {"started_at": datetime(2020, 1, 1, tzinfo=UTC)}, old,
                       set()) is None  # what it does not record, it cannot vouch for
    assert run_problem(HEADER | {"rules_hash": "x" * 64}, old, set()) is not None
    assert run_problem(HEADER | {"status": "pruned"}, rescore_entry(), {1}) is None


@pytest.mark.parametrize(("rows", "expected"), [
    ((3, "c" * 64), None),
    ((2, "c" * 64), "run 1: 2 score rows, its audit entry recorded 3 (rows deleted or "
                    "inserted)"),
    ((3, "e" * 64), "run 1: score rows edited (their digest differs from its audit entry)"),
])
def test_score_rows_against_the_entry(rows: tuple[int, str], expected: str | None) -> None:
    assert scores_problem(1, rescore_entry(), rows) == expected


INGEST = {"id": 4, "source": "un", "file": "un.xml", "content_hash": "h" * 64,
          "published": date(2026, 1, 2), "started_at": AT, "finished_at": AT,
          "counts": {"entities": 5}}


@pytest.mark.parametrize(("column", "value", "expected"), [
    ("file", "other.xml", "ingest 4 (un): row edited (file)"),
    ("content_hash", "g" * 64, "ingest 4 (un): row edited (content_hash)"),
    ("published", date(2099, 1, 1), "ingest 4 (un): row edited (row digest)"),
    ("counts", {}, "ingest 4 (un): row edited (row digest)"),
])
def test_an_edited_ingest_is_named(column: str, value: Any, expected: str) -> None:
    recorded = entry("ingest", {"ingest": 4, "source": "un", "file": "un.xml"},
                     {"file": "h" * 64, "ingest": content_digest(INGEST)})
    assert ingest_problem(INGEST, recorded) is None
    assert ingest_problem(INGEST | {column: value}, recorded) == expected


def test_an_edited_override_names_its_fields() -> None:
    content = {"id": 2, "entity_id": "kamaz", "kind": "accepted_risk", "cap": 40.0,
               "author": "alice", "approver": "bob", "state": "approved"}
    assert override_problem(content, content) is None
    assert override_problem(content | {"cap": 0.0, "approver": "alice"}, content) == (
        "override #2: row edited (approver, cap)")
    assert override_problem(content, None) == ("override #2 has no audit entry (inserted "
                                               "outside riskengine)")


@pytest.mark.parametrize("value", [None, {}, [], {"us": []}, [None], {"a": {}}, ["x"], 0, ""])
def test_a_cell_is_written_as_the_row_encoder_writes_it(value: Any) -> None:
    # json_text skips the encoder for empty cells: the same text it would give
    assert json_text(value) == json.JSONEncoder(sort_keys=True, separators=(",", ":"),
                                                ensure_ascii=False).encode(value)


@settings(max_examples=200, deadline=None, database=None, derandomize=True)
@given(row=ROW)
def test_digest_of_encoded_cells_is_the_row_digest(row: dict[str, Any]) -> None:
    """The fast writer (``store.runs``) digests the cells it stores (JSON cells encoded once):
    the same bytes as ``row_digest`` of the row read back, which ``audit verify`` computes;
    and the stored JSON text reads back as the value."""
    cells = (row["entity_id"], row["name"], row["score"], row["band"], row["blocked"],
             *(json_text(row[c]) for c in ("regimes", "parts", "members")))
    assert row_digest_of_cells(cells) == row_digest(row)
    assert [json.loads(c) for c in cells[5:]] == [row["regimes"], row["parts"], row["members"]]
