"""The word tables of rules/screening.yaml applied to folded tokens.

* synonyms: a translation, spelling or expansion of a generic word is replaced by its
  canonical word (``zavod``, ``factory`` -> ``plant``; ``nauchno proizvodstvennoe obedinenie``,
  ``research and production association`` -> ``npo``), longest phrase first. Words are
  compared in their spelling ``skeleton``; a table word ending in ``*`` matches any ending
  (``proizvodstvenn*``: proizvodstvennoe, proizvodstvennaya, ...).
* typos: a token at least ``table_word_min_length`` letters long and
  ``table_word_min_similarity`` similar to a word of a synonym phrase matches it
  (INUSTRIES = industries), and ``legal_word`` gives the legal-form word a token is a typo of
  (COMPNAY = company), for ``normalise.strip_legal_forms``.
* particles (al, bin, de, of, ...) and titles (mr, col, sheikh, ...) are dropped, unless the
  name is made of nothing else.

Pure.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from riskengine.screening.config import ScreeningConfig
from riskengine.screening.normalise import LEGAL_FORMS, skeleton

_PREFIX_KEY = 4  # letters of a '*' word used to find its phrases


@dataclass(frozen=True)
class _Phrase:
    words: tuple[str, ...]  # skeletons; a word ending in '*' is a prefix
    canonical: str


@dataclass(frozen=True)
class Lexicon:
    """Compiled word tables; ``Lexicon()`` changes nothing."""

    phrases: dict[str, tuple[_Phrase, ...]] = field(default_factory=dict)
    dropped: frozenset[str] = frozenset()  # particles and titles, folded
    legal_words: tuple[str, ...] = ()  # skeletons of the words of legal forms
    firsts: tuple[str, ...] = ()  # first words of phrases, for typo-tolerant lookup
    min_length: int = 0  # typo tolerance: words at least this long ...
    min_ratio: float = 100.0  # ... at least this similar (rapidfuzz ratio 0-100) ...
    max_gap: int = 0  # ... and at most this many letters longer or shorter agree
    _cache: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)

    @classmethod
    def from_config(cls, config: ScreeningConfig) -> Lexicon:
        index: dict[str, list[_Phrase]] = defaultdict(list)
        for canonical, variants in config.synonyms.items():
            for variant in (canonical, *variants):
                phrase = _Phrase(tuple(_word_key(w) for w in variant.split()), canonical)
                index[_lookup_key(phrase.words[0])].append(phrase)
        ordered = {k: tuple(sorted(v, key=lambda p: -len(p.words))) for k, v in index.items()}
        size = config.table_word_min_length
        legal = {skeleton(w) for form in LEGAL_FORMS for w in form if len(w) >= size}
        firsts = [k for k in ordered if not k.startswith("*") and len(k) >= size]
        return cls(ordered, frozenset(fold_words(config.particles, config.titles)),
                   tuple(sorted(legal)), tuple(firsts), size,
                   config.table_word_min_similarity * 100,
                   config.table_word_max_length_difference)

    def canonical(self, tokens: list[str]) -> tuple[list[str], list[str], list[str]]:
        """(tokens with synonyms replaced by their canonical word, the words replaced, per
        output token the original words joined: '' when it was not replaced)."""
        keys = [skeleton(t) for t in tokens]
        out: list[str] = []
        replaced: list[str] = []
        origins: list[str] = []
        i = 0
        while i < len(tokens):
            phrase = self._phrase_at(keys, i)
            size = len(phrase.words) if phrase else 1
            word = phrase.canonical if phrase else tokens[i]
            changed = size > 1 or word != tokens[i]
            if changed:
                replaced.append(" ".join(tokens[i:i + size]))
            out.append(word)
            origins.append("".join(tokens[i:i + size]) if changed else "")
            i += size
        return out, replaced, origins

    def legal_word(self, key: str) -> str:
        """``key``, or the legal-form word it is a typo of (COMPNAY -> company)."""
        if len(key) < self.min_length or not self.legal_words:
            return key
        if "l:" + key not in self._cache:
            best = process.extractOne(key, self.legal_words, scorer=fuzz.ratio,
                                      score_cutoff=self.min_ratio)
            fixed = best[0] if best and abs(len(best[0]) - len(key)) <= self.max_gap else key
            self._cache["l:" + key] = (fixed,)
        return self._cache["l:" + key][0]

    def _phrase_at(self, keys: list[str], i: int) -> _Phrase | None:
        found = [p for k in self._lookups(keys[i]) for p in self.phrases.get(k, ())
                 if self._matches(p.words, keys, i)]
        return max(found, key=lambda p: len(p.words)) if found else None

    def _lookups(self, key: str) -> tuple[str, ...]:
        """Lookup keys of phrases whose first word may be ``key``: itself, its prefix, and
        the first words it is a typo of."""
        if "f:" + key not in self._cache:
            near = process.extract(key, self.firsts, scorer=fuzz.ratio, limit=None,
                                   score_cutoff=self.min_ratio) \
                if self.firsts and len(key) >= self.min_length else []
            self._cache["f:" + key] = (key, "*" + key[:_PREFIX_KEY],
                                       *(w for w, _, _ in near
                                         if w != key and abs(len(w) - len(key)) <= self.max_gap))
        return self._cache["f:" + key]

    def _matches(self, words: tuple[str, ...], keys: list[str], i: int) -> bool:
        if i + len(words) > len(keys):
            return False
        return all(self._same(w, keys[i + n]) for n, w in enumerate(words))

    def _same(self, word: str, key: str) -> bool:
        if word.endswith("*"):  # a prefix, typos allowed as in whole words
            stem = word[:-1]
            return key.startswith(stem) or (len(stem) >= self.min_length
                                            and fuzz.ratio(key[:len(stem)], stem)
                                            >= self.min_ratio)
        return word == key or (min(len(word), len(key)) >= self.min_length
                               and abs(len(word) - len(key)) <= self.max_gap
                               and fuzz.ratio(word, key) >= self.min_ratio)

    def drop(self, tokens: list[str]) -> tuple[list[str], list[str]]:
        """(tokens without particles and titles, the words dropped)."""
        kept = [t for t in tokens if t not in self.dropped]
        return (kept, [t for t in tokens if t in self.dropped]) if kept else (tokens, [])


def fold_words(*tables: tuple[str, ...]) -> set[str]:
    """The words of ``tables``, case-folded."""
    return {word.casefold() for table in tables for word in table}


def _word_key(word: str) -> str:
    return skeleton(word[:-1]) + "*" if word.endswith("*") else skeleton(word)


def _lookup_key(word: str) -> str:
    return "*" + word[:_PREFIX_KEY] if word.endswith("*") else word
