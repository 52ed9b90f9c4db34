"""The matcher with the bundled rules/screening.yaml word tables: name order with particles,
translated and abbreviated generic words, vowel variants, short one-word names."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from riskengine.domain import Entity
from riskengine.screening.config import ScreeningConfig
from riskengine.screening.match import Screener


def entity(eid: str, name: str, *aliases: str, kind: str = "company") -> Entity:
    return Entity(id=eid, name=name, aliases=aliases, kind=kind)  # type: ignore[arg-type]


ENTITIES = [
    entity("p:1", "Mohammed Abu Bakr Al Baghdadi", kind="person"),
    entity("p:2", "Ivan Ivanovich Ivanov", kind="person"),
    entity("p:3", "AL-ZUBAYDI, Muhammad Hamsa", kind="person"),
    entity("p:4", "Abdel Hamid MAHMOUD", kind="person"),
    entity("p:5", "PUGACHYOV, Oleg Ivanovich", kind="person"),
    entity("c:1", "Research and Production Association Mashinostroyeniya"),
    entity("c:2", "Hilal Ahmar Foundation"),
    entity("c:3", "Kirovskiy Zavod"),
    entity("c:4", "Banco Central de Venezuela"),
    entity("c:5", "JSC Special Design Bureau Turbina"),
    entity("c:6", "Negosudarstvenny Pensionny Fond Sberbanka"),
    entity("c:7", "BAJER S.R.L."),
    entity("c:8", "BERING"),
    entity("c:9", "KAMAZ"),
    entity("c:10", "Aleksinskii Khimicheskii Kombinat"),
    entity("c:11", "Smolensk Aircraft Plant"),
]


RULES = Path(__file__).resolve().parents[2] / "rules"


@pytest.fixture(scope="module")
def screener() -> Screener:
    data = YAML(typ="safe").load((RULES / "screening.yaml").read_text("utf-8"))
    return Screener.build(ENTITIES, ScreeningConfig.model_validate(data))


def best(screener: Screener, query: str) -> tuple[str | None, bool]:
    found = screener.screen(query)
    return (found[0].entity_id, found[0].match) if found else (None, False)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Abu Bakr Mohammed Al-Baghdadi", "p:1"),  # order, particles
        ("AL-BAGHDADI, Mohammed Abu Bakr", "p:1"),
        ("Mohammed Abu Bakr Albaghdadi", "p:1"),  # particle joined
        ("Ivanov Ivan Ivanovich", "p:2"),  # patronymic name order
        ("IVANOV, Ivan", "p:2"),
        ("AL-ZUBAIDI, Mohammed Hamza", "p:3"),  # vowel variants
        ("MAHMOUD, Col. Abdel Hamid", "p:4"),  # title
        ("PUHACHOV, Oleh Ivanovych", "p:5"),  # Ukrainian transliteration
    ],
)
def test_person_name_variants_match(screener: Screener, query: str, expected: str) -> None:
    assert best(screener, query) == (expected, True)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("NPO Mashinostroyeniya", "c:1"),  # abbreviation
        ("Nauchno-Proizvodstvennoe Obedinenie Mashinostroyeniya", "c:1"),  # transliteration
        ("Scientific Production Association Mashinostroyeniya", "c:1"),  # other translation
        ("Yayasan Hilal Ahmar", "c:2"),
        ("Kirovskiy Plant", "c:3"),
        ("Kirovsky Factory", "c:3"),
        ("Central Bank of Venezuela", "c:4"),
        ("OAO SKB Turbina", "c:5"),
        ("NPF Sberbanka ZAO", "c:6"),
        ("Aleksinsky Chemical Combine", "c:10"),
        ("JSC Smolensk Aviation Plant", "c:11"),
    ],
)
def test_translated_and_abbreviated_generic_words_match(screener: Screener, query: str,
                                                        expected: str) -> None:
    assert best(screener, query) == (expected, True)


@pytest.mark.parametrize(
    ("query", "entity_id"),
    [("Bayer AG", "c:7"), ("Boeing Company", "c:8"), ("KAMAS", "c:9"),
     ("Smolensk Aviation Bureau", "c:11"), ("Ivan Petrov", "p:2")],
)
def test_near_short_words_and_other_words_do_not_match(
        screener: Screener, query: str, entity_id: str) -> None:
    by_id = {c.entity_id: c for c in screener.screen(query)}
    assert entity_id not in by_id or not by_id[entity_id].match


@pytest.mark.parametrize(
    ("query", "kind", "detail"),
    [("Kirovskiy Plant", "synonym", "zavod"),
     ("Abu Bakr Mohammed Al-Baghdadi", "words_ignored", "al"),
     ("MAHMOUD, Col. Abdel Hamid", "words_ignored", "col")],
)
def test_explanations_name_the_words_replaced_or_ignored(
        screener: Screener, query: str, kind: str, detail: str) -> None:
    features = {f.kind: f.detail for f in screener.screen(query)[0].features}
    assert detail in features[kind].split(", ")


def test_a_name_short_only_without_its_particles_is_not_capped(screener: Screener) -> None:
    one = Screener.build([entity("p:9", "Amr AL-ABSI", kind="person")], screener.config)
    found = one.screen("AL-ABSI")  # 4 letters once al is dropped
    assert found and found[0].confidence > screener.config.short_name_cap
    assert "short_name" not in {f.kind for f in found[0].features}
