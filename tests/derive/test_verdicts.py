"""Regime dispatch, the set of regimes derived, parameters by date, review flags."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from riskengine.derive.explain import explain_verdict
from riskengine.derive.verdicts import derive_all, derive_regime, verdict_flags
from riskengine.result import Evidence, RegimeVerdict
from riskengine.ruleset.models import RegimeParams
from tests.derive.build import EU, NONE, RULES, UK, US, graph, statuses

TWO_QUARTERS: dict[str, Any] = {"owns": [("x", "a", 25), ("y", "a", 25)],
                                "listings": [("x", "eu"), ("y", "eu")]}


@pytest.mark.parametrize(("params", "expected"), [
    # "none": a listing blocks, ownership and control never do.
    (NONE, {"x": "listed", "a": "clear", "b": "clear"}),
    (US, {"x": "listed", "a": "owned", "b": "clear"}),
    (UK, {"x": "listed", "a": "owned", "b": "controlled"}),
])
def test_derive_regime_dispatches_on_the_ownership_test(params: RegimeParams,
                                                        expected: dict[str, str]) -> None:
    g = graph(owns=[("x", "a", 60)], controls=[("x", "b", "board_appointment")],
              listings=[("x", "r")])
    assert statuses(g, derive_regime(g, "r", params)) == expected


@pytest.mark.parametrize(("as_of", "status"), [
    # EU: "more than 50%" until 2024-07-02, "50% or more" from 2024-07-03 (two periods).
    (date(2024, 7, 2), "clear"),
    (date(2024, 7, 3), "owned"),
    (date(2025, 1, 1), "owned"),
])
def test_derive_all_picks_eu_parameters_by_date(as_of: date, status: str) -> None:
    g = graph(**TWO_QUARTERS, as_of=as_of)
    assert statuses(g, derive_all(g, RULES)["eu"])["a"] == status


def test_derive_all_covers_configured_and_listed_regimes() -> None:
    # "au" is not configured (rules.default: aggregate, more than 50%); "xx" has a sectoral
    # listing only.
    g = graph(owns=[("x", "a", 50), ("x", "b", 51)],
              listings=[("x", "au"), ("z", "xx", None, None, "sectoral")])
    found = derive_all(g, RULES)
    assert sorted(found) == ["au", "eu", "uk", "us", "xx"]
    assert statuses(g, found["au"]) == {"x": "listed", "a": "clear", "b": "owned", "z": "clear"}
    assert not found["xx"].blocked.any()
    assert all(arrays.regime == code for code, arrays in found.items())


def _verdict(*evidence: tuple[str, str]) -> RegimeVerdict:
    return RegimeVerdict(status="clear", blocked=False, possibly_blocked=True,
                         evidence=tuple(Evidence(kind=k, detail=d) for k, d in evidence))


@pytest.mark.parametrize(("evidence", "flags"), [
    ([("possibly_owned", "possibly blocked: ownership share 25-60% of A by blocked X (range)")],
     ["eu: possibly blocked: ownership share 25-60% of A by blocked X (range)"]),
    ([("unknown_share", "unknown share of A held by blocked X")],
     ["eu: unknown share of A held by blocked X: review"]),
    ([("control_not_blocking", "controlled by blocked X (board_appointment) ...")],
     ["eu: controlled by blocked X (board_appointment) ..."]),
    ([("listed", "listed: EU"), ("owned", "owned 60%"), ("controlled", "controlled")], []),
])
def test_verdict_flags(evidence: list[tuple[str, str]], flags: list[str]) -> None:
    assert verdict_flags("eu", _verdict(*evidence)) == flags


@pytest.mark.parametrize(("params", "code", "facts", "flags"), [
    # OFAC FAQ 398: control without 50% ownership does not block; a person reviews it.
    (US, "us", {"controls": [("kamaz", "a", "board_appointment")], "listings": [("kamaz", "us")]},
     ["us: controlled by blocked KAMAZ (board_appointment) without 50% ownership; US does not"
      " block on control alone (OFAC FAQ 398): treat as exposure"]),
    # A range that may reach the threshold.
    (EU, "eu", {"owns": [("x", "a", (25, 60))], "listings": [("x", "eu")]},
     ["eu: possibly blocked: ownership share 25-60% of A by blocked X (range)"]),
    # An unknown share of a blocked owner.
    (US, "us", {"owns": [("y", "a", None)], "listings": [("y", "us")]},
     ["us: unknown share of A held by blocked Y: review"]),
    # Blocked is a verdict, not a review flag.
    (UK, "uk", {"owns": [("p", "a", 60)], "listings": [("p", "uk")]}, []),
])
def test_flags_of_explained_verdicts(params: RegimeParams, code: str, facts: dict[str, Any],
                                     flags: list[str]) -> None:
    g = graph(**facts)
    verdict = explain_verdict(g, derive_regime(g, code, params), params, g.index["a"])
    assert verdict_flags(code, verdict) == flags
