"""BIS Entity List from the Consolidated Screening List (CSV and JSON fixtures)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from riskengine.application.ingest import LIST_SOURCES, read_list
from riskengine.errors import InputError
from riskengine.lists import bis

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "bis"
PUBLISHED = date(2025, 12, 1)


@pytest.mark.parametrize(("name", "count"), [("consolidated.excerpt.csv", 4),
                                             ("consolidated.excerpt.json", 2)])
def test_entity_list_rows_only(name: str, count: int) -> None:
    edition = bis.read(FIXTURES / name, PUBLISHED)
    assert len(edition.dataset.entities) == count
    assert edition.published == PUBLISHED
    assert edition.warnings == (
        "1 rows of other screening lists left out (e.g. Specially Designated Nationals (SDN)"
        " - Treasury Department)",)


@pytest.mark.parametrize("name", ["consolidated.excerpt.csv", "consolidated.excerpt.json"])
def test_designation(name: str) -> None:
    edition = bis.read(FIXTURES / name, PUBLISHED)
    neobit = edition.dataset.entity_map()["bis:el-neobit"]
    (d,) = [d for d in edition.dataset.designations if d.entity_id == neobit.id]
    assert (neobit.name, neobit.aliases, neobit.country) == (
        "Obshchestvo S Ogranichennoi Otvetstvennostyu NEOBIT", ("NEOBIT", "OOO NEOBIT"), "ru")
    assert (d.regime, d.authority, d.list_name, d.measure, d.blocking, d.listed_from) == (
        "us", "BIS", "Entity List", "export_control", False, date(2021, 7, 19))
    assert d.source.note == "Federal Register 86 FR 37901 7/19/21"


def test_wired_as_a_list_source() -> None:
    assert "bis" in LIST_SOURCES
    edition = read_list("bis", FIXTURES / "consolidated.excerpt.csv", PUBLISHED)
    assert edition.source == "bis"


HEADER = "_id,source,name,start_date\n"
EL = "Entity List (EL) - Bureau of Industry and Security"


@pytest.mark.parametrize(("text", "where", "message"), [
    ("_id,name\nx,Y\n", ":1", "no source, start_date column"),
    (HEADER + f"a,{EL},X,19/07/2021\n", ":2", "is not a YYYY-MM-DD date"),
    (HEADER + f"a,{EL},,2021-07-19\n", ":2", "without a name"),
])
def test_bad_csv(tmp_path: Path, text: str, where: str, message: str) -> None:
    path = tmp_path / "csl.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        bis.read(path, PUBLISHED)
    assert caught.value.location == f"{path}{where}"
    assert message in caught.value.message


def test_bad_json(tmp_path: Path) -> None:
    path = tmp_path / "csl.json"
    path.write_text('{"results": 3}', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        bis.read(path, PUBLISHED)
    assert "no 'results' list" in caught.value.message
