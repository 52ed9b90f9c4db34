"""GLEIF and BODS readers on the real samples (../shared/data) and the GLEIF fixture."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskengine.registers import bods, gleif
from riskengine.registers.common import FlatControl, FlatOwnership, Notes, Party
from tests.conftest import FIXTURES

# relationship type -> (family, kind or known share): consolidation is control, funds are
# managed, branches wholly owned
TYPES = [("IS_DIRECTLY_CONSOLIDATED_BY", "dominant_influence"),
         ("IS_ULTIMATELY_CONSOLIDATED_BY", "dominant_influence"),
         ("IS_FUND-MANAGED_BY", "management"), ("IS_SUBFUND_OF", "management")]


@pytest.mark.parametrize(("rtype", "kind"), TYPES)
def test_gleif_relationship_types(shared_data: Path, rtype: str, kind: str) -> None:
    folder = shared_data / "gleif_level2_excerpts"
    facts = list(gleif.read([folder / "rr-data.xml"], Notes(), {}))
    found = {f.kind for f in facts if isinstance(f, FlatControl) and f"/{rtype}/" in f.id}
    assert found == {kind}


def test_gleif_edition_is_the_newest_header_date(shared_data: Path) -> None:
    folder = shared_data / "gleif_level2_excerpts"
    paths = [folder / "lei-data.xml", folder / "repex-data.xml"]
    assert str(gleif.edition_dates(paths)) == "2023-06-09"


def test_reporting_exceptions_are_unknown_owners_of_unknown_shares() -> None:
    facts = list(gleif.read([FIXTURES / "registers" / "repex-data.xml"], Notes(), {}))
    ties = [f for f in facts if isinstance(f, FlatOwnership)]
    owners = {f.id: f for f in facts if isinstance(f, Party) and not f.stub}
    assert len(ties) == 10
    assert all(not t.known and owners[t.owner].kind == "unknown" for t in ties)
    assert {t.source.note.split(":")[1].split()[0] for t in ties if t.source.note} == {
        "NO_KNOWN_PERSON", "NON_CONSOLIDATING", "NON_PUBLIC"}


def test_bods_04_example(shared_data: Path) -> None:
    notes = Notes()
    path = shared_data / "bods" / "data-standard-examples" / "indirect-ownership.json"
    facts = list(bods.read([path], notes, {}))
    shares = sorted((f.low, f.high, f.known) for f in facts if isinstance(f, FlatOwnership))
    assert shares == [(0.0, 100.0, False), (60.0, 60.0, True)]  # the indirect 30% skipped
    assert any("indirect" in line for line in notes.lines())
    idents = {i for f in facts if isinstance(f, Party) for i in f.identifiers}
    assert ("registration", "XE9999", "gb") in idents  # GB-COH


def test_bods_02_pipeline_output(shared_data: Path) -> None:
    folder = shared_data / "bods" / "openownership_bodspipelines"
    entities = list(bods.read([folder / "lei-data-out.json"], Notes(), {}))
    assert all(isinstance(f, Party) for f in entities)
    assert any(i[0] == "lei" for f in entities if isinstance(f, Party) for i in f.identifiers)
