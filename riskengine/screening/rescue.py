"""Second look at the words two names leave unmatched: other spellings, joined words.

The token matrix (``similarity``) compares spelling skeletons one word with one word. For a
word left without partner on both sides, ``rescue`` also tries:

* its other spellings (``spellings``): the folded word itself (a typo the skeleton
  exaggerates: Viktoovna ~ Viktorovna, PPOV ~ POPOV), the word a synonym replaced (SAMAN,
  read as sazman = organization, ~ SMAN; GRUPO ~ GUPO), the word glued to the particles dropped
  before it (Abu Bakr -> abubakr ~ Abubakar) or after it (Abd al-Munim -> abdal ~ Abdel),
  the stem of a patronymic (``patronymic_suffixes``: Mkrtichovich -> mkrtich), and the stem
  of an adjective made from a place name (``adjective_suffixes``: Uralskii -> ural,
  Yaroslavskiy ~ Yaroslavl);
* two adjacent words written as one (``join_min_similarity``): IR-ITAL ~ Irital, Abu Bakr
  ~ Abubakar, on either side; a word a synonym replaced joins as written (PETRO CHINA ~
  PETROCHINA, although petro reads as oil).

A pair that agrees gets its similarity in the matrix, so it counts like any matched word.
Pure.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz

from riskengine.screening.config import ScreeningConfig
from riskengine.screening.normalise import NameForm
from riskengine.screening.similarity import FloatArray, pair_similarity


@lru_cache(maxsize=200_000)
def patronymic_stem(key: str, suffixes: tuple[str, ...], min_stem: int) -> str:
    """``key`` without its longest patronymic ending, or '' when it has none."""
    for suffix in sorted(suffixes, key=len, reverse=True):
        if key.endswith(suffix) and len(key) - len(suffix) >= min_stem:
            return key[:-len(suffix)]
    return ""


def spellings(form: NameForm, i: int, config: ScreeningConfig) -> tuple[str, ...]:
    """The ways word ``i`` of ``form`` may be written: skeleton first (see module docs)."""
    key = form.keys[i]
    glued = form.glued[i] if form.glued else ""
    origin = form.origins[i] if form.origins else ""
    stem = patronymic_stem(key, config.patronymic_suffixes, config.patronymic_min_stem)
    place = patronymic_stem(key, config.adjective_suffixes, config.patronymic_min_stem)
    after = _glued_after(form, i)
    return tuple(dict.fromkeys(s for s in (key, form.tokens[i], glued, stem, origin, place,
                                           after) if s))


def _glued_after(form: NameForm, i: int) -> str:
    """Word ``i`` written with the particles dropped after it (Abd al-Munim -> abdal, ~ Abdel
    Moneim), '' when none were."""
    if not form.glued or i + 1 >= len(form.keys):
        return ""
    nxt, key = form.glued[i + 1], form.keys[i + 1]
    if len(nxt) <= len(key) or not nxt.endswith(key):
        return ""
    return form.keys[i] + nxt[:-len(key)]


def rescue(sub: FloatArray, query: NameForm, name: NameForm, config: ScreeningConfig
           ) -> FloatArray:
    """``sub`` (query words x name words) with unmatched pairs given their best
    alternative similarity (see module docstring)."""
    rows = [int(i) for i in np.flatnonzero(sub.max(axis=1) == 0)]
    cols = [int(j) for j in np.flatnonzero(sub.max(axis=0) == 0)]
    if not rows and not cols:
        return sub
    out = sub.copy()
    across = [spellings(name, j, config) for j in cols]
    for i in rows:
        down = spellings(query, i, config)
        for j, other in zip(cols, across, strict=True):
            out[i, j] = _best(down, other, config)
    if config.join_min_similarity < 1:
        _joins(out, query, name, set(rows), set(cols), config)
    return out


def _best(a: tuple[str, ...], b: tuple[str, ...], config: ScreeningConfig) -> float:
    """Best similarity of two words' spellings; vowel variants only between the skeletons
    (stems and glued forms are looser already: Agro is not Igor-evich)."""
    best = pair_similarity(a[0], b[0], config)
    if len(a) == 1 and len(b) == 1:
        return best
    short, least = config.exact_token_length, config.token_min_similarity
    for x in a:  # pair_similarity(x, y, config, False) inline: this runs for every pair
        for y in b:
            if x == y:
                return 1.0
            if len(x) > short and len(y) > short:
                sim = fuzz.ratio(x, y) / 100.0
                best = sim if sim >= least and sim > best else best
    return best


def _joins(out: FloatArray, query: NameForm, name: NameForm, rows: set[int], cols: set[int],
           config: ScreeningConfig) -> None:
    """Two adjacent words of one side, one of them unmatched, against one word of the other,
    both ways."""
    _join_pairs(out, _written(query), name.keys, rows, config)
    _join_pairs(out.T, _written(name), query.keys, cols, config)


def _written(form: NameForm) -> tuple[str, ...]:
    """The keys, a word a synonym replaced as it was written (PETRO CHINA joined is
    petrochina, not oilchina)."""
    if not form.origins:
        return form.keys
    return tuple(o or k for o, k in zip(form.origins, form.keys, strict=True))


def _join_pairs(out: FloatArray, pairs: tuple[str, ...], singles: tuple[str, ...],
                unmatched: set[int], config: ScreeningConfig) -> None:
    """``out`` (pairs side x singles side) raised where words ``i``, ``i + 1`` written as one
    agree with word ``j`` better than ``j`` agrees with anything already (Anatolevich PPOV is
    not Anatolevich)."""
    for i in range(len(pairs) - 1):
        if not {i, i + 1} & unmatched:
            continue
        for j, single in enumerate(singles):
            sim = fuzz.ratio(pairs[i] + pairs[i + 1], single) / 100.0
            if sim >= config.join_min_similarity and sim > out[:, j].max():
                out[i:i + 2, j] = sim
