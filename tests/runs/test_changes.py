"""Comparing two runs: each kind of change, the threshold, added and removed entities."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from riskengine.runs.changes import AlertRules, compare
from riskengine.runs.table import EntityState, RegimeState

LISTED = RegimeState("listed", True, True)
POSSIBLY = RegimeState("clear", False, True)


def state(score: float = 10.0, band: str = "low", **regimes: RegimeState) -> EntityState:
    return EntityState("e1", "E One", score, band, regimes)


def parted(parts: dict[str, float] | None, score: float = 10.0) -> EntityState:
    return EntityState("e1", "E One", score, "low", {}, parts)


CASES = [
    ("unchanged", state(), state(), []),
    ("newly blocked", state(), state(100, "blocked", us=LISTED),
     [("newly_blocked", "us", "clear", "listed"), ("band", None, "low", "blocked"),
      ("score", None, "10", "100")]),
    ("unblocked", state(100, "blocked", us=LISTED, eu=LISTED), state(100, "blocked", eu=LISTED),
     [("unblocked", "us", "listed", "clear")]),
    ("possibly only is no block", state(), state(possibly=POSSIBLY, us=POSSIBLY), []),
    ("band only", state(10, "low"), state(12, "medium"), [("band", None, "low", "medium")]),
    ("score below threshold", state(10), state(19.99), []),
    ("score at threshold", state(10), state(20), [("score", None, "10", "20")]),
    ("score down", state(30), state(15), [("score", None, "30", "15")]),
    ("new exposure under a regime", parted({"tie_exposure:us": 10}),
     parted({"tie_exposure:us": 8, "tie_exposure:eu": 2}),
     [("new_evidence", "eu", "", "tie_exposure 2")]),
    ("new non-blocking listing", parted({}, 0), parted({"other_listing:fr": 1}, 1),
     [("new_evidence", "fr", "", "other_listing 1")]),
    ("cap and override are not evidence", parted({"tie_exposure:us": 10}),
     parted({"tie_exposure:us": 12, "cap": -1, "override": -1}), []),
    ("evidence gone is not new", parted({"tie_exposure:us": 10, "possibly_blocked:eu": 2}),
     parted({"tie_exposure:us": 10}), []),
    ("run without parts", parted(None), parted({"tie_exposure:us": 10}), []),
]


@pytest.mark.parametrize(("old", "new", "expected"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_changes_of_one_entity(old: EntityState, new: EntityState,
                               expected: list[tuple[str, str | None, str, str]]) -> None:
    found = compare({"e1": old}, {"e1": new}, AlertRules())
    assert [(c.kind, c.regime, c.before, c.after) for c in found] == expected


def test_threshold_comes_from_the_rules() -> None:
    found = compare({"e1": state(10)}, {"e1": state(13)}, AlertRules(score_move_threshold=3))
    assert [c.kind for c in found] == ["score"]


def test_added_and_removed_entities() -> None:
    gone = EntityState("a", "A", 5, "low")
    new = EntityState("b", "B", 100, "blocked", {"uk": LISTED})
    found = compare({"a": gone}, {"b": new}, AlertRules())
    assert [(c.entity_id, c.kind, c.regime) for c in found] == [
        ("a", "removed", None), ("b", "added", None), ("b", "newly_blocked", "uk")]


@pytest.mark.parametrize("doc", [{"score_move_threshold": -1}, {"threshold": 5}])
def test_alert_rules_are_validated(doc: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        AlertRules.model_validate(doc)


# --- merges and splits: entities are followed by their records ---------------------------

UK = RegimeState("listed", True, True)


def ent(key: str, score: float = 100.0, band: str = "blocked", members: tuple[str, ...] = (),
        **regimes: RegimeState) -> EntityState:
    return EntityState(key, key.upper(), score, band, regimes, {}, members)


def by_id(*states: EntityState) -> dict[str, EntityState]:
    return {s.entity_id: s for s in states}


FOLLOW = [
    ("merge: one row naming the absorbed id",
     [ent("a", us=LISTED), ent("b", uk=UK)], [ent("a", members=("a", "b"), us=LISTED, uk=UK)],
     [("a", "merged", None, "b", "a")]),
    ("absorbed into a later id",
     [ent("a", us=LISTED), ent("b", uk=UK)], [ent("b", members=("a", "b"), us=LISTED, uk=UK)],
     [("b", "merged", None, "a", "b")]),
    ("renamed by a scenario id",
     [ent("x", us=LISTED)], [ent("kamaz", members=("kamaz", "x"), us=LISTED)],
     [("kamaz", "merged", None, "x", "kamaz")]),
    ("merge with a real change on top",
     [ent("a", 10, "low"), ent("b", 12, "low")],
     [ent("a", 100, "blocked", members=("a", "b"), eu=LISTED)],
     [("a", "merged", None, "b", "a"), ("a", "newly_blocked", "eu", "clear", "listed"),
      ("a", "band", None, "low", "blocked"), ("a", "score", None, "12", "100")]),
    ("merge with a new record only is no merge",
     [ent("a", us=LISTED)], [ent("a", members=("a", "new"), us=LISTED)], []),
    ("split: one row naming where it came from",
     [ent("a", members=("a", "b"), us=LISTED, uk=UK)], [ent("a", us=LISTED), ent("b", uk=UK)],
     [("b", "split", None, "a", "b")]),
    ("split part newly blocked under another regime",
     [ent("a", members=("a", "b"), us=LISTED)], [ent("a", us=LISTED), ent("b", us=LISTED,
                                                                          ca=LISTED)],
     [("b", "split", None, "a", "b"), ("b", "newly_blocked", "ca", "clear", "listed")]),
    ("split and unblocked everywhere",
     [ent("a", members=("a", "b"), us=LISTED)], [ent("a", 0, "none"), ent("b", 0, "none")],
     [("a", "unblocked", "us", "listed", "clear"), ("a", "band", None, "blocked", "none"),
      ("a", "score", None, "100", "0"), ("b", "split", None, "a", "b"),
      ("b", "unblocked", "us", "listed", "clear"), ("b", "band", None, "blocked", "none"),
      ("b", "score", None, "100", "0")]),
    ("removed only when no record is left",
     [ent("a"), ent("b")], [ent("c")],
     [("a", "removed", None, "100 blocked", ""), ("b", "removed", None, "100 blocked", ""),
      ("c", "added", None, "", "100 blocked")]),
]


@pytest.mark.parametrize(("previous", "current", "expected"), [c[1:] for c in FOLLOW],
                         ids=[c[0] for c in FOLLOW])
def test_merges_and_splits(previous: list[EntityState], current: list[EntityState],
                           expected: list[tuple[str, str, str | None, str, str]]) -> None:
    found = compare(by_id(*previous), by_id(*current), AlertRules())
    assert [(c.entity_id, c.kind, c.regime, c.before, c.after) for c in found] == expected


def test_without_merges_the_old_comparison_is_kept() -> None:
    """Plain entities (no members) change exactly as ``entity_changes`` says."""
    from riskengine.runs.changes import entity_changes

    cases = [(o, n) for _id, o, n, _e in CASES]
    for old, new in cases:
        assert compare({"e1": old}, {"e1": new}, AlertRules()) == entity_changes(old, new, 10.0)
