"""The word tables: synonyms (phrases, prefixes, typos), particles and titles."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from riskengine.screening.config import ScreeningConfig
from riskengine.screening.lexicon import Lexicon
from riskengine.screening.normalise import analyse

CONFIG = ScreeningConfig(
    synonyms={"npo": ("nauchno proizvodstvenn* obedinen*", "research and production association"),
              "plant": ("zavod", "factory"), "bank": ("banco",)},
    particles=("al", "de", "of"), titles=("col",))
LEXICON = Lexicon.from_config(CONFIG)


@pytest.mark.parametrize(
    ("name", "tokens", "replaced"),
    [
        ("NPO Mashinostroyeniya", ("npo", "mashinostroyeniya"), ()),
        ("Nauchno-Proizvodstvennoe Obedinenie Mashinostroyeniya", ("npo", "mashinostroyeniya"),
         ("nauchno proizvodstvennoe obedinenie",)),
        ("Nauchno Proizvodstvennoye Obedineniye Mash", ("npo", "mash"),
         ("nauchno proizvodstvennoye obedineniye",)),  # '*' matches any ending
        ("Research and Production Association Mash", ("npo", "mash"),
         ("research and production association",)),
        ("Research and Producsion Association Mash", ("npo", "mash"),
         ("research and producsion association",)),  # a typo in a table word
        ("Kirovskiy Zavod", ("kirovskiy", "plant"), ("zavod",)),
        ("Kirov Factory", ("kirov", "plant"), ("factory",)),
        ("Banco Central de Venezuela", ("bank", "central", "venezuela"), ("banco",)),
        ("Central Bank of Venezuela", ("central", "bank", "venezuela"), ()),
    ],
)
def test_synonyms_become_their_canonical_word(name: str, tokens: tuple[str, ...],
                                              replaced: tuple[str, ...]) -> None:
    form = analyse(name, LEXICON)
    assert (form.tokens, form.replaced) == (tokens, replaced)


@pytest.mark.parametrize(
    ("name", "tokens", "dropped"),
    [
        ("Abu Bakr Al-Baghdadi", ("abu", "bakr", "baghdadi"), ("al",)),
        ("MAHMOUD, Col. Abdel Hamid", ("mahmoud", "abdel", "hamid"), ("col",)),
        ("Al", ("al",), ()),  # a name of particles only keeps them
        ("GENERAL DEPARTMENT OF ATOMIC ENERGY", ("general", "department", "atomic", "energy"),
         ("of",)),
    ],
)
def test_particles_and_titles_are_dropped(
        name: str, tokens: tuple[str, ...], dropped: tuple[str, ...]) -> None:
    form = analyse(name, LEXICON)
    assert (form.tokens, form.dropped) == (tokens, dropped)


@pytest.mark.parametrize(("name", "forms"), [
    ("KAMAZ JOINT STOCK COMPNAY", ("joint stock compnay",)),
    ("ROMASHKA OBSHCHESTVO S OGRANICHENNOI OTVETSVENNOSTYU",
     ("obshchestvo s ogranichennoi otvetsvennostyu",)),
])
def test_typos_of_legal_forms_are_legal_forms(name: str, forms: tuple[str, ...]) -> None:
    form = analyse(name, LEXICON)
    assert form.legal_forms == forms
    assert len(form.tokens) == 1


@pytest.mark.parametrize("name", ["HILAL AHMAR SOCIETY", "FINYANUS, Yusuf", "Plantain"])
def test_words_near_table_words_stay(name: str) -> None:
    assert analyse(name, LEXICON).tokens == analyse(name).tokens


def test_without_a_lexicon_nothing_changes() -> None:
    form = analyse("Al-Baghdadi Zavod", Lexicon())
    assert (form.tokens, form.replaced, form.dropped) == (("al", "baghdadi", "zavod"), (), ())


def test_a_short_prefix_is_refused() -> None:
    with pytest.raises(ValidationError, match="4 letters"):
        ScreeningConfig(synonyms={"td": ("dom* torgovyi",)})


def test_dropped_particles_still_count_in_the_length_of_a_name() -> None:
    form = analyse("AL-ABSI", LEXICON)
    assert (form.compact, form.length) == ("absi", 6)
