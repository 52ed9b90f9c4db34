"""Pure rules of overrides: state, lapse, expiry, four eyes and their effect on a score."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pytest

from riskengine.derive.base import RegimeArrays
from riskengine.domain import Control, Dataset, Designation, Ownership, Share, Source
from riskengine.exposure.score import ScoreTable
from riskengine.overrides import (
    Override,
    OverrideError,
    apply_overrides,
    cap_table,
    check_approval,
    check_revoke,
    fingerprint,
    force_verdicts,
    in_force,
    known_at,
    override_verdict,
    problem,
    screening_decision,
    status_of,
)
from riskengine.result import Contribution, EntityRef, Evidence, RegimeVerdict, ScoreResult
from riskengine.ruleset.loader import load_rules
from riskengine.screening.normalise import fold
from tests.conftest import ROOT

SRC = Source(source="test")
DAY = date(2026, 6, 1)
AT = datetime(2026, 6, 1, 12, tzinfo=UTC)
FP = "facts-v1"
SCORING = load_rules(ROOT / "rules").scoring  # bands: severe 60, high 35, medium 15


def override(**changes: Any) -> Override:
    base: dict[str, Any] = {
        "id": 3, "entity_id": "acme", "kind": "accepted_risk", "reason": "reviewed",
        "expires": date(2027, 1, 1), "cap": 40.0, "author": "alice", "created_at": AT,
        "fingerprint": FP, "state": "approved", "approver": "bob", "approved_at": AT}
    return Override(**(base | changes))


def result(points: tuple[float, ...] = (30.0, 25.0, 12.5), blocked: bool = False) -> ScoreResult:
    parts = tuple(Contribution(factor="f", points=p, detail="d") for p in points)
    score = round(sum(points), 2)
    return ScoreResult(
        entity=EntityRef(id="acme", name="Acme"), as_of=DAY, score=score,
        band=SCORING.band(score, blocked), contributions=parts,
        regimes={"us": RegimeVerdict(status="listed" if blocked else "clear", blocked=blocked,
                                     possibly_blocked=blocked)})


STATUS = [
    ("pending", override(state="pending", approver=None), DAY, FP, "pending"),
    ("revoked", override(state="revoked"), DAY, FP, "revoked"),
    ("active", override(), DAY, FP, "active"),
    ("active-on-expiry-day", override(), date(2027, 1, 1), FP, "active"),
    ("expired-day-after", override(), date(2027, 1, 2), FP, "expired"),
    ("lapsed", override(), DAY, "facts-v2", "lapsed"),
    ("expired-beats-lapsed", override(), date(2028, 1, 1), "facts-v2", "expired"),
    ("tampered-beats-all", override(tampered=True), DAY, FP, "tampered"),
]


@pytest.mark.parametrize(("name", "o", "as_of", "current", "expected"), STATUS,
                         ids=[s[0] for s in STATUS])
def test_status_of(name: str, o: Override, as_of: date, current: str, expected: str) -> None:
    assert status_of(o, as_of, current) == expected, name


FLAG = ("override #3 (accepted_risk, cap 40) by alice, approved by bob, until 2027-01-01: "
        "reviewed")
APPLY = [
    # name, overrides, as_of, current fingerprint, score, band, flags
    ("cap-applied", [override()], DAY, FP, 40.0, "high", [FLAG]),
    ("cap-above-score", [override(cap=90.0)], DAY, FP, 67.5,
     "severe", [FLAG.replace("cap 40", "cap 90")]),
    ("lapsed", [override()], DAY, "facts-v2", 67.5, "severe",
     ["override #3 lapsed: facts changed since it was made"]),
    ("expired", [override()], date(2027, 2, 1), FP, 67.5, "severe",
     ["override #3 expired on 2027-01-01"]),
    ("tampered-not-applied", [override(tampered=True)], DAY, FP, 67.5, "severe",
     ["override #3 not applied: its stored row does not match its audit entry (edited "
      "outside riskengine; see `riskengine audit verify`)"]),
    ("pending-ignored", [override(state="pending")], DAY, FP, 67.5, "severe", []),
    ("revoked-ignored", [override(state="revoked")], DAY, FP, 67.5, "severe", []),
    ("other-entity-ignored", [override(entity_id="other")], DAY, FP, 67.5, "severe", []),
    ("false-positive-flag", [override(kind="false_positive", cap=None)], DAY, FP, 67.5, "severe",
     [FLAG.replace("accepted_risk, cap 40", "false_positive")]),
    ("two-caps-lowest-wins", [override(), override(id=4, cap=20.0)], DAY, FP, 20.0, "medium",
     [FLAG, FLAG.replace("#3", "#4").replace("cap 40", "cap 20")]),
]


@pytest.mark.parametrize(("name", "found", "as_of", "current", "score", "band", "flags"),
                         APPLY, ids=[a[0] for a in APPLY])
def test_apply_overrides(name: str, found: list[Override], as_of: date, current: str,
                         score: float, band: str, flags: list[str]) -> None:
    before = result()
    assert (before.score, before.band) == (67.5, "severe")
    after = apply_overrides(before, found, as_of, current, SCORING)
    assert (after.score, after.band, list(after.flags)) == (score, band, flags), name
    assert after.score == round(sum(c.points for c in after.contributions), 2)


def test_cap_contribution_cites_the_override() -> None:
    after = apply_overrides(result(), [override()], DAY, FP, SCORING)
    part = after.contributions[-1]
    assert (part.factor, part.points) == ("override", -27.5)
    assert all(word in part.detail for word in ("#3", "alice", "bob", "reviewed", "2027-01-01"))


def test_cap_keeps_blocked_band() -> None:
    before = result((100.0,), blocked=True)
    after = apply_overrides(before, [override()], DAY, FP, SCORING)
    assert after.score == 40.0
    assert after.band == before.band == SCORING.bands[0].name


def test_manual_status_is_only_a_flag_on_the_result() -> None:
    """The verdict itself is set before scoring (``force_verdicts``); on the result the
    override adds its flag and no contribution."""
    o = override(kind="manual_status", cap=None, regime="us", manual_status="clear")
    after = apply_overrides(result(), [o], DAY, FP, SCORING)
    assert (after.regimes, after.contributions) == (result().regimes, result().contributions)
    assert after.flags == (FLAG.replace("accepted_risk, cap 40", "manual_status, us clear"),)


def arrays(listed: list[bool], owned: list[bool]) -> RegimeArrays:
    return RegimeArrays("us", np.array(listed), np.array(owned), np.zeros(len(listed), bool),
                        np.array(listed) | np.array(owned))


FORCE = [
    # name, status, (listed, owned, controlled, possibly) of entity 1 afterwards
    ("clear-a-listed-one", "clear", (False, False, False, False)),
    ("owned", "owned", (False, True, False, True)),
    ("controlled", "controlled", (False, False, True, True)),
    ("listed", "listed", (True, False, False, True)),
]


@pytest.mark.parametrize(("name", "status", "expected"), FORCE, ids=[f[0] for f in FORCE])
def test_force_verdicts(name: str, status: str, expected: tuple[bool, ...]) -> None:
    before = {"us": arrays([False, True, False], [False, False, True])}
    o = override(kind="manual_status", cap=None, regime="us", manual_status=status)
    after = force_verdicts(before, {"other": 0, "acme": 1, "x": 2}, [o])["us"]
    got = tuple(bool(a[1]) for a in (after.listed, after.owned, after.controlled,
                                     after.possibly))
    assert got == expected, name
    for a, b in zip((after.owned, after.listed), (before["us"].owned, before["us"].listed),
                    strict=True):
        assert (a[[0, 2]] == b[[0, 2]]).all()  # other entities untouched
    assert before["us"].listed[1]  # the input is not modified


def test_force_verdicts_ignores_unknown_entities_and_regimes() -> None:
    before = {"us": arrays([True], [False])}
    found = [override(kind="manual_status", cap=None, regime="eu", manual_status="clear"),
             override(entity_id="nobody", kind="manual_status", cap=None, regime="us",
                      manual_status="clear")]
    assert force_verdicts(before, {"acme": 0}, found)["us"] is before["us"]


def test_override_verdict_keeps_the_derived_evidence() -> None:
    derived = RegimeVerdict(status="owned", blocked=True, possibly_blocked=True, evidence=(
        Evidence(kind="owned", detail="60% owned by listed K"),))
    o = override(kind="manual_status", cap=None, regime="us", manual_status="clear")
    verdict = override_verdict(derived, o)
    assert (verdict.status, verdict.blocked, verdict.possibly_blocked) == ("clear", False, False)
    first, second = verdict.evidence
    assert first.kind == "manual_status"
    assert first.detail.endswith("derived verdict was owned")
    assert "#3" in first.detail and "approved by bob" in first.detail
    assert second == derived.evidence[0]


LATER = datetime(2026, 7, 1, tzinfo=UTC)
KNOWN = [
    # name, override, at, expected state (None: not made yet)
    ("not-yet-made", override(), datetime(2026, 5, 1, tzinfo=UTC), None),
    ("approved-later", override(approved_at=LATER), AT, "pending"),
    ("approved", override(), LATER, "approved"),
    ("revoked-later", override(state="revoked", revoked_by="carol", revoked_at=LATER), AT,
     "approved"),
    ("revoked", override(state="revoked", revoked_by="carol", revoked_at=AT), LATER, "revoked"),
]


@pytest.mark.parametrize(("name", "o", "at", "state"), KNOWN, ids=[k[0] for k in KNOWN])
def test_known_at(name: str, o: Override, at: datetime, state: str | None) -> None:
    found = known_at([o], at)
    assert [x.state for x in found] == ([state] if state else []), name
    if state == "pending":
        assert (found[0].approver, found[0].approved_at) == (None, None)
    if state == "approved":
        assert found[0].revoked_at is None


def test_in_force_keeps_active_ones_in_id_order() -> None:
    found = [override(id=5), override(id=4), override(id=6, state="pending"),
             override(id=7, entity_id="lapsing"), override(id=8, expires=date(2026, 1, 1)),
             override(id=9, tampered=True)]
    prints = {"acme": FP, "lapsing": "facts-v2"}
    assert [o.id for o in in_force(found, DAY, prints)] == [4, 5]


def test_cap_table_matches_apply_overrides() -> None:
    table = ScoreTable(("acme", "b"), np.array([67.5, 67.5]), np.array([False, False]),
                       np.array([0, 0]), tuple(b.name for b in SCORING.bands))
    found = [override(), override(id=4, cap=50.0)]
    capped = cap_table(table, found, {"acme": 0, "b": 1}, SCORING)
    single = apply_overrides(result(), found, DAY, FP, SCORING)
    assert capped.score.tolist() == [single.score, 67.5]
    assert capped.band_of(0) == single.band
    assert capped.parts["override"].tolist() == [-2750, 0]
    assert sum(c.points for c in single.contributions if c.factor == "override") == -27.5


SCREENING = [
    # name, override changes, keys, expected override id
    ("name-folded", {"counterparty": "ACME Trading"}, ["acme trading"], 3),
    ("input-id", {"counterparty": "C-17"}, ["c 17"], 3),
    ("other-counterparty", {"counterparty": "Other"}, ["acme trading"], None),
    ("other-entity", {"counterparty": "ACME Trading", "entity_id": "x"}, ["acme trading"], None),
    ("not-a-screening-kind", {"kind": "accepted_risk", "counterparty": "ACME Trading"},
     ["acme trading"], None),
]


@pytest.mark.parametrize(("name", "changes", "keys", "expected"), SCREENING,
                         ids=[c[0] for c in SCREENING])
def test_screening_decision(name: str, changes: dict[str, Any], keys: list[str],
                            expected: int | None) -> None:
    o = override(**({"kind": "false_positive", "cap": None} | changes))
    found = screening_decision([o], "acme", keys, fold)
    assert (found.id if found else None) == expected, name


PROBLEMS = [
    ("cap-missing", {"cap": None}, "needs --cap"),
    ("cap-out-of-range", {"cap": 120.0}, "needs --cap"),
    ("cap-on-other-kind", {"kind": "confirmed"}, "only for --kind accepted_risk"),
    ("status-missing", {"kind": "manual_status", "cap": None, "regime": "us"}, "needs --regime"),
    ("status-on-other-kind", {"kind": "confirmed", "cap": None, "regime": "us"}, "only for"),
    ("counterparty-missing", {"kind": "false_positive", "cap": None}, "needs --counterparty"),
    ("counterparty-blank", {"kind": "confirmed", "cap": None, "counterparty": " "},
     "needs --counterparty"),
    ("counterparty-on-other-kind", {"counterparty": "Acme"}, "only for --kind false_positive"),
    ("screening-fine", {"kind": "confirmed", "cap": None, "counterparty": "Acme"}, None),
    ("fine", {}, None),
]


@pytest.mark.parametrize(("name", "changes", "expected"), PROBLEMS, ids=[p[0] for p in PROBLEMS])
def test_problem(name: str, changes: dict[str, Any], expected: str | None) -> None:
    found = problem(override(**changes))
    assert (found is None) if expected is None else (expected in (found or "")), name


APPROVALS = [
    ("other-person", override(state="pending"), "bob", None),
    ("same-person", override(state="pending"), "alice", "another person must approve"),
    ("already-approved", override(), "carol", "only pending ones"),
    ("revoked", override(state="revoked"), "carol", "only pending ones"),
]


@pytest.mark.parametrize(("name", "o", "actor", "error"), APPROVALS, ids=[a[0] for a in APPROVALS])
def test_check_approval(name: str, o: Override, actor: str, error: str | None) -> None:
    if error is None:
        check_approval(o, actor)  # raises when refused
        assert (o.state, o.author != actor) == ("pending", True), name
    else:
        with pytest.raises(OverrideError, match=error):
            check_approval(o, actor)


def test_revoke_twice_is_refused() -> None:
    check_revoke(override())  # an approved one may be revoked
    with pytest.raises(OverrideError, match="already revoked") as err:
        check_revoke(override(state="revoked"))
    assert err.value.exit_code == 2


FACTS = Dataset(
    designations=(Designation(id="d1", entity_id="acme", regime="us", source=SRC,
                              listed_from=date(2026, 1, 1)),),
    ownerships=(Ownership(id="o1", owner="x", asset="acme", share=Share.exact(60), source=SRC),
                Ownership(id="o2", owner="acme", asset="y", share=Share.exact(60), source=SRC)),
    controls=(Control(id="c1", controller="x", controlled="acme", kind="trust", source=SRC),),
)
NEW_DESIGNATION = Designation(id="d2", entity_id="acme", regime="eu", source=SRC)
CHANGES = [
    ("same-facts", FACTS, DAY, True),
    ("new-designation", FACTS.model_copy(update={
        "designations": (*FACTS.designations, NEW_DESIGNATION)}), DAY, False),
    ("designation-not-yet-in-force", FACTS, date(2025, 6, 1), False),
    ("outgoing-edge-ignored", FACTS.model_copy(update={"ownerships": FACTS.ownerships[:1]}),
     DAY, True),
    ("incoming-control-gone", FACTS.model_copy(update={"controls": ()}), DAY, False),
    ("other-entity-designated", FACTS.model_copy(update={"designations": (
        *FACTS.designations, NEW_DESIGNATION.model_copy(update={"entity_id": "x"}))}),
     DAY, True),
]


@pytest.mark.parametrize(("name", "facts", "as_of", "same"), CHANGES, ids=[c[0] for c in CHANGES])
def test_fingerprint_follows_the_facts(name: str, facts: Dataset, as_of: date,
                                       same: bool) -> None:
    assert (fingerprint(facts, "acme", as_of) == fingerprint(FACTS, "acme", DAY)) is same, name


def test_overrides_on_other_entities_are_named_where_they_changed_the_score() -> None:
    """A manual US clear on KAMAZ changes JAC's score: JAC's result names it, with the score
    JAC has without it; checked for every seed entity against scoring with no override."""
    from riskengine.engine import evaluate, score, with_overrides
    from riskengine.graph import GraphData

    rules = load_rules(ROOT / "rules")
    facts, day = rules.scenario, date(2026, 11, 1)
    ev = evaluate(GraphData.from_dataset(facts), rules, day)
    kamaz = override(entity_id="kamaz", kind="manual_status", regime="us",
                     manual_status="clear", cap=None, fingerprint=fingerprint(facts, "kamaz", day))
    with_it, found = with_overrides(ev, facts, [kamaz])
    changed = {}
    for e in facts.entities:
        result = score(with_it, e.id, found)
        without = score(ev, e.id).score
        if e.id != "kamaz" and result.score != without:
            changed[e.id] = without
        assert [(d.override, d.entity.id, d.score_without) for d in result.overrides_elsewhere
                ] == ([(3, "kamaz", without)] if e.id in changed else [])
    assert "jac" in changed
    jac = score(with_it, "jac", found).overrides_elsewhere[0]
    assert jac.detail.startswith("override #3 (manual_status us clear on KAMAZ PJSC) changed "
                                 "this score")


@pytest.mark.parametrize(("start", "hops", "expected"), [
    ("a", 0, {"a"}), ("a", 1, {"a", "b"}), ("a", 2, {"a", "b", "c"}),
    ("c", 1, {"b", "c", "d"}), ("d", 9, {"a", "b", "c", "d"}), ("e", 3, {"e"}),
])
def test_within_counts_ties_both_ways(start: str, hops: int, expected: set[str]) -> None:
    """Distant overrides are looked for within max_depth ties: a -owns-> b <-controls- c
    -owns-> d, e alone."""
    from riskengine.engine import within
    from tests.derive.build import graph

    g = graph(owns=[("a", "b", 30), ("c", "d", 60)], controls=[("c", "b", "management")],
              extra=["e"])
    assert {g.ids[k] for k in np.flatnonzero(within(g, g.index[start], hops))} == expected
