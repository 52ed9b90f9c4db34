"""The per-record steps of scoring, for all of a query's candidate records at once.

``Screener._score`` scores one record: the larger of its token score and its compact score
(the names with spaces removed, for words split or merged), capped for short names that
differ. Here the same is worked out over arrays of the candidates (``RecordColumns``: what
those steps read of each indexed name, kept as columns so that no name's analysed form is
decoded to score it): one rapidfuzz ``process.cdist`` for the compact scores, numpy for the
rest, a Python step only for the few short one-word pairs. Then the best record of each
entity (``best_per_entity``: highest confidence, the earlier record on ties), over one or
more forms of the query (``best_over_forms``: the earlier form on ties). Tests check every
step against ``Screener._score``. Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from riskengine.screening.config import ScreeningConfig
from riskengine.screening.normalise import NameForm
from riskengine.screening.similarity import FloatArray, reading

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class RecordColumns:
    """Per indexed name (record): its entity, whether it is a weak alias, its number of
    words, letters (``NameForm.length``), ``compact``, ``written`` and ``letters``
    spellings, and whether a synonym replaced one of its words; per entity: a person?"""

    entity: Ints
    weak: Bools
    words: Ints
    length: Ints
    compact: Sequence[str]
    written: Sequence[str]
    letters: Sequence[str]
    origins: Bools
    person: Bools

    @classmethod
    def of(cls, entity: Sequence[int], weak: Sequence[bool], forms: Sequence[NameForm],
           person: Sequence[bool]) -> RecordColumns:
        return cls(np.asarray(entity, dtype=np.int64), np.asarray(weak, dtype=np.bool_),
                   np.array([len(f.keys) for f in forms], dtype=np.int64),
                   np.array([f.length for f in forms], dtype=np.int64),
                   [f.compact for f in forms], [f.written for f in forms],
                   [f.letters for f in forms], np.array([bool(f.origins) for f in forms],
                                                        dtype=np.bool_),
                   np.asarray(person, dtype=np.bool_))

    def compact_length(self, records: Ints) -> Ints:
        return np.array([len(self.compact[r]) for r in records.tolist()], dtype=np.int64)


@dataclass(frozen=True)
class Best:
    """One entry per entity: its best record, that record's confidence, whether the short
    name cap applied and whether the compact score decided; ``form``: which query form."""

    entity: Ints
    record: Ints
    confidence: FloatArray
    capped: Bools
    compact: Bools
    form: Ints

    def taken(self, rows: Ints) -> Best:
        return Best(self.entity[rows], self.record[rows], self.confidence[rows],
                    self.capped[rows], self.compact[rows], self.form[rows])


def confidences(columns: RecordColumns, query: NameForm, records: Ints, token: FloatArray,
                config: ScreeningConfig) -> tuple[FloatArray, Bools, Bools]:
    """(confidence, short name capped, compact decided) of each record given its token
    score (``Screener._score`` over arrays)."""
    compact = compact_scores(columns, query, records, config)
    confidence = np.maximum(token, compact)
    capped = short_mismatch(columns, query, records, config)
    confidence = np.where(capped, np.minimum(confidence, config.short_name_cap), confidence)
    return confidence, capped, compact > token


def compact_scores(columns: RecordColumns, query: NameForm, records: Ints,
                   config: ScreeningConfig) -> FloatArray:
    """The compact score of each record: 0 where the word counts agree or the similarity
    is below ``compact_min_similarity``."""
    out = np.zeros(len(records))
    differ = np.flatnonzero(columns.words[records] != len(query.keys))
    if not len(differ):
        return out
    chosen = records[differ]
    ratio = _ratios(query.compact, [columns.compact[r] for r in chosen.tolist()])
    glued = columns.origins[chosen] | bool(query.origins)
    if glued.any():  # a replaced word glued (Petrogreen): also compared as written
        written = _ratios(query.written, [columns.written[r] for r in chosen[glued].tolist()])
        ratio[glued] = np.maximum(ratio[glued], written)
    out[differ] = np.where(ratio >= config.compact_min_similarity, ratio, 0.0)
    return out


def _ratios(text: str, others: list[str]) -> FloatArray:
    found: FloatArray = process.cdist([text], others, scorer=fuzz.ratio,
                                      dtype=np.float64)[0] / 100.0
    return found


def short_mismatch(columns: RecordColumns, query: NameForm, records: Ints,
                   config: ScreeningConfig) -> Bools:
    """``match._short_mismatch`` of the query with each record."""
    out = np.zeros(len(records), dtype=np.bool_)
    short = np.minimum(query.length, columns.length[records]) <= config.short_name_length
    for i in np.flatnonzero(short).tolist():  # letters, not skeletons, must agree
        out[i] = query.letters != columns.letters[int(records[i])]
    if len(query.keys) != 1:
        return out
    near = ~short & (columns.words[records] == 1)
    near &= np.minimum(len(query.compact), columns.compact_length(records)) \
        <= config.single_token_length
    for i in np.flatnonzero(near).tolist():
        out[i] = _single_mismatch(query.compact, columns.compact[int(records[i])], config)
    return out


def _single_mismatch(a: str, b: str, cfg: ScreeningConfig) -> bool:
    """Two short one-word names that are neither nearly equal nor spelling variants."""
    return (a != b and fuzz.ratio(a, b) / 100.0 < cfg.single_token_min_similarity
            and reading(a, cfg.spelling_readings) != reading(b, cfg.spelling_readings))


def best_per_entity(columns: RecordColumns, records: Ints, confidence: FloatArray,
                    capped: Bools, compact: Bools, form: int = 0) -> Best:
    """The best of each entity's records (``records`` in ranking order; ties: earlier)."""
    entity = columns.entity[records]
    rows = _firsts(entity, confidence, np.arange(len(records)))
    return Best(entity[rows], records[rows], confidence[rows], capped[rows], compact[rows],
                np.full(len(rows), form, dtype=np.int64))


def best_over_forms(found: Sequence[Best]) -> Best:
    """Per entity, the best over the query's forms (ties: the earlier form)."""
    if len(found) == 1:
        return found[0]
    joined = Best(*(np.concatenate([getattr(b, f) for b in found])
                    for f in ("entity", "record", "confidence", "capped", "compact", "form")))
    return joined.taken(_firsts(joined.entity, joined.confidence, joined.form))


def _firsts(group: Ints, value: FloatArray, order: Ints) -> Ints:
    """Per ``group``, the row of the highest ``value``, the lowest ``order`` on ties."""
    rows = np.lexsort((order, -value, group))
    head = np.ones(len(rows), dtype=np.bool_)
    head[1:] = group[rows][1:] != group[rows][:-1]
    found: Ints = rows[head]
    return found
