"""Review evidence (issue 13): a listing whose start the list does not state (OFAC) is
"listed on or before" its first edition seen; a date before it is flagged, never a silent
clear."""

from __future__ import annotations

from datetime import date

import pytest

from riskengine.derive.explain import explain_verdict
from riskengine.derive.verdicts import derive_regime, listing_label, verdict_flags
from riskengine.domain import Dataset, Designation, Entity, Source
from riskengine.graph import GraphData
from tests.derive.build import US

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
