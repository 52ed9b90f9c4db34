"""UK joint arrangements with a partner who is not designated (Russia (Sanctions) (EU Exit)
Regulations 2019, Schedule 1 paragraph 3, applied by regulation 7(3)): "If shares or rights
held by a person and shares or rights held by another person are the subject of a joint
arrangement between those persons, each of them is treated as holding the combined shares
or rights of both of them." Worked cases from that wording, each checked against the
brute-force reference; the explanation names the arrangement and the partner."""

from __future__ import annotations

from typing import Any

import pytest

from riskengine.derive.explain import explain_verdict
from riskengine.derive.per_person import derive_per_person
from riskengine.derive.reference import reference_regime
from riskengine.ruleset.models import RegimeParams
from tests.derive.build import UK, graph, statuses

PARTNERS = UK.model_copy(update={"joint_arrangement_partners": True})
CANADA_LIKE = UK  # joint arrangements between designated persons only (the default)
SOLO = PARTNERS.model_copy(update={"joint_arrangements_aggregate": False})
JA = "joint_arrangement"
D = [("d", "uk")]

CASES: list[tuple[str, RegimeParams, dict[str, Any], dict[str, str]]] = [
    # D (designated) 30% + P (not designated) 30% under a joint arrangement: D is treated as
    # holding the combined 60%, more than 50%: A is owned by D. P itself is not owned.
    ("combined-60", PARTNERS,
     {"owns": [("d", "a", 30), ("p", "a", 30)], "controls": [("d", "p", JA)], "listings": D},
     {"d": "listed", "p": "clear", "a": "owned"}),
    # The arrangement is symmetric: recorded the other way round, the same.
    ("combined-reversed", PARTNERS,
     {"owns": [("d", "a", 30), ("p", "a", 30)], "controls": [("p", "d", JA)], "listings": D},
     {"d": "listed", "p": "clear", "a": "owned"}),
    # Without the regime setting (other regimes), an undesignated partner adds nothing.
    ("setting-off", CANADA_LIKE,
     {"owns": [("d", "a", 30), ("p", "a", 30)], "controls": [("d", "p", JA)], "listings": D},
     {"d": "listed", "p": "clear", "a": "clear"}),
    # Combined exactly 50% is not "more than 50%".
    ("combined-50", PARTNERS,
     {"owns": [("d", "a", 30), ("p", "a", 20)], "controls": [("d", "p", JA)], "listings": D},
     {"d": "listed", "p": "clear", "a": "clear"}),
    # D is treated as holding P's 60% of X, so X is owned, and X's 30% of A adds to D's 25%.
    ("partner-subsidiary", PARTNERS,
     {"owns": [("p", "x", 60), ("x", "a", 30), ("d", "a", 25)], "controls": [("d", "p", JA)],
      "listings": D},
     {"d": "listed", "p": "clear", "x": "owned", "a": "owned"}),
    # A partner D majority-owns is owned by D all the same.
    ("partner-owned", PARTNERS,
     {"owns": [("d", "p", 60), ("p", "a", 10)], "controls": [("d", "p", JA)], "listings": D},
     {"d": "listed", "p": "owned", "a": "clear"}),
    # "between those persons": pairwise. P's own arrangement with R does not reach D.
    ("not-transitive", PARTNERS,
     {"owns": [("d", "a", 30), ("r", "a", 30)], "controls": [("d", "p", JA), ("p", "r", JA)],
      "listings": D},
     {"d": "listed", "p": "clear", "r": "clear", "a": "clear"}),
    # "whether or not designated": a designated partner counts even when designated persons
    # are not grouped by the regime's other setting.
    ("designated-partner", SOLO,
     {"owns": [("d", "a", 30), ("q", "a", 30)], "controls": [("d", "q", JA)],
      "listings": [("d", "uk"), ("q", "uk")]},
     {"d": "listed", "q": "listed", "a": "owned"}),
]


@pytest.mark.parametrize(("params", "facts", "expected"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_worked_cases(params: RegimeParams, facts: dict[str, Any],
                      expected: dict[str, str]) -> None:
    g = graph(**facts)
    assert statuses(g, derive_per_person(g, "uk", params)) == expected
    assert statuses(g, reference_regime(g, "uk", params)) == expected


def test_explanation_names_the_arrangement_and_the_partner() -> None:
    g = graph(owns=[("d", "a", 30), ("p", "a", 30)], controls=[("d", "p", JA)], listings=D)
    arrays = derive_per_person(g, "uk", PARTNERS)
    verdict = explain_verdict(g, arrays, PARTNERS, g.index["a"])
    owned = [e for e in verdict.evidence if e.kind == "owned"]
    assert {e.detail.split("; ")[0] for e in owned} == {
        "owned 60% by designated D with P, a partner in a joint arrangement (not designated)"
        " whose shares count as theirs (UK: more than 50%, per person)"}
    via_p = next(e for e in owned if e.path[2].id == "p")
    assert [(i.type, i.id) for i in via_p.path] == [
        ("entity", "a"), ("edge", "o1"), ("entity", "p"), ("edge", "c0"), ("entity", "d"),
        ("listing", "d0")]
    assert via_p.path[3].label == "in a joint arrangement with"
