"""Token similarity for screening: rapidfuzz ratio of spelling skeletons, vowel variants.

``token_similarities`` gives a query-tokens x tokens matrix of similarities 0..1: rapidfuzz
``fuzz.ratio`` of the skeletons (one ``process.cdist`` call), 0 below
``token_min_similarity``; tokens of at most ``exact_token_length`` letters must be equal.
Tokens that differ only in their vowels and in consonants that transcriptions confuse (same
``consonants``: Mohammed, Muhammad; Artyom, Artem; Omar, Umar; Oleg, Oleh; Pezhman, Pejman),
with lengths at most ``vowel_variant_max_length_difference`` apart, are at least
``vowel_variant_similarity`` similar: transcriptions of Arabic, Persian, Russian and
Ukrainian names mostly disagree on vowels. The consonant classes are data
(``consonant_readings`` in rules/screening.yaml): one or more tables, one per family of
transcription systems; one agreeing table suffices.
Two tokens written as forms of one given name (``name_variants``: a table of groups, e.g.
Nikolaos, Nikos, Mykola, Mikalai; Vladimir, Uladzimir, Volodymyr) are at least
``name_variant_similarity`` similar: other languages' forms and hypocoristics that no
spelling rule reaches.
``pair_similarity`` applies the same rules to one pair of spellings. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from riskengine.screening.config import CONSONANT_CLASSES, ScreeningConfig
from riskengine.screening.normalise import skeleton

FloatArray = npt.NDArray[np.float64]
Classes = tuple[tuple[str, str], ...]
_VOWELS = re.compile("[aeiou]")
_DOUBLE = re.compile(r"([a-z])\1+")


@lru_cache(maxsize=400_000)
def reading(key: str, pairs: Classes) -> str:
    """The skeleton with the letter groups of ``pairs`` replaced (spelling_readings: sh = ch,
    eo = o, ...), doubled letters single; a group ending in '$' is replaced only at the end
    of the token (Belarusian au$ = ov: Naumau, Naumov)."""
    for old, new in pairs:
        if old.endswith("$"):
            if key.endswith(old[:-1]):
                key = key[:len(key) - len(old) + 1] + new
        else:
            key = key.replace(old, new)
    return _DOUBLE.sub(r"\1", key)


_GROUPS: dict[int, tuple[tuple[tuple[str, ...], ...], dict[str, int]]] = {}


def variant_groups(groups: tuple[tuple[str, ...], ...]) -> dict[str, int]:
    """Skeleton of each name of ``groups`` (name_variants) -> its group's number; a name
    listed in several groups belongs to the first. Kept per table object (hashing the
    table on every call would cost more than the lookup)."""
    known = _GROUPS.get(id(groups))
    if known is not None and known[0] is groups:
        return known[1]
    ids: dict[str, int] = {}
    for number, group in enumerate(groups):
        for name in group:
            ids.setdefault(skeleton(name.casefold()), number)
    if len(_GROUPS) > 64:
        _GROUPS.clear()
    _GROUPS[id(groups)] = (groups, ids)
    return ids


def _group_ids(tokens: Sequence[str], groups: dict[str, int], none: int
               ) -> npt.NDArray[np.int64]:
    return np.array([groups.get(t, none) for t in tokens], dtype=np.int64)


@lru_cache(maxsize=400_000)
def consonants(key: str, classes: Classes = CONSONANT_CLASSES) -> str:
    """The consonants of a skeleton, by class; a leading vowel becomes 'a' (Omar -> amr)."""
    head = "a" if key[:1] in "aeiou" else key[:1]
    key = head + _VOWELS.sub("", key[1:])  # the skeleton has no doubled letters: consonants
    for old, new in classes:  # a vowel kept apart stay apart (Sosval is not Sevile)
        key = key.replace(old, new)
    return key


def pair_similarity(a: str, b: str, config: ScreeningConfig, variants: bool = True) -> float:
    """Similarity 0..1 of two spellings, by the rules of ``token_similarities`` (vowel
    variants only when ``variants``)."""
    if a == b:
        return 1.0
    sim = fuzz.ratio(a, b) / 100.0
    if min(len(a), len(b)) <= config.exact_token_length or sim < config.token_min_similarity:
        sim = 0.0
    if variants and config.vowel_variant_similarity > sim and _variant(a, b, config):
        sim = config.vowel_variant_similarity
    if (variants and config.spelling_variant_similarity > sim
            and min(len(a), len(b)) >= config.spelling_variant_min_length
            and reading(a, config.spelling_readings) == reading(b, config.spelling_readings)):
        sim = config.spelling_variant_similarity
    if variants and config.name_variant_similarity > sim and config.name_variants:
        groups = variant_groups(config.name_variants)
        if groups.get(a, -1) == groups.get(b, -2):
            sim = config.name_variant_similarity
    return sim


def _variant(a: str, b: str, config: ScreeningConfig) -> bool:
    most = config.vowel_variant_max_length_difference  # as written or as read (dzh is one
    if abs(len(a) - len(b)) > most and abs(  # letter: Jayhoon, Dzheykhun)
            _read_length(a, config) - _read_length(b, config)) > most:
        return False
    if min(len(consonants(a, ())), len(consonants(b, ()))) < config.vowel_variant_min_consonants:
        return False  # counted before the classes merge letters (Zahir: z h r, not j r)
    return any(consonants(a, c) == consonants(b, c) for c in config.consonant_readings)


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
    if config.spelling_variant_similarity > 0 and config.spelling_readings:
        same = _same_readings(query, tokens, config)
        sims[same] = np.maximum(sims[same], config.spelling_variant_similarity)
    if config.name_variant_similarity > 0 and config.name_variants:
        groups = variant_groups(config.name_variants)
        same = np.equal.outer(_group_ids(query, groups, -1), _group_ids(tokens, groups, -2))
        sims[same] = np.maximum(sims[same], config.name_variant_similarity)
    return sims


def _same_readings(query: Sequence[str], tokens: Sequence[str], config: ScreeningConfig
                   ) -> npt.NDArray[np.bool_]:
    """Pairs equal under ``spelling_readings``, both at least ``spelling_variant_min_length``
    letters long."""
    ids: dict[str, int] = {}
    size, pairs = config.spelling_variant_min_length, config.spelling_readings
    q = np.array([ids.setdefault(reading(t, pairs), len(ids)) if len(t) >= size else -1
                  for t in query])
    t = np.array([ids.setdefault(reading(x, pairs), len(ids)) if len(x) >= size else -2
                  for x in tokens])
    same: npt.NDArray[np.bool_] = np.equal.outer(q, t)
    return same


def _read_length(token: str, config: ScreeningConfig) -> int:
    return len(reading(token, config.spelling_readings))


def _vowel_variants(query: Sequence[str], tokens: Sequence[str], config: ScreeningConfig
                    ) -> npt.NDArray[np.bool_]:
    gap = np.minimum(
        np.abs(np.subtract.outer([len(x) for x in query], [len(x) for x in tokens])),
        np.abs(np.subtract.outer([_read_length(x, config) for x in query],
                                 [_read_length(x, config) for x in tokens])))
    same = np.zeros(gap.shape, dtype=np.bool_)
    for classes in config.consonant_readings:
        same |= _same_consonants(query, tokens, classes, config.vowel_variant_min_consonants)
    close: npt.NDArray[np.bool_] = same & (gap <= config.vowel_variant_max_length_difference)
    return close


def _same_consonants(query: Sequence[str], tokens: Sequence[str], classes: Classes,
                     minimum: int) -> npt.NDArray[np.bool_]:
    ids: dict[str, int] = {}
    q = np.array([_id(t, classes, minimum, ids, -1) for t in query])
    t = np.array([_id(x, classes, minimum, ids, -2) for x in tokens])
    same: npt.NDArray[np.bool_] = np.equal.outer(q, t)
    return same


def _id(token: str, classes: Classes, minimum: int, ids: dict[str, int], none: int) -> int:
    """An id of the token's consonant signature; ``none`` when it has fewer than ``minimum``
    consonants (counted before the classes merge letters)."""
    if len(consonants(token, ())) < minimum:
        return none
    key = consonants(token, classes)
    return ids.setdefault(key, len(ids))


class TokenTable:
    """``token_similarities`` against a fixed vocabulary, its per-token facts (length,
    consonant signatures, spelling readings) worked out once: a query then costs one
    ``process.cdist`` and a few array comparisons over the columns it asks for."""

    def __init__(self, vocabulary: Sequence[str], config: ScreeningConfig) -> None:
        self.config = config
        self.vocabulary = vocabulary
        self.lengths = np.fromiter((len(t) for t in vocabulary), np.int64, len(vocabulary))
        self._read_lengths = np.fromiter((_read_length(t, config) for t in vocabulary),
                                         np.int64, len(vocabulary))
        self._groups = variant_groups(config.name_variants)
        self._group_ids = _group_ids(vocabulary, self._groups, -2)
        minimum = config.vowel_variant_min_consonants
        self._signatures: list[dict[str, int]] = [{} for _ in config.consonant_readings]
        self._signature_ids = [
            np.array([_id(t, c, minimum, ids, -2) for t in vocabulary], dtype=np.int64)
            for c, ids in zip(config.consonant_readings, self._signatures, strict=True)]
        self._readings: dict[str, int] = {}
        size, pairs = config.spelling_variant_min_length, config.spelling_readings
        self._reading_ids = np.array(
            [self._readings.setdefault(reading(t, pairs), len(self._readings))
             if len(t) >= size else -2 for t in vocabulary], dtype=np.int64)

    def similarities(self, query: Sequence[str], columns: npt.NDArray[np.int32]
                     ) -> FloatArray:
        """``token_similarities(query, [vocabulary[c] for c in columns], config)``."""
        cfg = self.config
        if not query or not len(columns):
            return np.zeros((len(query), len(columns)))
        tokens = [self.vocabulary[c] for c in columns.tolist()]
        sims: FloatArray = process.cdist(query, tokens, scorer=fuzz.ratio,
                                         dtype=np.float64) / 100.0
        q_len = np.array([len(t) for t in query], dtype=np.int64)
        t_len = self.lengths[columns]
        short = (q_len <= cfg.exact_token_length)[:, None] | (t_len <= cfg.exact_token_length)
        sims[short & (sims < 1.0)] = 0.0
        sims[sims < cfg.token_min_similarity] = 0.0
        if cfg.vowel_variant_similarity > 0:
            variant = self._vowel_variants(query, columns, q_len, t_len)
            sims[variant] = np.maximum(sims[variant], cfg.vowel_variant_similarity)
        if cfg.spelling_variant_similarity > 0 and cfg.spelling_readings:
            size, pairs = cfg.spelling_variant_min_length, cfg.spelling_readings
            q = np.array([self._readings.get(reading(t, pairs), -3) if len(t) >= size else -1
                          for t in query], dtype=np.int64)
            same = np.equal.outer(q, self._reading_ids[columns])
            sims[same] = np.maximum(sims[same], cfg.spelling_variant_similarity)
        if cfg.name_variant_similarity > 0 and self._groups:
            same = np.equal.outer(_group_ids(query, self._groups, -1), self._group_ids[columns])
            sims[same] = np.maximum(sims[same], cfg.name_variant_similarity)
        return sims

    def _vowel_variants(self, query: Sequence[str], columns: npt.NDArray[np.int32],
                        q_len: npt.NDArray[np.int64], t_len: npt.NDArray[np.int64]
                        ) -> npt.NDArray[np.bool_]:
        cfg = self.config
        same = np.zeros((len(query), len(columns)), dtype=np.bool_)
        for classes, ids, table in zip(cfg.consonant_readings, self._signatures,
                                       self._signature_ids, strict=True):
            q = np.array([_known(t, classes, cfg.vowel_variant_min_consonants, ids)
                          for t in query], dtype=np.int64)
            same |= np.equal.outer(q, table[columns])
        q_read = np.array([_read_length(t, cfg) for t in query], dtype=np.int64)
        gap = np.minimum(np.abs(np.subtract.outer(q_len, t_len)),
                         np.abs(np.subtract.outer(q_read, self._read_lengths[columns])))
        close: npt.NDArray[np.bool_] = same & (gap <= cfg.vowel_variant_max_length_difference)
        return close


def _known(token: str, classes: Classes, minimum: int, ids: dict[str, int]) -> int:
    """The id ``_id`` gave the token's signature in the vocabulary; -1 when it has too
    few consonants, -3 when no vocabulary token has its signature."""
    if len(consonants(token, ())) < minimum:
        return -1
    return ids.get(consonants(token, classes), -3)
