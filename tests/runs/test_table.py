"""Run rows from the engine's arrays: compact regimes, round trip, snapshot hash, counts."""

from __future__ import annotations

import numpy as np

from riskengine.derive.base import RegimeArrays
from riskengine.exposure.score import ScoreTable
from riskengine.runs.table import CLEAR, RegimeState, counts, score_rows, snapshot_hash, state_from


def arrays(regime: str, listed: list[bool], owned: list[bool], controlled: list[bool],
           possibly: list[bool]) -> RegimeArrays:
    return RegimeArrays(regime, *(np.asarray(a, dtype=np.bool_)
                                  for a in (listed, owned, controlled, possibly)))


TABLE = ScoreTable(ids=("a", "b", "c", "d"), score=np.asarray([100.0, 100.0, 12.5, 0.0]),
                   blocked_any=np.asarray([True, True, False, False]),
                   band=np.asarray([0, 0, 2, 3]), band_names=("blocked", "high", "low", "none"))
VERDICTS = {
    "us": arrays("us", [True, False, False, False], [True, True, False, False],
                 [False] * 4, [True, True, True, False]),
    "uk": arrays("uk", [False] * 4, [False] * 4, [False, True, False, False],
                 [False, True, False, False]),
}


def test_rows_store_only_regimes_that_are_not_plainly_clear() -> None:
    rows = list(score_rows(TABLE, ["A", "B", "C", "D"], VERDICTS, ["us", "uk"]))
    assert [r["regimes"] for r in rows] == [
        {"us": ["listed", True, True]},
        {"us": ["owned", True, True], "uk": ["controlled", True, True]},
        {"us": ["clear", False, True]},
        {},
    ]
    assert [(r["entity_id"], r["name"], r["score"], r["band"], r["blocked"]) for r in rows] == [
        ("a", "A", 100.0, "blocked", True), ("b", "B", 100.0, "blocked", True),
        ("c", "C", 12.5, "low", False), ("d", "D", 0.0, "none", False)]


def test_state_round_trip() -> None:
    row = next(iter(score_rows(TABLE, ["A", "B", "C", "D"], VERDICTS, ["us", "uk"])))
    state = state_from(row)
    assert state.regime("us") == RegimeState("listed", True, True)
    assert state.regime("uk") == CLEAR
    assert (state.score, state.band, state.name) == (100.0, "blocked", "A")


def test_snapshot_hash_ignores_order_and_repeats() -> None:
    one = snapshot_hash([("uk", "h1"), ("ftm", "h2")])
    assert one == snapshot_hash([("ftm", "h2"), ("uk", "h1"), ("uk", "h1")])
    assert one != snapshot_hash([("ftm", "h2")])
    assert len(snapshot_hash([])) == 64


def test_counts() -> None:
    found = counts(TABLE, VERDICTS)
    assert found["entities"] == 4 and found["blocked"] == 2
    assert (found["band:blocked"], found["band:low"], found["band:high"]) == (2, 1, 0)
    assert (found["blocked:us"], found["blocked:uk"]) == (2, 1)


def test_rows_name_the_records_of_merged_entities() -> None:
    members = {"b": ("uk:1", "b"), "c": ("c",)}
    rows = list(score_rows(TABLE, ["A", "B", "C", "D"], VERDICTS, ["us", "uk"], members))
    assert [r["members"] for r in rows] == [None, ["b", "uk:1"], None, None]
    states = [state_from(r) for r in rows]
    assert [s.records for s in states] == [("a",), ("b", "uk:1"), ("c",), ("d",)]


def test_rows_made_in_blocks_are_the_rows_made_at_once() -> None:
    parts = {"blocked:us": np.asarray([10000, 10000, 0, 0]),
             "tie_exposure:uk": np.asarray([0, 0, 1250, 0]),
             "cap": np.asarray([0, -500, 0, 0])}
    table = ScoreTable(TABLE.ids, TABLE.score, TABLE.blocked_any, TABLE.band,
                       TABLE.band_names, parts)
    members = {"b": ("uk:1", "b")}
    whole = list(score_rows(table, ["A", "B", "C", "D"], VERDICTS, ["us", "uk"], members))
    assert [r["parts"] for r in whole] == [{"blocked:us": 100.0},
                                           {"blocked:us": 100.0, "cap": -5.0},
                                           {"tie_exposure:uk": 12.5}, {}]
    for block in (1, 2, 3, 4, 5):
        assert list(score_rows(table, ["A", "B", "C", "D"], VERDICTS, ["us", "uk"], members,
                               block)) == whole
