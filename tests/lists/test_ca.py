"""riskengine.lists.ca: the Consolidated Canadian Autonomous Sanctions List (sema-lmes.xml)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from riskengine.errors import InputError
from riskengine.lists import ca
from riskengine.lists.base import ListEdition

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ca"


@pytest.fixture(scope="module")
def edition() -> ListEdition:
    return ca.read(FIXTURES, published=date(2025, 5, 25))


@pytest.mark.parametrize(
    ("entity_id", "kind", "name", "aliases"),
    [
        ("ca:russia-1p2-173", "company", "KAMAZ PTC", ("КАМАЗ",)),
        ("ca:russia-1p1-511", "person", "Alexander Dmitryevich BEGLOV",
         ("Александр Дмитриевич Беглов", "Alexandr Dmitrievich Beglov")),
        ("ca:ukraine-p1-209", "person", "Mikhail Nikolaevich KUSHAKOV",
         ("Михаил Николаевич КУШАКОВ", "Михайло Миколайович КУШАКОВ")),
        ("ca:russia-1.1-1", "vessel", "Balitiyskiy III", ()),
        ("ca:jvcfor-1", "person", "Nicolás MADURO MOROS", ()),
        ("ca:russia-1p1-786", "person", "Elena Petrovna TIMCHENKO",
         ("Елена Петровна Тимченко", "Елена Ермакова")),
    ],
)
def test_entities(edition: ListEdition, entity_id: str, kind: str, name: str,
                  aliases: tuple[str, ...]) -> None:
    entity = edition.dataset.entity_map()[entity_id]
    assert (entity.kind, entity.name, entity.aliases, entity.country) == (
        kind, name, aliases, None)


@pytest.mark.parametrize(
    ("entity_id", "program", "listed_from"),
    [
        ("ca:russia-1p2-173", "Russia, Schedule 1, Part 2", date(2022, 5, 6)),
        ("ca:ukraine-p1-209", "Ukraine, Part 1", date(2022, 4, 26)),
        ("ca:belarus-1p3-2", "Belarus, Schedule 1, Part 3", date(2024, 8, 8)),  # '1,Part 3'
        ("ca:jvcfor-1", "Justice for Victims of Corrupt Foreign Officials Regulations (JVCFOR)",
         date(2017, 11, 3)),
    ],
)
def test_designations(edition: ListEdition, entity_id: str, program: str, listed_from: date
                      ) -> None:
    (designation,) = [d for d in edition.dataset.designations if d.entity_id == entity_id]
    assert (designation.regime, designation.authority, designation.measure) == (
        "ca", "Global Affairs Canada", "asset_freeze")
    assert (designation.program, designation.listed_from) == (program, listed_from)


def test_ship_imo_and_sources(edition: ListEdition) -> None:
    ship = edition.dataset.entity_map()["ca:russia-1.1-1"]
    kamaz = edition.dataset.entity_map()["ca:russia-1p2-173"]
    assert [(i.scheme, i.value) for i in ship.identifiers] == [("imo", "7612448")]
    assert (kamaz.sources[0].record_id, kamaz.sources[0].file) == (
        "russia-1p2-173", "sema-lmes.excerpt.xml")
    assert kamaz.sources[0].line == 3


@pytest.mark.parametrize(
    ("published", "expected"),
    [(None, None), (date(2025, 5, 25), date(2025, 5, 25))],  # the format carries no date
)
def test_published_is_the_callers(published: date | None, expected: date | None) -> None:
    edition = ca.read(FIXTURES / "sema-lmes.excerpt.xml", published)
    assert edition.published == expected
    assert edition.dataset.entities[0].sources[0].published == expected


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("КАМАЗ", ["КАМАЗ"]),
        ("Александр Беглов; Alexandr Beglov", ["Александр Беглов", "Alexandr Beglov"]),
        ("Елена Тимченко or Елена Ермакова", ["Елена Тимченко", "Елена Ермакова"]),
        ("Nikolay or Nikolai Maximovich", ["Nikolay or Nikolai Maximovich"]),  # fragments: kept
        ("М Инвест, ООО", ["М Инвест, ООО"]),
        ("Siyamak Rahpeyk,Siamak Rahpiek", ["Siyamak Rahpeyk", "Siamak Rahpiek"]),
        ("Ivan Ivanov, Belarusian: Иван Иванов, Russian\xa0: Иван Иванович",
         ["Ivan Ivanov", "Иван Иванов", "Иван Иванович"]),
        ("ООО \"ТРАНСОЙЛ\" / ОБЩЕСТВО \"ТРАНСОЙЛ\"", ["ООО \"ТРАНСОЙЛ\"", "ОБЩЕСТВО \"ТРАНСОЙЛ\""]),
        ("(Владимир Михайлович РУЩАК / Володимир Михайлович РУЩАК",
         ["Владимир Михайлович РУЩАК", "Володимир Михайлович РУЩАК"]),
        ("Myanma Five Star Line Company\nLimited", ["Myanma Five Star Line Company Limited"]),
        ("", []),
        (None, []),
    ],
)
def test_split_aliases(text: str | None, names: list[str]) -> None:
    assert ca.split_aliases(text) == names


def _record(country: str, item: str, date_of_listing: str, extra: str = "") -> str:
    return (f"<record><Country>{country}</Country><EntityOrShip>X Y</EntityOrShip>{extra}"
            f"<Item>{item}</Item><DateOfListing>{date_of_listing}</DateOfListing></record>")


BAD_INPUTS = [
    ("truncated.xml", "<?xml version='1.0'?>\n<data-set>\n<record><Country>Russia</Country>",
     ":3", "malformed XML"),
    ("bomb.xml", "<?xml version='1.0'?>\n<!DOCTYPE data-set [<!ENTITY a 'aaaa'>]>\n"
     "<data-set>&a;</data-set>", ":1", "entity-expansion"),
    ("root.xml", "<records/>", ":1", "not sema-lmes"),
    ("date.xml", f"<data-set>\n{_record('Russia', '1', '06/05/2022')}</data-set>", ":2",
     "unrecognised date"),
    ("item.xml", f"<data-set>\n{_record('Russia', '', '2022-05-06')}</data-set>", ":2",
     "without Country or Item"),
]


@pytest.mark.parametrize(("name", "text", "where", "message"), BAD_INPUTS)
def test_bad_input(tmp_path: Path, name: str, text: str, where: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        ca.read(path)
    assert caught.value.location == f"{path}{where}"
    assert message in caught.value.message


def test_repeated_record_ids_are_warned(tmp_path: Path) -> None:
    record = _record("Russia / Russie", "7", "2022-05-06", "<Schedule>1, Part 2</Schedule>")
    (tmp_path / "a.xml").write_text(f"<data-set>{record}{record}</data-set>", encoding="utf-8")
    edition = ca.read(tmp_path)
    assert [e.id for e in edition.dataset.entities] == ["ca:russia-1p2-7"]
    assert edition.warnings == ("1 records repeated across the files read (first copy kept)",)


@pytest.mark.shared_data
def test_real_file(shared_data: Path) -> None:
    edition = ca.read(shared_data / "canada_sema" / "cannada.xml")
    kamaz = edition.dataset.entity_map()["ca:russia-1p2-173"]
    (listing,) = [d for d in edition.dataset.designations if d.entity_id == kamaz.id]
    assert (kamaz.name, kamaz.aliases, listing.listed_from) == (
        "KAMAZ PTC", ("КАМАЗ",), date(2022, 5, 6))
    assert len(edition.dataset.entities) == 4759  # every record keeps its own id
    assert edition.warnings == ()
