"""Fuzzy screening of a name against indexed entities, with explained confidences.

Names, listed and screened, are analysed with the word tables of the config (``lexicon``):
legal forms removed, translated or abbreviated generic words replaced by one canonical word
(zavod, factory -> plant; nauchno-proizvodstvennoe obedinenie -> npo), particles and titles
(al, bin, de, col, ...) dropped. Scoring of a query
against one indexed name:

* token similarity (``similarity``): rapidfuzz ``fuzz.ratio`` between every query token and
  every name token (one ``process.cdist`` call per query over all candidate tokens); below
  ``token_min_similarity`` a pair counts as 0, and tokens of at most ``exact_token_length``
  letters must be equal; vowel variants (Mohammed, Muhammad) count
  ``vowel_variant_similarity``. Each token is aligned with its best partner, so word order
  does not matter (Ivanov Ivan Ivanovich = Ivan Ivanovich Ivanov).
* token weights: idf over the indexed names, ``** idf_exponent``, times ``generic_weight`` for
  the generic words of the config (trading, group, ...): rare tokens decide, generic ones barely
  count. A query token unknown to the index (a typo) takes the weight of the indexed token it
  resembles, else the highest weight.
* token score = ``query_weight`` x weighted share of the query matched + the rest x weighted
  share of the listed name matched (missing words cost what they weigh). When every word of
  one name has a partner in the other and it has ``subset_min_tokens`` words that are not
  generic, each at least ``subset_min_similarity`` similar (a name typed with words missing
  or added: AWAD Kamal, AWAD Kamal Abdelrahman Aref), that name's share weighs
  ``subset_weight`` instead.
* words left unmatched on both sides get a second look (``rescue``): their folded and
  glued-particle spellings, patronymic stems, and adjacent words written as one (IR-ITAL,
  Irital), for names whose token score reaches ``rescue_min_confidence``.
* compact score, for names with different word counts (split or merged words):
  ``fuzz.ratio`` of the names with spaces removed (also as written, before synonyms:
  PETROGREEN = PETRO GREEN although petro reads as oil), counted from
  ``compact_min_similarity`` up. Confidence = max(token score, compact score).
* short names (at most ``short_name_length`` letters on either side, dropped particles
  counted) must be equal, and two one-word names of at most ``single_token_length`` letters
  must be at least
  ``single_token_min_similarity`` similar (Bayer is not Bajer), else the confidence is capped
  at ``short_name_cap``.
* a known country conflict subtracts ``country_conflict_penalty``; an identifier equal to one
  of the entity's identifiers adds ``identifier_bonus`` (1.0: the identifier decides). For a
  listed person, a query date of birth and nationality agree or conflict (``facts``) and add
  or subtract their bonus or penalty. A name that is one of the list's weak aliases has its
  confidence multiplied by ``weak_alias_weight``.

A query with parenthesised parts (an acronym, an optional word) is also scored without them.
An entity's confidence is that of its best-scoring name; entities of equal confidence are
ranked by how close their best name is to the query as a whole (the unit's own name before
the longer name of its parent or branch). Pure: no I/O.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field
from rapidfuzz import fuzz

from riskengine.domain import Entity
from riskengine.screening.config import ScreeningConfig
from riskengine.screening.facts import (
    Facts,
    birth_agreement,
    country_agreement,
    nationality_agreement,
)
from riskengine.screening.index import BlockIndex, IntArray, Postings
from riskengine.screening.lexicon import Lexicon
from riskengine.screening.normalise import NameForm, analyse, normalise_identifier, skeleton
from riskengine.screening.rescue import rescue
from riskengine.screening.similarity import FloatArray, TokenTable, reading
from riskengine.screening.vector import (
    Best,
    RecordColumns,
    best_over_forms,
    best_per_entity,
    confidences,
)


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Feature(_Out):
    """One reason behind a confidence."""

    kind: str = Field(description="matched_tokens, unmatched_tokens, compact_match, "
                                  "legal_form_ignored, synonym, words_ignored, "
                                  "transliterated, short_name, "
                                  "identifier_match, country_agreement, country_conflict, "
                                  "birth_date_agreement, birth_date_conflict, "
                                  "nationality_agreement, nationality_conflict, weak_alias, "
                                  "kind_conflict")
    detail: str


class SourceRef(_Out):
    source: str
    record_id: str | None = None


class Candidate(_Out):
    """An indexed entity that resembles the query."""

    entity_id: str
    entity_name: str
    matched_name: str = Field(description="the entity's name or alias that scored best")
    confidence: float = Field(ge=0, le=1)
    match: bool = Field(description="confidence >= the configured threshold")
    features: tuple[Feature, ...] = ()
    sources: tuple[SourceRef, ...] = ()


@dataclass(frozen=True)
class _Record:
    entity: int  # index into Screener.entities
    form: NameForm
    tokens: IntArray  # vocabulary ids
    weights: FloatArray
    weak: bool = False  # a weak alias: its confidence is scaled by weak_alias_weight


@dataclass(frozen=True)
class _Flat:
    """The records' tokens laid end to end, for scoring many records at once."""

    tokens: IntArray  # vocabulary ids
    weights: FloatArray
    starts: npt.NDArray[np.int64]  # per record: where its tokens start
    lengths: npt.NDArray[np.int64]  # per record: how many
    specific: npt.NDArray[np.int64]  # per record: words that are not generic

    @classmethod
    def of(cls, records: Sequence[_Record], generic: set[str]) -> _Flat:
        lengths = np.array([len(r.tokens) for r in records], dtype=np.int64)
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
        empty = np.empty(0)
        return cls(np.concatenate([r.tokens for r in records]).astype(np.int32)
                   if records else empty.astype(np.int32),
                   np.concatenate([r.weights for r in records]) if records else empty,
                   starts, lengths,
                   np.array([sum(k not in generic for k in r.form.keys) for r in records],
                            dtype=np.int64))


@dataclass(frozen=True)
class _Scored:
    record: int
    confidence: float
    short_capped: bool = False
    compact: bool = False


@dataclass(frozen=True)
class _Query:
    form: NameForm
    columns: dict[int, int]  # vocabulary id -> column of sims
    sims: FloatArray  # query tokens x candidate vocabulary, 0..1 (0 below the threshold)
    weights: FloatArray  # per query token
    vocab: IntArray  # the candidate vocabulary ids, sorted: column i is vocab[i]
    rescued: dict[int, FloatArray] = field(default_factory=dict)  # record -> its sub-matrix
    # after the rescue, kept for the explanation


@dataclass(frozen=True)
class ScreenerParts:
    """A built index's arrays: blocking postings, each entity's first record (records are
    in entity order; ``first[e]:first[e + 1]``), identifier -> entities, flat tokens, and
    the columns the vectorised scoring reads (``vector.RecordColumns``)."""

    postings: Postings
    first: npt.NDArray[np.int64]
    identifiers: dict[str, set[int]]
    flat: _Flat
    columns: RecordColumns


Record = _Record  # for readers of saved indexes (``riskengine.compiled.screen_index``)
Flat = _Flat

_NO_FACTS = Facts()
_NONE = np.empty(0, dtype=np.int64)
_NO_BEST = Best(_NONE, _NONE, np.empty(0), _NONE.astype(bool), _NONE.astype(bool), _NONE)
_ROUNDING = 1e-4  # confidences are rounded to 4 places: what may round up to the floor
_NEAR = 1e-9  # batched and one-by-one token scores differ by far less (float sums)
_BRACKETS = re.compile(r"\([^()]*\)")


class Screener:
    """Entities indexed for fuzzy screening. Build once, screen many names."""

    def __init__(self, entities: Sequence[Entity], config: ScreeningConfig,
                 records: Sequence[_Record], vocabulary: list[str], weights: FloatArray,
                 parts: ScreenerParts | None = None) -> None:
        """Index ``records``; given ``parts`` (``Screener.parts`` of the same entities and
        config, e.g. read back from a file), nothing is computed over all of them: the
        entities and records may then be lazy sequences."""
        self.entities = entities if parts is not None else tuple(entities)
        self.config = config
        self._records = records
        self._vocabulary = vocabulary
        self._vocab_ids = {t: i for i, t in enumerate(vocabulary)}
        self._vocab_weights = weights
        self._max_weight = float(weights.max()) if len(weights) else 1.0
        self._lexicon = Lexicon.from_config(config)
        self._generic = {skeleton(w) for w in config.generic_words}
        parts = parts or self._parts_of(self.entities, records)
        self._blocks = BlockIndex.restored(parts.postings, len(records), config)
        self._first = parts.first
        self._identifiers = parts.identifiers
        self._flat = parts.flat
        self._columns = parts.columns
        self._table = TokenTable(vocabulary, config)

    def _parts_of(self, entities: Sequence[Entity], records: Sequence[_Record]
                  ) -> ScreenerParts:
        first = np.searchsorted(np.array([r.entity for r in records], dtype=np.int64),
                                np.arange(len(entities) + 1)).astype(np.int64)
        postings = BlockIndex([r.form.blocking for r in records], self.config).postings
        columns = RecordColumns.of([r.entity for r in records], [r.weak for r in records],
                                   [r.form for r in records],
                                   [e.kind == "person" for e in entities])
        return ScreenerParts(postings, first,
                             _identifier_index(entities, self.config.identifier_min_length),
                             _Flat.of(records, self._generic), columns)

    def parts(self) -> ScreenerParts:
        """What the index holds beyond entities, records and vocabulary (to save it)."""
        return ScreenerParts(self._blocks.postings, self._first, self._identifiers,
                             self._flat, self._columns)

    @classmethod
    def build(cls, entities: Sequence[Entity], config: ScreeningConfig | None = None
              ) -> Screener:
        """Index every name and alias of ``entities``."""
        config = config or ScreeningConfig()
        lexicon = Lexicon.from_config(config)
        forms = [(i, f, w) for i, e in enumerate(entities) for f, w in _forms(e, lexicon)]
        vocabulary, weights = _weights([f.keys for _, f, _ in forms], config)
        ids = {t: n for n, t in enumerate(vocabulary)}
        records = []
        for entity, form, weak in forms:
            tok = np.array([ids[t] for t in form.keys], dtype=np.int32)
            records.append(_Record(entity, form, tok, weights[tok], weak))
        return cls(entities, config, records, vocabulary, weights)

    def screen(self, name: str, country: str | None = None, identifier: str | None = None,
               limit: int = 10, birth_date: str | None = None, nationality: str | None = None
               ) -> list[Candidate]:
        """Entities resembling ``name``, best first, at most ``limit`` (see module docstring);
        a person's date of birth and nationality, when given, count for or against."""
        form = analyse(name, self._lexicon)
        by_id = self._identifier_hits(identifier)
        forms = _query_forms(name, form, self._lexicon)
        queries, best = self._best_of(forms, set(by_id))
        facts = Facts(country, birth_date, nationality, company=bool(form.legal_forms))
        scored = self._kept(best, facts, by_id)
        close = {e: self._closeness(forms[f], s.record) for e, (s, f) in scored.items()}
        keep = sorted(scored, key=lambda e: (-scored[e][0].confidence, -close[e],
                                             self.entities[e].id))
        size = max(0, min(limit, self.config.max_limit))
        return [self._candidate(queries[scored[e][1]], scored[e][0], facts, e in by_id)
                for e in keep[:size]]

    def _best_of(self, forms: Sequence[NameForm], extra: set[int]
                 ) -> tuple[list[_Query | None], Best]:
        """The best record per entity over the query's forms (``Best.form``: the form that
        scored it), and each form's query."""
        queries, found = [], []
        for i, form in enumerate(forms):
            query, best = self._best_per_entity(form, extra, i)
            queries.append(query)
            found.append(best)
        return queries, best_over_forms(found)

    # -- scoring ---------------------------------------------------------------------------

    def _best_per_entity(self, form: NameForm, extra: set[int], at: int = 0
                         ) -> tuple[_Query | None, Best]:
        """Every candidate record of ``form`` scored at once (``vector``; the rescue record
        by record), the best per entity kept."""
        records = self._blocks.candidates(form.blocking).tolist() if form.keys else []
        records += [r for e in extra for r in range(self._first[e], self._first[e + 1])]
        unique = np.array(list(dict.fromkeys(records)), dtype=np.int64)
        if not len(unique):
            return None, _NO_BEST
        query = self._query(form, unique)
        token, rescued = self._token_values(query, unique)
        lowest = self.config.rescue_min_confidence + _NEAR
        safe = ((token >= lowest) & (token <= 1.0 - _NEAR)).tolist()
        for i in np.flatnonzero(rescued).tolist():
            token[i] = self._rescued(query, int(unique[i]), safe[i])
        found = confidences(self._columns, form, unique, token, self.config)
        return query, best_per_entity(self._columns, unique, *found, at)

    def _query(self, form: NameForm, records: Sequence[int] | npt.NDArray[np.int64]
               ) -> _Query:
        pos, _offsets = self._positions(np.asarray(records, dtype=np.int64))
        vocab = np.unique(self._flat.tokens[pos]).astype(np.int32)
        sims = self._table.similarities(form.keys, vocab)
        return _Query(form, {v: i for i, v in enumerate(vocab.tolist())}, sims,
                      self._query_weights(form.keys, vocab, sims), vocab)

    def _positions(self, idx: npt.NDArray[np.int64]
                   ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Where the tokens of records ``idx`` are in the flat arrays, laid end to end, and
        where each record's run starts in that."""
        lengths, starts = self._flat.lengths[idx], self._flat.starts[idx]
        offsets = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
        pos = np.repeat(starts - offsets, lengths) + np.arange(int(lengths.sum()))
        return pos, offsets

    def _query_weights(self, tokens: Sequence[str], vocab: IntArray, sims: FloatArray
                       ) -> FloatArray:
        weights = np.full(len(tokens), self._max_weight)
        for i, token in enumerate(tokens):
            known = self._vocab_ids.get(token)
            if known is not None:
                weights[i] = self._vocab_weights[known]
            elif sims.shape[1] and sims[i].max() > 0:
                weights[i] = self._vocab_weights[vocab[int(sims[i].argmax())]]
        return weights

    def _token_scores(self, query: _Query, records: Sequence[int] | npt.NDArray[np.int64]
                      ) -> FloatArray:
        """``_token_score`` of every record at once (numpy over the records' tokens laid end
        to end); NaN where the rescue applies (a word unmatched, score in range): those are
        scored one by one."""
        token, rescued = self._token_values(query, records)
        token[rescued] = np.nan
        return token

    def _token_values(self, query: _Query, records: Sequence[int] | npt.NDArray[np.int64]
                      ) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
        """``_token_scores``, with where the rescue applies apart."""
        flat, cfg = self._flat, self.config
        idx = np.asarray(records, dtype=np.int64)
        pos, offsets = self._positions(idx)
        columns = np.searchsorted(query.vocab, flat.tokens[pos])
        sims = query.sims[:, columns]
        n_best = sims.max(axis=0)
        q_best = np.maximum.reduceat(sims, offsets, axis=1)
        weights = flat.weights[pos]
        n_sum = np.add.reduceat(weights, offsets)
        n_cover = np.add.reduceat(weights * n_best, offsets) / np.where(n_sum > 0, n_sum, 1.0)
        q_cover = (query.weights @ q_best) / float(query.weights.sum() or 1.0)
        n_all = np.minimum.reduceat(n_best > 0, offsets).astype(bool)
        q_all = (q_best > 0).all(axis=0)
        close = cfg.subset_min_similarity
        q_sub = ((q_best >= close).all(axis=0) & ~n_all
                 & (sum(k not in self._generic for k in query.form.keys)
                    >= cfg.subset_min_tokens))
        n_sub = (np.minimum.reduceat(n_best >= close, offsets).astype(bool) & ~q_all
                 & (flat.specific[idx] >= cfg.subset_min_tokens))
        weight = np.where(q_sub, cfg.subset_weight,
                          np.where(n_sub, 1 - cfg.subset_weight, cfg.query_weight))
        token: FloatArray = weight * q_cover + (1 - weight) * n_cover
        rescued = (token < 1.0) & (token >= cfg.rescue_min_confidence) & ~(q_all & n_all)
        return token, rescued

    def _score(self, query: _Query, r: int, token: float | None = None) -> _Scored:
        """The confidence of record ``r`` (``token``: its token score when known, NaN or
        None: computed here, with the rescue): one record at a time, the reference of the
        vectorised ``_best_per_entity``."""
        record = self._records[r]
        cfg = self.config
        if token is None or math.isnan(token):  # the rescue may apply
            token = self._rescued(query, r)
        compact = 0.0
        if len(query.form.keys) != len(record.form.keys):  # words split or merged
            ratio = fuzz.ratio(query.form.compact, record.form.compact) / 100.0
            if query.form.origins or record.form.origins:  # a replaced word glued (Petrogreen)
                ratio = max(ratio, fuzz.ratio(query.form.written, record.form.written) / 100.0)
            compact = ratio if ratio >= cfg.compact_min_similarity else 0.0
        confidence = max(token, compact)
        capped = _short_mismatch(query.form, record.form, cfg)
        if capped:
            confidence = min(confidence, cfg.short_name_cap)
        return _Scored(r, confidence, capped, compact > token)

    def _rescued(self, query: _Query, r: int, safe: bool = False) -> float:
        """The token score of record ``r``, unmatched words given a second look
        (``rescue``) when it is in range (``safe``: known to be, far from its ends)."""
        record, cfg = self._records[r], self.config
        sub = query.sims[:, [query.columns[int(t)] for t in record.tokens]]
        token = 0.0 if safe else self._token_score(query, record, sub)
        if safe or (token < 1.0 and token >= cfg.rescue_min_confidence):
            query.rescued[r] = rescue(sub, query.form, record.form, cfg)
            token = self._token_score(query, record, query.rescued[r])
        return token

    def _token_score(self, query: _Query, record: _Record, sub: FloatArray) -> float:
        """Weighted coverage of both names (see module docstring: subset names)."""
        q_best, n_best = sub.max(axis=1), sub.max(axis=0)
        q_cover = float(query.weights @ q_best) / float(query.weights.sum() or 1.0)
        n_cover = float(record.weights @ n_best) / float(record.weights.sum() or 1.0)
        weight = self.config.query_weight
        if self._subset(q_best, n_best, query.form):
            weight = self.config.subset_weight
        elif self._subset(n_best, q_best, record.form):
            weight = 1 - self.config.subset_weight
        return weight * q_cover + (1 - weight) * n_cover

    def _subset(self, best: FloatArray, other: FloatArray, form: NameForm) -> bool:
        """Every word of ``form`` (best similarities ``best``) agrees closely with the other
        name, which has words left over, and ``form`` has ``subset_min_tokens`` words that
        are not generic."""
        cfg = self.config
        return (bool((best >= cfg.subset_min_similarity).all()) and not other.all()
                and sum(k not in self._generic for k in form.keys) >= cfg.subset_min_tokens)

    def _adjust(self, scored: _Scored, entity: int, facts: Facts, id_hit: bool) -> _Scored:
        """The name's confidence moved by the query's facts (weak alias, country, date of
        birth, nationality, identifier; a query with a legal form is not a person)."""
        confidence = scored.confidence
        if facts.company and self.entities[entity].kind == "person":
            confidence -= self.config.company_person_penalty
        if self._records[scored.record].weak:
            confidence *= self.config.weak_alias_weight
        if facts != _NO_FACTS:
            confidence += sum(self._fact_shift(kind, agrees)
                              for kind, agrees in _agreements(self.entities[entity], facts,
                                                              self.config))
        if id_hit:
            confidence += self.config.identifier_bonus
        clipped = round(min(1.0, max(0.0, confidence)), 4)
        return _Scored(scored.record, clipped, scored.short_capped, scored.compact)

    def _kept(self, best: Best, facts: Facts, by_id: dict[int, str]
              ) -> dict[int, tuple[_Scored, int]]:
        """``_adjust`` of every entity's best record at once; the entities reported
        (``min_confidence`` reached, or an identifier hit) with their scored record and
        query form."""
        cfg, columns = self.config, self._columns
        value = best.confidence
        if facts.company:
            value = np.where(columns.person[best.entity],
                             value - cfg.company_person_penalty, value)
        value = np.where(columns.weak[best.record], value * cfg.weak_alias_weight, value)
        hit = np.isin(best.entity, np.fromiter(by_id, np.int64, len(by_id)))
        if facts != _NO_FACTS:
            value = self._facts_added(value, best.entity, facts, hit)
        value = np.where(hit, value + cfg.identifier_bonus, value)
        floor = cfg.min_confidence - _ROUNDING
        kept: dict[int, tuple[_Scored, int]] = {}
        for i in np.flatnonzero((np.clip(value, 0.0, 1.0) >= floor) | hit).tolist():
            clipped = round(min(1.0, max(0.0, float(value[i]))), 4)
            if clipped >= cfg.min_confidence or hit[i]:
                kept[int(best.entity[i])] = (
                    _Scored(int(best.record[i]), clipped, bool(best.capped[i]),
                            bool(best.compact[i])), int(best.form[i]))
        return kept

    def _facts_added(self, value: FloatArray, entities: npt.NDArray[np.int64], facts: Facts,
                     hit: npt.NDArray[np.bool_]) -> FloatArray:
        """``value`` with the shifts of the query's facts added, for the entities that the
        largest bonus could lift to ``min_confidence`` (the others stay below it)."""
        cfg = self.config
        most = (cfg.country_agreement_bonus + cfg.birth_date_agreement_bonus
                + cfg.nationality_agreement_bonus)
        out = value.copy()
        reach = (value + most >= cfg.min_confidence - _ROUNDING) | hit
        for i in np.flatnonzero(reach).tolist():
            entity = self.entities[int(entities[i])]
            out[i] = out[i] + sum(self._fact_shift(kind, agrees)
                                  for kind, agrees in _agreements(entity, facts, self.config))
        return out

    def _fact_shift(self, kind: str, agrees: bool) -> float:
        cfg = self.config
        bonus, penalty = {
            "country": (cfg.country_agreement_bonus, cfg.country_conflict_penalty),
            "birth_date": (cfg.birth_date_agreement_bonus, cfg.birth_date_conflict_penalty),
            "nationality": (cfg.nationality_agreement_bonus, cfg.nationality_conflict_penalty),
        }[kind]
        return bonus if agrees else -penalty

    def _closeness(self, form: NameForm, record: int) -> float:
        """Whole-name likeness, words in any order: breaks ties of confidence in favour of
        the record whose name is closest (a branch's longer name loses to the unit's own)."""
        return float(fuzz.token_sort_ratio(form.text, self._records[record].form.text))

    def _identifier_hits(self, identifier: str | None) -> dict[int, str]:
        if not identifier:
            return {}
        key = normalise_identifier(identifier)
        if len(key) < self.config.identifier_min_length:
            return {}
        return {e: identifier for e in self._identifiers.get(key, ())}

    # -- explanation -----------------------------------------------------------------------

    def _candidate(self, query: _Query | None, scored: _Scored, facts: Facts, id_hit: bool
                   ) -> Candidate:
        assert query is not None  # the form scored a record
        form, record = query.form, self._records[scored.record]
        entity = self.entities[record.entity]
        features = [*self._token_features(query, scored.record),
                    *_form_features(form, record.form)]
        if scored.compact:
            features.append(Feature(kind="compact_match",
                                    detail=f"{form.compact!r} ~ {record.form.compact!r}"))
        if scored.short_capped:
            features.append(Feature(kind="short_name", detail="short names must match exactly "
                                    "(one short word: nearly); "
                                    f"confidence capped at {self.config.short_name_cap}"))
        if record.weak:
            features.append(Feature(kind="weak_alias", detail="a weak alias of the list: "
                                    f"confidence x {self.config.weak_alias_weight}"))
        features += _context_features(entity, facts, id_hit, self.config)
        return Candidate(
            entity_id=entity.id, entity_name=entity.name, matched_name=record.form.original,
            confidence=scored.confidence, match=scored.confidence >= self.config.threshold,
            features=tuple(features),
            sources=tuple(SourceRef(source=s.source, record_id=s.record_id)
                          for s in entity.sources),
        )

    def _token_features(self, scored: _Query, r: int) -> list[Feature]:
        record = self._records[r]
        query, name = scored.form, record.form
        if not query.tokens or not name.tokens:
            return []
        sims = scored.rescued.get(r)
        if sims is None:
            sub = scored.sims[:, [scored.columns[int(t)] for t in record.tokens]]
            sims = rescue(sub, query, name, self.config)
        pairs = [f"{q}~{name.tokens[int(row.argmax())]} ({row.max():.2f})"
                 for q, row in zip(query.tokens, sims, strict=True) if row.max() > 0]
        missing = [q for q, row in zip(query.tokens, sims, strict=True) if row.max() == 0]
        extra = [n for n, col in zip(name.tokens, sims.T, strict=True) if col.max() == 0]
        features = [Feature(kind="matched_tokens", detail=", ".join(pairs))] if pairs else []
        if missing or extra:
            detail = f"query: {' '.join(missing) or '-'}; listed name: {' '.join(extra) or '-'}"
            features.append(Feature(kind="unmatched_tokens", detail=detail))
        return features


def fallback_match(screener: Screener, query: str) -> Candidate | None:
    """The one confident match for ``query``: the top candidate is a match and the runner-up
    scores at least ``fallback_margin`` below it; None otherwise."""
    found = screener.screen(query, limit=2)
    if not found or not found[0].match:
        return None
    margin = screener.config.fallback_margin
    if len(found) > 1 and found[0].confidence - found[1].confidence < margin:
        return None
    return found[0]


def _query_forms(name: str, form: NameForm, lexicon: Lexicon) -> list[NameForm]:
    """The query, and without its parenthesised parts when it has any (an acronym or an
    optional word: GENERAL DEPARTMENT OF ATOMIC ENERGY (GDAE), (GENERAL) ORGANIZATION ...)."""
    if "(" not in name:
        return [form]
    bare = analyse(_BRACKETS.sub(" ", name), lexicon)
    return [form, bare] if bare.tokens and bare.text != form.text else [form]


def _forms(entity: Entity, lexicon: Lexicon) -> list[tuple[NameForm, bool]]:
    """(form, weak) of each distinct name, strong names first (a weak alias spelled like a
    strong name is not weak)."""
    seen: dict[str, tuple[NameForm, bool]] = {}
    names = [(n, False) for n in entity.all_names()] + [(n, True) for n in entity.weak_aliases]
    for name, weak in names:
        form = analyse(name, lexicon)
        if form.tokens and form.text not in seen:
            seen[form.text] = (form, weak)
    return list(seen.values())


def _weights(names: list[tuple[str, ...]], config: ScreeningConfig
             ) -> tuple[list[str], FloatArray]:
    """Vocabulary and per-token weight: (ln(N / df) + 1) ** exponent, generic words damped."""
    df: dict[str, int] = defaultdict(int)
    for tokens in names:
        for token in set(tokens):
            df[token] += 1
    vocabulary = sorted(df)
    counts = np.array([df[t] for t in vocabulary], dtype=np.float64)
    weights = (np.log(max(len(names), 1) / counts) + 1.0) ** config.idf_exponent
    generic = {skeleton(w) for w in config.generic_words}
    damp = np.array([config.generic_weight if t in generic else 1.0 for t in vocabulary])
    return vocabulary, weights * damp


def _short_mismatch(query: NameForm, name: NameForm, cfg: ScreeningConfig) -> bool:
    """A short name that is not equal, or a short one-word pair that is not nearly equal."""
    if min(query.length, name.length) <= cfg.short_name_length:  # letters, not skeletons,
        return query.letters != name.letters  # must agree (BYD is not BID)
    if query.compact == name.compact:
        return False
    shortest = min(len(query.compact), len(name.compact))
    single = len(query.keys) == 1 and len(name.keys) == 1
    return (single and shortest <= cfg.single_token_length
            and fuzz.ratio(query.compact, name.compact) / 100.0 < cfg.single_token_min_similarity
            and reading(query.compact, cfg.spelling_readings)
            != reading(name.compact, cfg.spelling_readings))  # spelling variants pass


def _identifier_index(entities: Sequence[Entity], min_length: int) -> dict[str, set[int]]:
    index: dict[str, set[int]] = defaultdict(set)
    for i, entity in enumerate(entities):
        for ident in entity.identifiers:
            key = normalise_identifier(ident.value)
            if len(key) >= min_length:
                index[key].add(i)
    return index


def _form_features(query: NameForm, name: NameForm) -> list[Feature]:
    features = []
    for kind, words in (("legal_form_ignored", [*query.legal_forms, *name.legal_forms]),
                        ("synonym", [*query.replaced, *name.replaced]),
                        ("words_ignored", [*query.dropped, *name.dropped])):
        if words:
            features.append(Feature(kind=kind, detail=", ".join(dict.fromkeys(words))))
    for form, side in ((query, "query"), (name, "listed name")):
        if form.transliterated:
            features.append(Feature(kind="transliterated",
                                    detail=f"{side} {form.original!r} -> {form.text!r}"))
    return features


def _agreements(entity: Entity, facts: Facts, cfg: ScreeningConfig
                ) -> list[tuple[str, bool]]:
    """(fact, agrees) for each fact both sides state; birth date and nationality for
    persons only."""
    found = [("country", country_agreement(facts.country, entity.country))]
    if entity.kind == "person":
        found += [("birth_date", birth_agreement(facts.birth_date, entity.birth_dates,
                                                 cfg.birth_year_tolerance)),
                  ("nationality", nationality_agreement(facts.nationality,
                                                        entity.nationalities))]
    return [(kind, agrees) for kind, agrees in found if agrees is not None]


def _listed(entity: Entity, kind: str) -> str:
    """What the list states for fact ``kind``, for explanations."""
    if kind == "country":
        return entity.country or ""
    return ", ".join(entity.birth_dates if kind == "birth_date" else entity.nationalities)


def _context_features(entity: Entity, facts: Facts, id_hit: bool, cfg: ScreeningConfig
                      ) -> list[Feature]:
    features = []
    if id_hit:
        ids = ", ".join(f"{i.scheme} {i.value}" for i in entity.identifiers)
        features.append(Feature(kind="identifier_match", detail=f"identifier among: {ids}"))
    if facts.company and entity.kind == "person":
        features.append(Feature(kind="kind_conflict", detail="the query has a legal form, the "
                                f"listed party is a person: -{cfg.company_person_penalty}"))
    for kind, agrees in _agreements(entity, facts, cfg):
        given = getattr(facts, kind)
        detail = f"both {given}" if agrees else f"query {given}, listed {_listed(entity, kind)}"
        features.append(Feature(kind=f"{kind}_{'agreement' if agrees else 'conflict'}",
                                detail=detail))
    return features
