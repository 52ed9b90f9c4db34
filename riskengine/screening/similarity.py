"""Token similarity for screening: rapidfuzz ratio of spelling skeletons, vowel variants.

``token_similarities`` gives a query-tokens x tokens matrix of similarities 0..1: rapidfuzz
``fuzz.ratio`` of the skeletons (one ``process.cdist`` call), 0 below
``token_min_similarity``; tokens of at most ``exact_token_length`` letters must be equal.
Tokens that differ only in their vowels and in consonants that transcriptions confuse (same
``consonants``: Mohammed, Muhammad; Artyom, Artem; Omar, Umar; Oleg, Oleh; Pezhman, Pejman),
with lengths at most ``vowel_variant_max_length_difference`` apart, are at least
``vowel_variant_similarity`` similar: transcriptions of Arabic, Persian, Russian and
Ukrainian names mostly disagree on vowels. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from riskengine.screening.config import ScreeningConfig

FloatArray = npt.NDArray[np.float64]
_VOWELS = re.compile("[aeiou]")
_DOUBLE = re.compile(r"([a-z])\1+")
# Consonants written differently by transcription systems: zh/dzh/dj = j (Pezhman, Pejman),
# ch = j (Korean Chong, Jong), gh = q = c = k (Persian Ghasem, Qasem), g = h (Ukrainian and
# Belarusian Oleh, Halina), z = s (Hamza, Hamsa).
_CLASSES = (("dzh", "j"), ("zh", "j"), ("dj", "j"), ("ch", "j"), ("gh", "k"), ("g", "h"),
            ("q", "k"), ("c", "k"), ("z", "s"))


@lru_cache(maxsize=200_000)
def consonants(key: str) -> str:
    """The consonants of a skeleton, by class; a leading vowel becomes 'a' (Omar -> amr)."""
    head = "a" if key[:1] in "aeiou" else key[:1]
    key = head + _VOWELS.sub("", key[1:])
    for old, new in _CLASSES:
        key = key.replace(old, new)
    return _DOUBLE.sub(r"\1", key)


def token_similarities(query: Sequence[str], tokens: Sequence[str], config: ScreeningConfig
                       ) -> FloatArray:
    """Similarity 0..1 of each query token (rows) with each token (columns); see the module
    docstring."""
    if not query or not tokens:
        return np.zeros((len(query), len(tokens)))
    sims: FloatArray = process.cdist(query, tokens, scorer=fuzz.ratio, dtype=np.float64) / 100.0
    short_q = np.array([len(t) <= config.exact_token_length for t in query])
    short_t = np.array([len(t) <= config.exact_token_length for t in tokens])
    short = short_q[:, None] | short_t[None, :]
    sims[short & (sims < 1.0)] = 0.0
    sims[sims < config.token_min_similarity] = 0.0
    if config.vowel_variant_similarity > 0:
        variant = _vowel_variants(query, tokens, config)
        sims[variant] = np.maximum(sims[variant], config.vowel_variant_similarity)
    return sims


def _vowel_variants(query: Sequence[str], tokens: Sequence[str], config: ScreeningConfig
                    ) -> npt.NDArray[np.bool_]:
    ids: dict[str, int] = {}
    minimum = config.vowel_variant_min_consonants
    q = np.array([_id(consonants(t), minimum, ids, -1) for t in query])
    t = np.array([_id(consonants(t), minimum, ids, -2) for t in tokens])
    gap = np.abs(np.subtract.outer([len(x) for x in query], [len(x) for x in tokens]))
    same: npt.NDArray[np.bool_] = np.equal.outer(q, t) & (
        gap <= config.vowel_variant_max_length_difference)
    return same


def _id(key: str, minimum: int, ids: dict[str, int], none: int) -> int:
    return ids.setdefault(key, len(ids)) if len(key) >= minimum else none
