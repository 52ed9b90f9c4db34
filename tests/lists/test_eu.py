"""riskengine.lists.eu: the EU Financial Sanctions Files consolidated list, XML and CSV."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from riskengine.errors import InputError
from riskengine.lists import eu
from riskengine.lists.base import ListEdition

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "eu"
FORMATS = ["fsf_excerpt.xml", "fsf_excerpt.csv"]


@pytest.fixture(scope="module", params=FORMATS)
def edition(request: pytest.FixtureRequest) -> ListEdition:
    return eu.read(FIXTURES / request.param)


@pytest.mark.parametrize(
    ("entity_id", "kind", "name", "aliases", "country"),
    [
        ("eu:900001", "company", "Public Joint Stock Company KAMAZ",
         ("KAMAZ PTC", "ПАО «КАМАЗ»"), "ru"),  # the XML's weak alias 'KAMA': test_weak_alias
        ("eu:900002", "person", "Ivan Testovich PRIMEROV", ("Иван Тестович ПРИМЕРОВ",), "ru"),
        ("eu:900003", "company", "Example Trading FZE", (), "ae"),
    ],
)
def test_entities(edition: ListEdition, entity_id: str, kind: str, name: str,
                  aliases: tuple[str, ...], country: str) -> None:
    entity = edition.dataset.entity_map()[entity_id]
    assert (entity.kind, entity.name, entity.aliases, entity.country) == (
        kind, name, aliases, country)


@pytest.mark.parametrize(
    ("entity_id", "identifiers"),
    [
        ("eu:900001", [("ogrn", "1021602013971", "ru"), ("inn", "1650032058", "ru")]),
        ("eu:900002", [("passport", "7500000001", "ru")]),
        ("eu:900003", [("registration", "12345", None)]),  # countryIso2Code '00': unknown
    ],
)
def test_identifiers(edition: ListEdition, entity_id: str,
                     identifiers: list[tuple[str, str, str | None]]) -> None:
    entity = edition.dataset.entity_map()[entity_id]
    assert [(i.scheme, i.value, i.country) for i in entity.identifiers] == identifiers


@pytest.mark.parametrize(
    ("designation_id", "program", "listed_from"),
    [
        ("eu:900001/ukr", "UKR", date(2022, 6, 3)),
        ("eu:900002/ukr", "UKR", date(2022, 3, 15)),  # earliest of two UKR regulations
        ("eu:900002/blr", "BLR", date(2022, 6, 3)),  # no entry-into-force date: publication
        ("eu:900003/listing", None, None),  # no regulation at all (warned)
    ],
)
def test_designations(edition: ListEdition, designation_id: str, program: str | None,
                      listed_from: date | None) -> None:
    designation = {d.id: d for d in edition.dataset.designations}[designation_id]
    assert (designation.regime, designation.authority, designation.list_name) == (
        "eu", "Council of the EU", "EU FSF")
    assert (designation.program, designation.listed_from, designation.measure) == (
        program, listed_from, "asset_freeze")


@pytest.mark.parametrize(("file", "weak"), [("fsf_excerpt.xml", ("KAMA",)),
                                            ("fsf_excerpt.csv", ())])
def test_weak_alias(file: str, weak: tuple[str, ...]) -> None:
    """strong="false" names are kept as weak aliases, not as aliases (the CSV has no such
    column: all its names are aliases)."""
    entities = eu.read(FIXTURES / file).dataset.entity_map()
    assert entities["eu:900001"].weak_aliases == weak
    assert "KAMA" not in entities["eu:900001"].all_names()
    assert not entities["eu:900002"].weak_aliases


@pytest.mark.parametrize(
    ("file", "line", "warnings"),
    [
        ("fsf_excerpt.xml", 6, (
            "1 entries without a regulation (listed with no programme or date) (e.g. 900003)",)),
        ("fsf_excerpt.csv", 2, (
            "1 entries without a regulation (listed with no programme or date) (e.g. 900003)",)),
    ],
)
def test_edition_date_sources_and_warnings(file: str, line: int, warnings: tuple[str, ...]
                                           ) -> None:
    edition = eu.read(FIXTURES / file, published=date(2000, 1, 1))
    source = edition.dataset.entity_map()["eu:900001"].sources[0]
    assert edition.published == date(2025, 6, 2)  # generationDate / fileGenerationDate
    assert (source.file, source.line, source.record_id, source.published) == (
        file, line, "900001", date(2025, 6, 2))
    assert edition.warnings == warnings


def test_directory_reads_xml_first() -> None:
    edition = eu.read(FIXTURES)
    assert edition.files == ("fsf_excerpt.csv", "fsf_excerpt.xml")
    assert [e.sources[0].file for e in edition.dataset.entities] == ["fsf_excerpt.xml"] * 3
    assert "3 records repeated across the files read (first copy kept)" in edition.warnings


HEADER = "Entity_LogicalId;Entity_SubjectType;Entity_Regulation_Programme;NameAlias_WholeName\n"
BAD_INPUTS = [
    ("truncated.xml", '<?xml version="1.0"?>\n<export xmlns="http://eu.europa.ec/fpi/fsd/export">'
     '\n<sanctionEntity logicalId="1">\n<nameAlias wholeName="A"', ":4", "malformed XML"),
    ("bomb.xml", '<?xml version="1.0"?>\n<!DOCTYPE export [<!ENTITY a "aaaa">]>\n'
     "<export>&a;</export>", ":1", "entity-expansion"),
    ("root.xml", "<sdnList/>", ":1", "not an FSF export"),
    ("nolid.xml", '<export>\n<sanctionEntity><nameAlias wholeName="A"/></sanctionEntity>'
     "</export>", ":2", "without logicalId"),
    ("date.xml", '<export>\n<sanctionEntity logicalId="5"><nameAlias wholeName="A"/>'
     '<regulation programme="UKR" entryIntoForceDate="3 June 2022"/></sanctionEntity></export>',
     ": record 5", "unrecognised date"),
    ("quoting.csv", HEADER + '1;E;UKR;"KAMAZ" PTC\n', ":2", "malformed CSV"),
    ("unclosed.csv", HEADER + '1;E;UKR;ok\n2;E;UKR;"KAMAZ\n', ":3", "malformed CSV"),
    ("fields.csv", HEADER + "1;E;UKR\n", ":2", "3 fields, header has 4"),
    ("columns.csv", "Entity_LogicalId;Name\n1;KAMAZ\n", ":1", "missing NameAlias_WholeName"),
]


@pytest.mark.parametrize(("name", "text", "where", "message"), BAD_INPUTS)
def test_bad_input(tmp_path: Path, name: str, text: str, where: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        eu.read(path)
    assert caught.value.location == f"{path}{where}"
    assert message in caught.value.message
