"""The OFAC readers on the real public files in ../shared/data (skipped when absent)."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from riskengine.lists.base import ListEdition
from riskengine.lists.ofac import entity_id, read_cons, read_sdn

pytestmark = pytest.mark.shared_data

KAMAZ = entity_id("37756")


@pytest.fixture(scope="module")
def sdn_2024(tmp_path_factory: pytest.TempPathFactory) -> ListEdition:
    """sdn.csv of 2024-05-03 with the ~Dec 2025 add/alt/sdn_comments beside it."""
    from tests.conftest import SHARED_DATA

    if not SHARED_DATA.is_dir():
        pytest.skip(f"real list files not found at {SHARED_DATA} (set RISKENGINE_SHARED_DATA)")
    folder = tmp_path_factory.mktemp("sdn_2024")
    base = SHARED_DATA / "ofac_sdn_csv"
    for src in [base / "2024-05-03" / "sdn.csv", *sorted((base / "2025-12_companions").iterdir())]:
        shutil.copy(src, folder / src.name)
    return read_sdn(folder, date(2024, 5, 3))


def test_sdn_2024_counts(sdn_2024: ListEdition) -> None:
    data = sdn_2024.dataset
    assert len(data.entities) == 14965
    assert Counter(e.kind for e in data.entities) == {
        "company": 6884,
        "person": 6854,
        "vessel": 851,
        "unknown": 376,
    }
    assert len(data.designations) >= len(data.entities)
    assert {d.list_name for d in data.designations} >= {"SDN"}
    assert sdn_2024.files == ("sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv")


ORPHAN_WARNINGS = [
    "4893 rows of add.csv point at",
    "2460 rows of alt.csv point at",
    "6 rows of sdn_comments.csv point at",
]


@pytest.mark.parametrize("start", ORPHAN_WARNINGS)
def test_sdn_2024_orphan_rows_warn(sdn_2024: ListEdition, start: str) -> None:
    found = [w for w in sdn_2024.warnings if w.startswith(start)]
    assert len(found) == 1 and found[0].endswith("missing from sdn.csv")


# 37757 (KAMAZ leasing) has no "Linked To" remark; 37767 is the individual.
KAMAZ_FAMILY = ["37758", "37759", "37760", "37761", "37763", "37764", "37765", "37766"]


def test_sdn_2024_kamaz(sdn_2024: ListEdition) -> None:
    data = sdn_2024.dataset
    kamaz = data.entity_map()[KAMAZ]
    assert kamaz.name == "KAMAZ PUBLICLY TRADED COMPANY"
    assert "KAMAZ PTC" in kamaz.aliases
    assert {(i.scheme, i.value) for i in kamaz.identifiers} >= {
        ("inn", "1650032058"),
        ("ogrn", "1021602013971"),
    }
    owned = {o.asset for o in data.ownerships if o.owner == KAMAZ and not o.share.known}
    assert owned == {entity_id(e) for e in KAMAZ_FAMILY}
    officers = {r.a for r in data.relationships if r.b == KAMAZ and r.kind == "officer"}
    assert officers == {entity_id("37767")}


OTHER_CASES = [
    ("44877", "JOINT STOCK COMPANY AVTOVAZ", "AO AVTOVAZ"),
    ("44880", "PUBLICHNOE AKTSIONERNOE OBSCHESTVO SOLLERS", "PUBLIC JOINT STOCK COMPANY SOLLERS"),
    ("24230", "GAZ GROUP", "GAZ PAO"),
]


@pytest.mark.parametrize(("ent", "name", "alias"), OTHER_CASES)
def test_sdn_2024_other_carmakers(sdn_2024: ListEdition, ent: str, name: str, alias: str) -> None:
    entity = sdn_2024.dataset.entity_map()[entity_id(ent)]
    assert (entity.name, entity.country) == (name, "ru")
    assert alias in entity.aliases


KAMAZ_EDITIONS = [("2022-06-17", False, 10241), ("2022-06-28", True, 10409)]


@pytest.mark.parametrize(("day", "has_kamaz", "count"), KAMAZ_EDITIONS)
def test_kamaz_arrives_on_28_june_2022(
    shared_data: Path, day: str, has_kamaz: bool, count: int
) -> None:
    edition = read_sdn(shared_data / "ofac_sdn_csv" / day, date.fromisoformat(day))
    ids = {e.id for e in edition.dataset.entities}
    assert (KAMAZ in ids, len(ids)) == (has_kamaz, count)
    assert edition.files == ("sdn.csv",)


def test_consolidated_csv_and_xml_agree(shared_data: Path) -> None:
    base = shared_data / "ofac_consolidated_non_sdn"
    csv_ed = read_cons(base / "csv")
    xml_ed = read_cons(base / "xml" / "ofac.xml")
    csv_ids = {e.id for e in csv_ed.dataset.entities}
    assert len(csv_ids) == 442
    assert csv_ids == {e.id for e in xml_ed.dataset.entities}
    assert xml_ed.published == date(2026, 1, 8)
    csv_programs = {(d.entity_id, d.program, d.list_name) for d in csv_ed.dataset.designations}
    assert csv_programs == {
        (d.entity_id, d.program, d.list_name) for d in xml_ed.dataset.designations
    }
    assert Counter(d.list_name for d in csv_ed.dataset.designations) == {
        "SSI": 286,
        "NS-MBS": 97,
        "PLC": 78,
        "CMIC": 68,
        "CONS": 4,
        "CAPTA": 1,
    }
