"""Round-6 evaluation families (``screening.name_families``): the rewrites as case tables,
and the probes drawn from a set of entities."""

from __future__ import annotations

import random

import pytest

from riskengine.domain import Entity
from riskengine.screening.name_families import belarusian, build_name_families, given_name


def _person(name: str, country: str | None = None) -> Entity:
    return Entity(id="p", name=name, kind="person", country=country)


@pytest.mark.parametrize(("name", "country", "written"), [
    ("NAUMOV, Vladimir Vladimirovich", "ru", "NAUMAU, ULADZIMIR ULADZIMIRAVICH"),
    ("PUGACHEV, Sergey Ivanovich", "ru", "PUHACHEU, SIARHEI IVANAVICH"),
    ("FEDOSENKO, Yekaterina Aleksandrovna", "ru", "FEDOSENKA, KATSIARYNA ALIAKSANDRAUNA"),
    ("NAUMAU, Uladzimir Uladzimiravich", "by", "NAUMOV, VLADIMIR VLADIMIROVICH"),
    ("LUKASHENKA, Halina", "by", "LUKASHENKO, HALINA"),
    ("NAUMOV, Vladimir", "de", None),  # neither Russia nor Belarus
    ("НАУМОВ Владимир", "ru", None),  # written in Cyrillic
])
def test_belarusian(name: str, country: str, written: str | None) -> None:
    assert belarusian(_person(name, country), random.Random(1)) == written


@pytest.mark.parametrize(("name", "written"), [
    ("MAZIOTIS, Nikolaos", "MAZIOTIS, Nikos"),
    ("GONZALEZ QUIRARTE, Eduardo", "GONZALEZ QUIRARTE, Lalo"),
    ("SMITH, John", None),  # no form in the table
])
def test_given_name(name: str, written: str | None) -> None:
    assert given_name(_person(name), random.Random(1)) == written


def test_a_company_is_not_rewritten() -> None:
    company = Entity(id="c", name="NAUMOV TRADING", kind="company", country="ru")
    assert belarusian(company, random.Random(1)) is None
    assert given_name(Entity(id="c", name="EDUARDO SA", kind="company"), random.Random(1)) is None


def test_probes_name_their_entity() -> None:
    people = [_person(f"IVANOV{i}, Sergey Petrovich", "ru") for i in range(5)]
    people = [Entity(id=f"p{i}", name=p.name, kind="person", country="ru")
              for i, p in enumerate(people)]
    probes = build_name_families(people, 3, 7)
    assert {p.kind for p in probes} == {"given_name", "belarusian"}
    assert all(p.expected in {e.id for e in people} for p in probes)
    assert sum(p.kind == "belarusian" for p in probes) == 3
