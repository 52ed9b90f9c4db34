"""Second look at unmatched words (riskengine.screening.rescue), subset names, consonant
readings and consonant blocking keys: each behaviour matches with the bundled
rules/screening.yaml and stops matching when its setting is turned off."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from ruamel.yaml import YAML

from riskengine.domain import Entity
from riskengine.screening.config import CONSONANT_CLASSES, ScreeningConfig
from riskengine.screening.index import BlockIndex, key_groups
from riskengine.screening.lexicon import Lexicon
from riskengine.screening.match import Screener
from riskengine.screening.normalise import analyse, glue
from riskengine.screening.rescue import patronymic_stem, rescue
from riskengine.screening.similarity import consonants, pair_similarity, token_similarities

RULES = Path(__file__).resolve().parents[2] / "rules"
BUNDLED = ScreeningConfig.model_validate(
    YAML(typ="safe").load((RULES / "screening.yaml").read_text("utf-8")))
FILLER = [Entity(id=f"f:{i}", name=name) for i, name in enumerate(
    ("Zenith Polymer Works", "Orion Marine Cargo", "Kestrel Aviation Parts", "Vega Foods"))]


def person(eid: str, name: str) -> Entity:
    return Entity(id=eid, name=name, kind="person")


def confidence(listed: Entity, query: str, **changes: Any) -> float:
    config = BUNDLED.model_copy(update=changes)
    found = {c.entity_id: c for c in Screener.build([listed, *FILLER], config).screen(query)}
    return found[listed.id].confidence if listed.id in found else 0.0


@pytest.mark.parametrize(
    ("listed", "query", "off"),
    [
        # two words written as one, inside a longer name
        (Entity(id="c:1", name="IRITAL SHIPPING TEHRAN"), "IR ITAL SHIPPING AND TRADING OF TEHRAN",
         {"join_min_similarity": 1.0, "subset_weight": 0.5}),
        # a particle glued to the next word
        (person("p:1", "ABUBAKAR SHEKAU, Mohammed"), "Abu Bakar SHEKAU Mohammed",
         {"rescue_min_confidence": 1.0}),
        # a typo that the spelling skeleton exaggerates (oo -> u)
        (person("p:2", "POTANINA, Ekaterina Viktorovna"), "POTANINA, Ekaterina Viktoovna",
         {"rescue_min_confidence": 1.0}),
        # a patronymic against the father's name
        (person("p:3", "AVAKIAN, Arsen Mkrtichovich"), "Arsen Mkrtich AVAKIAN",
         {"patronymic_suffixes": ()}),
        # a name typed with words missing
        (person("p:4", "AWAD, Kamal Abdelrahman Aref Salih"), "AWAD, Kamal",
         {"subset_weight": 0.5}),
    ],
)
def test_behaviour_matches_and_stops_when_turned_off(listed: Entity, query: str,
                                                     off: dict[str, Any]) -> None:
    assert confidence(listed, query) >= BUNDLED.threshold
    assert confidence(listed, query, **off) < BUNDLED.threshold


@pytest.mark.parametrize(
    ("listed", "query"),
    [
        (person("p:5", "Igor Viktorovich MATRUS"), "Accra Motors OOO"),  # no loose readings
        (person("p:6", "Denis Igorevich KUZMIN"), "Agro Denis"),  # stems are not variants
        (Entity(id="c:2", name="UNIQUE STARS MOBILE PHONES"), "Unique Trading"),  # generic
        (Entity(id="c:3", name="VIAN STEEL COMPLEX"), "Vian Steel Melting And Casting Company"),
    ],
)
def test_looser_readings_do_not_make_matches(listed: Entity, query: str) -> None:
    assert confidence(listed, query) < BUNDLED.threshold


@pytest.mark.parametrize(
    ("key", "stem"),
    [("mkrtichovich", "mkrtich"), ("aleksandrovna", "aleksandr"), ("ivanovich", "ivan"),
     ("aliaksandrauna", "aliaksandr"), ("ismailogli", "ismail"),
     ("ovich", ""), ("petrov", ""), ("bovich", "")],
)
def test_patronymic_stems(key: str, stem: str) -> None:
    assert patronymic_stem(key, BUNDLED.patronymic_suffixes, BUNDLED.patronymic_min_stem) == stem


@pytest.mark.parametrize(
    ("tokens", "dropped", "glued"),
    [(["abu", "bakr", "baghdadi"], {"abu"}, ("abubakr", "")),
     (["al", "abu", "bakr", "y"], {"al", "abu"}, ("alabubakr", "")),
     (["ivan", "de", "la", "cruz"], {"de", "la"}, ("", "delacruz")),
     (["ivan"], set(), ("",))],
)
def test_glue_joins_dropped_words_to_the_next_word(tokens: list[str], dropped: set[str],
                                                   glued: tuple[str, ...]) -> None:
    assert glue(tokens, dropped) == glued


def test_analysis_records_glued_particles() -> None:
    form = analyse("Abu Bakr AL-BAGHDADI", Lexicon.from_config(BUNDLED))
    assert form.keys in (("bakr", "bagdadi"), ("bakr", "baghdadi"))
    assert form.glued[0] == "abubakr" and form.glued[1].startswith("al")


def test_two_joined_pairs_do_not_agree_on_a_matched_word() -> None:
    lexicon = Lexicon.from_config(BUNDLED)
    query, name = (analyse(n, lexicon) for n in ("Pavel Anatolevich PPOV", "Pavel Anatolevich"
                                                 " TUROV"))
    sims = token_similarities(query.keys, list(name.keys), BUNDLED)
    out = rescue(sims, query, name, BUNDLED)
    assert out[2].max() == 0.0 and np.array_equal(out[:2], sims[:2])


@pytest.mark.parametrize(
    ("a", "b", "readings", "variant"),
    [("radzivon", "radivon", (CONSONANT_CLASSES,), True),  # Belarusian dz = d
     ("gukmin", "kukmin", (CONSONANT_CLASSES,), False),
     ("gukmin", "kukmin", (CONSONANT_CLASSES, (("g", "k"),)), True)],  # a table as data
)
def test_consonant_readings_are_data(a: str, b: str, readings: Any, variant: bool) -> None:
    config = ScreeningConfig(consonant_readings=readings, token_min_similarity=0.95)
    assert bool(pair_similarity(a, b, config) >= config.vowel_variant_similarity) is variant
    matrix = token_similarities([a], [b], config)
    assert bool(matrix[0, 0] >= config.vowel_variant_similarity) is variant


def test_consonant_blocking_keys_find_vowel_variants() -> None:
    keys = next(key_groups(["pugachiov"], 4, CONSONANT_CLASSES))[1]
    assert "v:" + consonants("pugachiov") in keys
    names = [("pugachiov",)]
    on = BlockIndex(names, ScreeningConfig())
    off = BlockIndex(names, ScreeningConfig(consonant_blocking=False))
    assert on.candidates(["puhachov"]).tolist() == [0]
    assert off.candidates(["puhachov"]).tolist() == []


@pytest.mark.parametrize(("share", "first"), [(0.5, "ansaralah"), (0.0, "bbbbulah")])
def test_blocking_ranks_names_sharing_more_fuzzy_keys_first(share: float, first: str) -> None:
    # suffix 'ulah' only; a first word 'zz' so that no whole-name key is shared either
    names = [("zz", f"{c * 4}ulah") for c in "bcdefgh"] + [("zz", "ansaralah")]
    index = BlockIndex(names, ScreeningConfig(block_key_share=share, max_candidates=1,
                                              consonant_blocking=False))
    assert names[index.candidates(["ansarulah"])[0]] == ("zz", first)
