"""What the list readers map for entity resolution: dates of birth as the lists write them
-> (partial) ISO dates, nationalities, Russian number schemes."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from riskengine.lists.births import all_birth_dates, birth_dates
from riskengine.lists.records import refine_scheme


@pytest.mark.parametrize(
    ("text", "dates"),
    [
        ("01 Jan 1967", ["1967-01-01"]),  # OFAC remarks
        ("Mar 1964", ["1964-03"]),
        ("1964", ["1964"]),
        ("circa 1966", ["1965", "1966", "1967"]),
        ("01 Jan 1984 to 31 Dec 1984", ["1984"]),  # a range within one year: the year
        ("01 Mar 1984 to 31 Mar 1984", ["1984-03"]),
        ("1960 to 1962", ["1960", "1961", "1962"]),
        ("1900 to 1960", []),  # too wide to say anything
        ("21/04/1971", ["1971-04-21"]),  # OFSI ConList
        ("00/00/1963", ["1963"]),
        ("00/05/1963", ["1963-05"]),
        ("1965-04-29", ["1965-04-29"]),  # UN, Canada
        ("Nov. 1973", ["1973-11"]),
        ("unknown", []), ("", []), (None, []), ("31/13/1970", []),
    ],
)
def test_birth_dates(text: str | None, dates: list[str]) -> None:
    assert birth_dates(text) == dates


def test_all_birth_dates_keeps_first_seen_order_without_repeats() -> None:
    assert all_birth_dates(["1964", "01 Jan 1964", "1964", None]) == ("1964", "1964-01-01")


@pytest.mark.parametrize(
    ("reader", "path", "entity_id", "dates", "nationalities"),
    [
        ("ofac", "ofac_sdn_csv/2024-05-03/sdn.csv", "ofac:37767", ("1957-11-16",), ("ru",)),
        ("ofac", "ofac_consolidated_non_sdn/xml/ofac.xml", "ofac:50476", ("1961-02-12",),
         ("ht",)),
        ("uk", "uk_ofsi_conlist/ConList.xlsx", "uk:RUS1124", ("1957-11-16",), ("ru",)),
        ("un", "un_sc_consolidated/UN_consolidated.xml", "un:QDi.003", ("1965",), ("ye",)),
        ("ca", "canada_sema/cannada.xml", "ca:russia-1p1-777", ("1957",), ()),
    ],
    ids=["ofac-remarks", "ofac-xml", "uk-conlist", "un", "ca"],
)
def test_real_lists_state_dates_of_birth_and_nationalities(
        shared_data: Path, reader: str, path: str, entity_id: str, dates: tuple[str, ...],
        nationalities: tuple[str, ...]) -> None:
    module = importlib.import_module(f"riskengine.lists.{reader}")
    edition = module.read(shared_data / path)
    entity = edition.dataset.entity_map()[entity_id]
    assert (entity.birth_dates, entity.nationalities) == (dates, nationalities)


@pytest.mark.parametrize(
    ("scheme", "value", "country", "refined"),
    [("registration", "7706688991", "ru", "inn"),  # OFSI's Business Reg No holding an INN
     ("registration", "1087746570383", "ru", "ogrn"), ("registration", "7706688991", "by",
                                                       "registration"),
     ("tax", "7706688991", "ru", "inn"), ("registration", "770301001", "ru", "registration")],
)
def test_russian_numbers_get_their_scheme(scheme: str, value: str, country: str,
                                          refined: str) -> None:
    assert refine_scheme(scheme, value, country) == refined
