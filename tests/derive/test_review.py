"""Review evidence (issue 13): a listing whose start the list does not state (OFAC) is
"listed on or before" its first edition seen; a date before it is flagged, never a silent
clear."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from riskengine.derive.explain import explain_verdict
from riskengine.derive.verdicts import derive_regime, listing_label, verdict_flags
from riskengine.domain import Dataset, Designation, Entity, Source
from riskengine.graph import GraphData
from tests.derive.build import US, graph

SEEN = date(2024, 5, 3)
SRC = Source(source="ofac-sdn", record_id="24303", published=SEEN)


def renova(basis: str) -> Dataset:
    d = Designation(id="renova-us", entity_id="renova", regime="us", authority="OFAC",
                    program="UKRAINE-EO13662", list_name="SDN", listed_from=SEEN,
                    listed_from_basis=basis, source=SRC)  # type: ignore[arg-type]
    return Dataset(entities=(Entity(id="renova", name="RENOVA GROUP"),), designations=(d,))


@pytest.mark.parametrize(
    ("basis", "label"),
    [("first_edition", "OFAC SDN UKRAINE-EO13662, listed on or before 2024-05-03 (first "
                       "edition seen)"),
     ("list", "OFAC SDN UKRAINE-EO13662 since 2024-05-03")],
)
def test_label_says_how_the_start_is_known(basis: str, label: str) -> None:
    assert listing_label(renova(basis).designations[0]) == label


@pytest.mark.parametrize(
    ("basis", "as_of", "status", "flagged"),
    [("first_edition", date(2023, 1, 1), "clear", True),  # before the first edition seen
     ("first_edition", SEEN, "listed", False),
     ("list", date(2023, 1, 1), "clear", False)],  # the list's own date: truly not yet listed
)
def test_before_first_edition_is_flagged(basis: str, as_of: date, status: str,
                                         flagged: bool) -> None:
    g = GraphData.from_dataset(renova(basis)).at(as_of)
    verdict = explain_verdict(g, derive_regime(g, "us", US), US, 0)
    flags = verdict_flags("us", verdict)
    assert verdict.status == status
    assert bool(flags) is flagged
    if flagged:
        assert flags == ["us: OFAC SDN UKRAINE-EO13662, listed on or before 2024-05-03 (first "
                         "edition seen): the list states no listing date, so whether it was "
                         "already listed on 2023-01-01 is not known: review"]


# --- ambiguous_ownership: flagged, never resolved silently ------------------------------------

_LISTED = date(2022, 6, 28)


@pytest.mark.parametrize(("owns", "flagged"), [
    # stake acquired after the owner's designation: flagged
    ([("p", "a", 60, date(2023, 1, 1), None)], ["owned 60% by P from 2023-01-01, after P was"
                                                " designated"]),
    # stake held before the designation: nothing to flag
    ([("p", "a", 60, date(2020, 1, 1), None)], []),
    # two records of P's holding in A, in force together, disagree: the larger was used
    ([("p", "a", 30), ("p", "a", 45)],
     ["records of P's holding in A disagree: 30% (test: test fact); 45% (test: test fact);"
      " used the largest, owned 45% by (test: test fact)"]),
    # two records that agree: nothing to flag
    ([("p", "a", 30), ("p", "a", 30)], []),
])
def test_ambiguous_ownership(owns: list[Any], flagged: list[str]) -> None:
    g = graph(owns=owns, listings=[("p", "us", _LISTED, None)])
    arrays = derive_regime(g, "us", US)
    verdict = explain_verdict(g, arrays, US, g.index["a"])
    found = [e.detail for e in verdict.evidence if e.kind == "ambiguous_ownership"]
    assert [f for f in found if not any(f.startswith(x) for x in flagged)] == []
    assert len(found) == len(flagged)
