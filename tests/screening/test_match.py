"""The matcher on a small hand-made index: legal forms, generic words, short names,
identifiers, countries, blocking and the score fallback."""

from __future__ import annotations

import pytest

from riskengine.domain import Entity, Identifier, Source
from riskengine.screening.config import ScreeningConfig
from riskengine.screening.match import Candidate, Screener, fallback_match

CONFIG = ScreeningConfig()


def entity(eid: str, name: str, *aliases: str, country: str | None = None,
           ids: tuple[str, ...] = ()) -> Entity:
    return Entity(
        id=eid, name=name, aliases=aliases, country=country,
        identifiers=tuple(Identifier(scheme="inn", value=v) for v in ids),
        sources=(Source(source="ofac-sdn", record_id=eid.rsplit(":", maxsplit=1)[-1]),),
    )


ENTITIES = [
    entity("ofac:1", "KAMAZ PUBLICLY TRADED COMPANY", "KAMAZ PAO", "ПАО КАМАЗ", country="ru",
           ids=("1650032058",)),
    entity("ofac:2", "ALFA TRADING GROUP LLC"),
    entity("ofac:3", "SOVCOMFLOT JSC", "PAO SOVKOMFLOT", country="ru"),
    entity("ofac:4", "ACME"),
    entity("ofac:5", "ROSOBORONEXPORT OAO", country="ru"),
    entity("ofac:6", "BANK ROSSIYA", country="ru"),
    entity("ofac:7", "NORTH STAR TRADING COMPANY LIMITED"),
    entity("ofac:8", "GOLDEN INTERNATIONAL TRADING GROUP"),
    entity("ofac:9", "EASTERN INDUSTRIAL HOLDING GROUP"),
    entity("ofac:10", "Vladimir Vladimirovich PUTIN", country="ru"),
    entity("ofac:11", "ZVEZDA PJSC", "ЗВЕЗДА"),
    entity("ofac:12", "TRADING GROUP INTERNATIONAL HOLDING"),
    entity("ofac:13", "ALFA-BANK", "AO ALFA-BANK", country="ru"),
    entity("ofac:14", "MIR TRADING COMPANY", country="kp"),
]


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener.build(ENTITIES, CONFIG)


def top(screener: Screener, name: str, **kw: str) -> Candidate:
    found = screener.screen(name, **kw)  # type: ignore[arg-type]
    assert found, f"no candidate for {name!r}"
    return found[0]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("PJSC KAMAZ", "ofac:1"),
        ("KAMAZ PAO", "ofac:1"),
        ("ПАО КАМАЗ", "ofac:1"),
        ("Kamaz Joint Stock Company", "ofac:1"),
        ("камаз", "ofac:1"),
        ("ROSOBORONEKSPORT", "ofac:5"),  # transliteration variant
        ("ROSOBORONEXPROT", "ofac:5"),  # transposition typo
        ("Rossiya Bank", "ofac:6"),  # reordered
        ("Putin Vladimir", "ofac:10"),  # missing word, reordered
        ("SOVCOM FLOT", "ofac:3"),  # split word
        ("Звезда ПАО", "ofac:11"),
    ],
)
def test_spelling_variants_match(screener: Screener, query: str, expected: str) -> None:
    found = top(screener, query)
    assert (found.entity_id, found.match) == (expected, True)
    assert 0.0 <= found.confidence <= 1.0


@pytest.mark.parametrize("query", ["PJSC KAMAZ", "KAMAZ PAO", "ПАО КАМАЗ"])
def test_legal_forms_neither_create_nor_block(screener: Screener, query: str) -> None:
    found = top(screener, query)
    assert found.confidence == 1.0
    assert any(f.kind == "legal_form_ignored" for f in found.features)


@pytest.mark.parametrize(
    ("query", "not_strongly"),
    [
        ("GLOBAL TRADING GROUP LLC", "ofac:2"),
        ("GLOBAL TRADING GROUP LLC", "ofac:12"),
        ("SOUTH STAR TRADING COMPANY LIMITED", "ofac:7"),
        ("NORTHERN INDUSTRIAL HOLDING GROUP", "ofac:9"),
        ("NORTHERN INDUSTRIAL HOLDING", "ofac:9"),
        ("KAMAZ LEASING TRADING", "ofac:14"),
    ],
)
def test_generic_words_do_not_make_a_match(screener: Screener, query: str, not_strongly: str
                                           ) -> None:
    by_id = {c.entity_id: c for c in screener.screen(query)}
    assert not_strongly not in by_id or not by_id[not_strongly].match


@pytest.mark.parametrize(
    ("query", "entity_id", "match"),
    [("ACME", "ofac:4", True), ("ACNE", "ofac:4", False), ("ACME CORP", "ofac:4", True),
     ("ACMEX", "ofac:4", False), ("MIR", "ofac:14", False)],
)
def test_short_names_must_match_exactly(screener: Screener, query: str, entity_id: str,
                                        match: bool) -> None:
    by_id = {c.entity_id: c for c in screener.screen(query)}
    assert (entity_id in by_id and by_id[entity_id].match) is match


def test_identifier_decides(screener: Screener) -> None:
    found = top(screener, "Totally Different Name", identifier="16500-32058")
    assert (found.entity_id, found.confidence, found.match) == ("ofac:1", 1.0, True)
    assert "identifier_match" in [f.kind for f in found.features]


def test_short_identifier_is_not_compared(screener: Screener) -> None:
    assert screener.screen("Totally Different Name", identifier="16") == []


@pytest.mark.parametrize(("country", "kind"), [("cn", "country_conflict"),
                                               ("RU", "country_agreement")])
def test_country(screener: Screener, country: str, kind: str) -> None:
    plain = top(screener, "Rosoboroneksport")
    found = top(screener, "Rosoboroneksport", country=country)
    assert kind in [f.kind for f in found.features]
    if kind == "country_conflict":
        expected = round(plain.confidence - CONFIG.country_conflict_penalty, 4)
        assert found.confidence == expected
    else:
        assert found.confidence == plain.confidence


def test_candidates_are_sorted_limited_and_sourced(screener: Screener) -> None:
    found = screener.screen("ALFA TRADING", limit=2)
    assert len(found) <= 2
    assert [c.confidence for c in found] == sorted((c.confidence for c in found), reverse=True)
    assert found[0].sources[0].source == "ofac-sdn"


def test_unrelated_name_finds_nothing(screener: Screener) -> None:
    assert screener.screen("Volkswagen AG") == []


def test_explanations(screener: Screener) -> None:
    found = top(screener, "ПАО КАМАЗ")
    kinds = {f.kind for f in found.features}
    assert {"matched_tokens", "legal_form_ignored", "transliterated"} <= kinds


@pytest.mark.parametrize(
    ("query", "expected"),
    [("ROSOBORONEKSPORT", "ofac:5"), ("ALFA", None), ("Volkswagen", None)],
)
def test_fallback_match(screener: Screener, query: str, expected: str | None) -> None:
    found = fallback_match(screener, query)
    assert (found.entity_id if found else None) == expected


def test_fallback_refuses_a_close_runner_up() -> None:
    twins = [entity("a:1", "NORDIC POLAR SHIPPING"), entity("a:2", "NORDIC POLAR SHIPPING")]
    assert fallback_match(Screener.build(twins), "Nordic Polar Shipping") is None


def test_empty_index_and_empty_query() -> None:
    assert Screener.build([]).screen("KAMAZ") == []
    assert Screener.build(ENTITIES).screen("  ...  ") == []
