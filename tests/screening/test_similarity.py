"""Token similarity: rapidfuzz ratio of skeletons, short tokens, vowel variants."""

from __future__ import annotations

import pytest

from riskengine.screening.config import ScreeningConfig
from riskengine.screening.normalise import skeleton
from riskengine.screening.similarity import consonants, token_similarities

CONFIG = ScreeningConfig()


def similarity(a: str, b: str, config: ScreeningConfig = CONFIG) -> float:
    return float(token_similarities([skeleton(a)], [skeleton(b)], config)[0, 0])


@pytest.mark.parametrize(
    ("a", "b"),
    [("mohammed", "muhammad"), ("artyom", "artem"), ("omar", "umar"), ("oleg", "oleh"),
     ("pezhman", "pejman"), ("ghasem", "qasem"), ("hamza", "hamsa"), ("pyotr", "petr"),
     ("igorevich", "ihorovych")],
)
def test_vowel_variants_agree(a: str, b: str) -> None:
    assert similarity(a, b) >= CONFIG.vowel_variant_similarity
    assert consonants(skeleton(a)) == consonants(skeleton(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [("grain", "guarino"),  # lengths too far apart
     ("bayer", "bajer"), ("boeing", "bering"),  # other consonants
     ("ali", "ala")],  # too few consonants; short tokens must be equal
)
def test_other_tokens_are_not_vowel_variants(a: str, b: str) -> None:
    assert similarity(a, b) < CONFIG.vowel_variant_similarity


def test_vowel_variants_can_be_turned_off() -> None:
    off = ScreeningConfig(vowel_variant_similarity=0)
    assert similarity("mohammed", "muhammad", off) == 0.0


def test_matrix_shape_and_empty_sides() -> None:
    assert token_similarities(["kamaz", "pao"], ["kamaz"], CONFIG).tolist() == [[1.0], [0.0]]
    assert token_similarities([], ["kamaz"], CONFIG).shape == (0, 1)
