"""Round-3 rules, one case per rule from real list names (OFAC SDN, UK ConList): spelling
readings, abbreviations, acronyms, dotted legal forms, the best-matching record first,
dates of birth and nationalities, weak aliases."""

from __future__ import annotations

import pytest

from riskengine.domain import Entity
from riskengine.screening.config import ScreeningConfig
from riskengine.screening.facts import birth_agreement, parse_birth_date
from riskengine.screening.match import Screener
from riskengine.screening.normalise import analyse, join_dotted


def entity(eid: str, name: str, *aliases: str, kind: str = "company", **facts: object
           ) -> Entity:
    return Entity(id=eid, name=name, aliases=aliases, kind=kind, **facts)  # type: ignore[arg-type]



ENTITIES = [
    entity("ofac:21305", "MIN, Byong Chol", kind="person"),
    entity("uk:DPR0217", "JANG, Yong Son", kind="person"),
    entity("ofac:35717", "RYABTSEVA, Zhanna Anatolyevna", kind="person"),
    entity("ofac:39039", "DESIGN AND MANUFACTURING OF AERO-ENGINE COMPANY"),
    entity("ofac:25971", "IRANIAN TITANIUM DEVELOPMENT"),
    entity("ofac:25099", "QUIANA TRADING LIMITED"),
    entity("ofac:23261", "INTERNATIONAL DIAMOND INDUSTRIES"),
    entity("ofac:46679", "JOINT STOCK COMPANY KAMENSKVOLOKNO"),
    entity("uk:RUS1839", "PAO MAGNITOGORSKIY METALLURGICHESKIY KOMBINAT"),
    entity("ofac:48713", "CHEM A.S."),
    entity("ofac:46796", "AHETEI LIMITED"),
    entity("ofac:41132", "ALEKSANDR SOKOLOV", kind="person"),
    entity("ofac:12345", "OAO ALEKSANDR SOKOLOV TRADING HOUSE"),
]


@pytest.fixture(scope="module")
def screener(config: ScreeningConfig) -> Screener:
    return Screener.build(ENTITIES, config)


@pytest.mark.parametrize(("query", "expected", "rule"), [
    ("MIN, Byong Shol", "ofac:21305", "sh = ch (spelling_readings)"),
    ("JANG Yong Seon", "uk:DPR0217", "Korean eo = o (spelling_readings)"),
    ("Ryabtseva Janna Anatolyevna", "ofac:35717", "zh = j (consonant_readings)"),
    ("Design and Mfg. of Aero Engine Company", "ofac:39039", "mfg = manufacturing"),
    ("Iran Titanium Development", "ofac:25971", "country adjective = country"),
    ("Quiana Trdg. Limited", "ofac:25099", "trdg = trading"),
    ("Intl Diamond Industries", "ofac:23261", "intl = international"),
    ("Joint Stock Co. Kamenskvolokno", "ofac:46679", "joint stock co = legal form"),
    ("PAO Magnitogorskiy Metallurgisheskiy Kombinat", "uk:RUS1839",
     "a typo in a synonym prefix word (metallurgichesk*)"),
    ("CHEM, A.Ş.", "ofac:48713", "dotted legal form A.Ş. = as"),
    ("AHETEI, P.L.C.", "ofac:46796", "dotted legal form P.L.C. = plc"),
    ("ALEKSANDR SOOLOV", "ofac:41132", "a deleted letter still blocks (d:token keys)"),
])
def test_round3_rule_finds_the_listed_name(screener: Screener, query: str, expected: str,
                                           rule: str) -> None:
    found = screener.screen(query)
    assert found and found[0].entity_id == expected and found[0].match, rule


@pytest.mark.parametrize(("text", "joined"), [
    ("CHEM, A.S.", "CHEM, AS "), ("Bosch G.m.b.H.", "Bosch GmbH "), ("J.P. Morgan", "JP  Morgan"),
    ("A. B. Smith", "A. B. Smith"), ("No.9", "No.9"),
])
def test_dotted_abbreviations_are_one_word(text: str, joined: str) -> None:
    assert join_dotted(text) == joined


def test_dotted_letters_do_not_match_short_letter_names(config: ScreeningConfig) -> None:
    """'S.A.' was 's', 'a': two letters that a listed 'SA' (a real short name) matched."""
    short = Screener.build([entity("x", "S A")], config)
    assert analyse("Halifax Valves S.A.").tokens == ("halifax", "valves")
    assert not any(c.match for c in short.screen("Halifax Valves S.A."))


def test_the_record_whose_name_matches_best_ranks_first(screener: Screener) -> None:
    """ALEKSANDR SOKOLOV, not the trading house that bears his name."""
    found = screener.screen("Aleksandr Sokolov")
    assert [c.entity_id for c in found[:2]] == ["ofac:41132", "ofac:12345"]


PERSON = entity("uk:RUS0599", "RYABTSEVA, Zhanna Anatolyevna", kind="person",
                birth_dates=("1970-05-01",), nationalities=("ru",))


@pytest.mark.parametrize(("birth", "nation", "kinds", "sign"), [
    ("1970-05-01", "ru", {"birth_date_agreement", "nationality_agreement"}, 1),
    ("1970", None, {"birth_date_agreement"}, 1),
    ("1971-01-02", None, set(), 0),  # within birth_year_tolerance: neither
    ("1985-05-01", "ua", {"birth_date_conflict", "nationality_conflict"}, -1),
])
def test_birth_date_and_nationality_count(config: ScreeningConfig, birth: str,
                                          nation: str | None, kinds: set[str], sign: int
                                          ) -> None:
    screener = Screener.build([PERSON], config)
    plain = screener.screen("Ryabtseva Zhanna Anatolevna")[0]
    found = screener.screen("Ryabtseva Zhanna Anatolevna", birth_date=birth,
                            nationality=nation)[0]
    got = {f.kind for f in found.features} & {
        "birth_date_agreement", "birth_date_conflict", "nationality_agreement",
        "nationality_conflict"}
    assert got == kinds
    assert (found.confidence > plain.confidence) - (found.confidence < plain.confidence) \
        == (sign if sign >= 0 or plain.confidence > 0 else 0) or found.confidence == 1.0


def test_a_namesake_with_another_birth_date_is_not_a_match(config: ScreeningConfig) -> None:
    screener = Screener.build([PERSON], config)
    assert screener.screen("Ryabtseva Zhanna Anatolyevna")[0].match
    assert not screener.screen("Ryabtseva Zhanna Anatolyevna", birth_date="1985-05-01",
                               nationality="ua")[0].match


def test_birth_dates_of_companies_are_ignored(config: ScreeningConfig) -> None:
    screener = Screener.build([entity("c", "QUIANA TRADING LIMITED")], config)
    assert screener.screen("Quiana Trading", birth_date="1900")[0].confidence == 1.0


@pytest.mark.parametrize(("text", "iso"), [
    ("1970-05-01", "1970-05-01"), ("1970", "1970"), ("1970-05", "1970-05"),
    ("01.05.1970", "1970-05-01"), ("1/5/1970", "1970-05-01"),
])
def test_parse_birth_date(text: str, iso: str) -> None:
    assert parse_birth_date(text) == iso


@pytest.mark.parametrize("text", ["May 1970", "1970-13-01", "32.01.1970", ""])
def test_parse_birth_date_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_birth_date(text)


@pytest.mark.parametrize(("query", "listed", "agrees"), [
    ("1970-05-01", ("1970-05-01",), True), ("1970", ("1970-05-01",), True),
    ("1971-05-01", ("1970-05-01",), None), ("1990-05-01", ("1970", "1971"), False),
    (None, ("1970",), None), ("1970", (), None),
])
def test_birth_agreement(query: str | None, listed: tuple[str, ...], agrees: bool | None
                         ) -> None:
    assert birth_agreement(query, listed, 1) is agrees


def test_a_weak_alias_is_weaker_evidence(config: ScreeningConfig) -> None:
    """OFAC 'BANCO NACIONAL DE CUBA', weak a.k.a. 'BNC' in its remarks."""
    strong = Screener.build([entity("s", "HAVANA INTERNATIONAL BANK", "BANCO HABANA")], config)
    weak = Screener.build([entity("w", "HAVANA INTERNATIONAL BANK",
                                  weak_aliases=("BANCO HABANA",))], config)
    found = weak.screen("Banco Habana")[0]
    assert found.confidence == pytest.approx(
        strong.screen("Banco Habana")[0].confidence * config.weak_alias_weight, abs=1e-4)
    assert "weak_alias" in {f.kind for f in found.features}


def test_csv_rows_carry_birth_date_and_nationality() -> None:
    from riskengine.screening.infile import read_rows

    lines = ["name,birth_date,nationality\n", "Zhanna Ryabtseva,01.05.1970,ru\n", "KAMAZ,,\n"]
    rows = list(read_rows(lines, "f.csv"))
    assert [(r.birth_date, r.nationality) for r in rows] == [("1970-05-01", "ru"), (None, None)]


def test_a_bad_birth_date_names_file_and_line() -> None:
    from riskengine.errors import InputError
    from riskengine.screening.infile import read_rows

    with pytest.raises(InputError, match=r"f\.csv:3"):
        list(read_rows(["name,birth_date\n", "A B,1970\n", "C D,May 1970\n"], "f.csv"))
