"""The word tables of rules/screening.yaml applied to folded tokens.

* synonyms: a translation, spelling or expansion of a generic word is replaced by its
  canonical word (``zavod``, ``factory`` -> ``plant``; ``nauchno proizvodstvennoe obedinenie``,
  ``research and production association`` -> ``npo``), longest phrase first. Words are
  compared in their spelling ``skeleton``; a table word ending in ``*`` matches any ending
  (``proizvodstvenn*``: proizvodstvennoe, proizvodstvennaya, ...).
* a token at least ``table_word_min_length`` letters long and ``table_word_min_similarity``
  similar to a word of these tables or of the legal forms is read as that word first, so a
  typo does not hide it (COMPNAY, INUSTRIES).
* particles (al, bin, de, of, ...) and titles (mr, col, sheikh, ...) are dropped, unless the
  name is made of nothing else.
* join prefixes (abd, abdul, ...) are joined to the next kept word, with the particles
  between them: ``abd al rahman`` -> ``abdalrahman``, like ``Abdalrahman``.

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
    dropped: frozenset[str] = frozenset()  # skeletons of particles and titles
    joined: frozenset[str] = frozenset()  # skeletons of join prefixes
    words: tuple[str, ...] = ()  # skeletons of the table words a typo is corrected to
    min_length: int = 0
    min_similarity: float = 1.0
    _fixed: dict[str, str] = field(default_factory=dict, compare=False)  # typo -> word cache

    @classmethod
    def from_config(cls, config: ScreeningConfig) -> Lexicon:
        index: dict[str, list[_Phrase]] = defaultdict(list)
        for canonical, variants in config.synonyms.items():
            for variant in (canonical, *variants):
                phrase = _Phrase(tuple(_word_key(w) for w in variant.split()), canonical)
                index[_lookup_key(phrase.words[0])].append(phrase)
        ordered = {k: tuple(sorted(v, key=lambda p: -len(p.words))) for k, v in index.items()}
        return cls(ordered, frozenset(skeleton(w) for w in (*config.particles, *config.titles)),
                   frozenset(skeleton(w) for w in config.join_prefixes),
                   _table_words(index, config.table_word_min_length),
                   config.table_word_min_length, config.table_word_min_similarity)

    def correct(self, key: str) -> str:
        """``key``, or the table word it is a typo of."""
        if len(key) < self.min_length or not self.words:
            return key
        if key not in self._fixed:
            best = process.extractOne(key, self.words, scorer=fuzz.ratio,
                                      score_cutoff=self.min_similarity * 100)
            self._fixed[key] = best[0] if best else key
        return self._fixed[key]

    def canonical(self, tokens: list[str]) -> tuple[list[str], list[str]]:
        """(tokens with synonyms replaced by their canonical word and typos of table words
        corrected, the words replaced)."""
        keys = [self.correct(skeleton(t)) for t in tokens]
        tokens = [k if k != skeleton(t) else t for t, k in zip(tokens, keys, strict=True)]
        out: list[str] = []
        replaced: list[str] = []
        i = 0
        while i < len(tokens):
            phrase = self._phrase_at(keys, i)
            if phrase is None:
                out.append(tokens[i])
                i += 1
                continue
            if phrase.canonical != tokens[i] or len(phrase.words) > 1:
                replaced.append(" ".join(tokens[i:i + len(phrase.words)]))
            out.append(phrase.canonical)
            i += len(phrase.words)
        return out, replaced

    def _phrase_at(self, keys: list[str], i: int) -> _Phrase | None:
        found = [p for k in (keys[i], "*" + keys[i][:_PREFIX_KEY])
                 for p in self.phrases.get(k, ()) if _matches(p.words, keys, i)]
        return max(found, key=lambda p: len(p.words)) if found else None

    def drop(self, tokens: list[str]) -> tuple[list[str], list[str]]:
        """(tokens without particles and titles, join prefixes joined; the words dropped)."""
        out: list[str] = []
        dropped: list[str] = []
        pending = ""
        for token in tokens:
            key = skeleton(token)
            if key in self.joined or (pending and key in self.dropped):
                pending += token
            elif key in self.dropped:
                dropped.append(token)
            else:
                out.append(pending + token)
                pending = ""
        if pending:
            out.append(pending)
        return (out, dropped) if out else (tokens, [])


def _table_words(index: dict[str, list[_Phrase]], min_length: int) -> tuple[str, ...]:
    words = {w for phrases in index.values() for p in phrases for w in p.words}
    words |= {skeleton(w) for form in LEGAL_FORMS for w in form}
    return tuple(sorted(w for w in words if len(w) >= min_length and not w.endswith("*")))


def _word_key(word: str) -> str:
    return skeleton(word[:-1]) + "*" if word.endswith("*") else skeleton(word)


def _lookup_key(word: str) -> str:
    return "*" + word[:_PREFIX_KEY] if word.endswith("*") else word


def _matches(words: tuple[str, ...], keys: list[str], i: int) -> bool:
    if i + len(words) > len(keys):
        return False
    return all(keys[i + n].startswith(w[:-1]) if w.endswith("*") else keys[i + n] == w
               for n, w in enumerate(words))
