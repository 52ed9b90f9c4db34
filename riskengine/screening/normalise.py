"""Name analysis for screening: transliteration, folding, legal forms, tokens.

``analyse("ПАО КАМАЗ")`` gives tokens ``("kamaz",)`` with legal form ``"pao"`` removed and
``transliterated=True``. Text is NFKC-normalised, transliterated to ASCII (anyascii: КАМАЗ ->
KAMAZ, Chinese characters -> pinyin syllables), case-folded, and punctuation becomes space
(``fold``; unlike ``riskengine.names.normalise``, apostrophes are deleted: Ol'ga = Olga).
Tokens are compared in their spelling ``skeleton`` (Alexander = Aleksandr). Legal forms, in
any of the languages in ``LEGAL_FORMS`` and wherever they stand in the name, are removed
before comparison so they neither create nor block a match; a name made of legal forms
only keeps them. Legal forms are recognised in their skeletons (otvetstvennostyu =
otvetstvennostiu). Given a ``Lexicon`` (the word tables of rules/screening.yaml, see
``lexicon``), synonyms are replaced before legal forms are removed, typos of legal-form
words count as those words, and particles and titles are dropped after.
Pure.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from anyascii import anyascii

if TYPE_CHECKING:
    from riskengine.screening.lexicon import Lexicon

# Written in Latin letters after folding; Cyrillic forms (ООО, АО, ПАО, ТОО, ...) fold to these.
_SINGLE = (
    "pjsc ojsc cjsc jsc pao oao zao ao ooo tov too llc llp plc lp ltd limited co corp "
    "corporation inc incorporated company gmbh ag sa spa sarl sas srl sl bv nv kg ohg oy ab "
    "pte pvt bhd tbk fze fzco fzc fzllc dmcc ooo kft zrt sro doo dd ad ead eood "
    "aktsionernoe obshchestvo ogranichennoy ogranichennoi otvetstvennostyu otvetstvennostiu "
    "otvestvennostyu obschestvo obshestvo sal limitada lda ltda sprl sirketi eood ood sae "
    "as asa sti tas kk pt anonim fllc iooo inostrannoe inostrannoye"
)
_PHRASES = (
    "public joint stock company", "open joint stock company", "closed joint stock company",
    "joint stock company", "publicly traded company", "public company limited",
    "limited liability company", "limited liability partnership", "private limited company",
    "private limited", "company limited", "co ltd", "pvt ltd", "pte ltd", "sdn bhd",
    "publichnoe aktsionernoe obshchestvo", "otkrytoe aktsionernoe obshchestvo",
    "zakrytoe aktsionernoe obshchestvo", "nepublichnoe aktsionernoe obshchestvo",
    "obshchestvo s ogranichennoy otvetstvennostyu",
    "obshchestvo s ogranichennoi otvetstvennostiu",
    "tovarystvo z obmezhenoyu vidpovidalnistyu", "free zone establishment",
    "free zone company", "free zone", "limited liability", "societe anonyme", "sociedad anonima",
    "sociedade anonima", "societa per azioni", "aktiengesellschaft",
    "gesellschaft mit beschrankter haftung", "s a", "s p a", "b v", "n v", "l l c", "s a r l",
    "s r l", "sp z o o", "a o", "o o o", "p j s c", "j s c", "anonim sirketi",
    "limited sirketi", "anonymi etaireia", "sociedad civil", "s c", "s a de c v", "sa de cv",
    "de c v", "s de r l de c v", "s de r l", "sociedad anonima de capital variable",
    "sociedad de responsabilidad limitada", "s p r de r i", "sociedad de produccion rural",
    "de responsabilidad ilimitada", "de responsabilidad limitada", "de capital variable",
    "private joint stock", "public joint stock", "open joint stock", "closed joint stock",
    "limited liability co", "joint stock co", "public joint stock co", "ltd sti", "sp z oo",
    "sa de cv", "s de rl de cv", "s de rl", "foreign limited liability company",
    # Iranian joint-stock companies: sahami khass (private), sahami aam (public)
    "sahami khass", "sahami khas", "sahami aam", "sahami am",
)
LEGAL_FORMS: frozenset[tuple[str, ...]] = frozenset(
    [tuple(p.split()) for p in _PHRASES] + [(w,) for w in _SINGLE.split()]
)
_LONGEST = max(len(p) for p in LEGAL_FORMS)
# Chinese forms are removed before transliteration (anyascii joins the syllables of a run).
CJK_FORMS = ("股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "集团", "公司")
_CJK = re.compile("|".join(CJK_FORMS))
# Apostrophes are deleted, not split on: Ol'ga (Ольга, soft sign) = Olga, JAMA`AT = JAMA'AT.
_APOSTROPHES = re.compile("['`\u00b4\u2018\u2019\u02bb\u02bc]")
_NON_WORD = re.compile(r"[^0-9a-z]+")
# Dotted abbreviations, letters each followed by a dot (S.A., A.Ş., G.m.b.H., P.J.S.C.): one
# word, not single letters (which would match short names made of letters).
_DOTTED = re.compile(r"(?<![^\W\d_])(?:[^\W\d_]\.){2,}(?:[^\W\d_](?![^\W\d_]))?")


def join_dotted(text: str) -> str:
    """``text`` with dotted abbreviations written as one word ('S.A.' -> 'SA')."""
    return _DOTTED.sub(lambda m: m.group(0).replace(".", "") + " ", text)


def fold(text: str) -> str:
    """NFKC, transliteration to ASCII, apostrophes deleted, case folded, punctuation to space."""
    text = anyascii(unicodedata.normalize("NFKC", text))
    return _NON_WORD.sub(" ", _APOSTROPHES.sub("", text).casefold()).strip()


# Spelling skeleton of a token: transliteration variants compare equal (Aleksandr/Alexander,
# Mikhaylovna/Mikhailovna, Mohammad/Mohamad). Longest patterns first; doubled letters collapse.
_SKELETON = (("kh", "h"), ("ph", "f"), ("ck", "k"), ("ou", "u"), ("oo", "u"), ("ee", "i"),
             ("x", "ks"), ("q", "k"), ("w", "v"), ("y", "i"))
_DOUBLE = re.compile(r"([a-z])\1+")


@lru_cache(maxsize=500_000)
def skeleton(token: str) -> str:
    """The token with spelling variants folded: the form tokens are compared in."""
    for old, new in _SKELETON:
        token = token.replace(old, new)
    return _DOUBLE.sub(r"\1", token)


# Legal forms are recognised in their skeletons: otvetstvennostyu = otvetstvennostiu.
_LEGAL_KEYS = frozenset(tuple(skeleton(w) for w in form) for form in LEGAL_FORMS)
_LEGAL_FIRST = frozenset(key[0] for key in _LEGAL_KEYS)  # a legal form starts with one


_ORIGIN_BLOCKING = 12  # longer replaced words are phrases glued (research and production)


@dataclass(frozen=True)
class NameForm:
    """A name ready for comparison."""

    original: str
    tokens: tuple[str, ...]  # folded tokens, legal forms removed (shown in explanations)
    legal_forms: tuple[str, ...] = ()  # the legal forms removed, folded
    transliterated: bool = False  # the name had letters outside ASCII
    keys: tuple[str, ...] = ()  # the skeletons of the tokens, one per token: what is compared
    replaced: tuple[str, ...] = ()  # words replaced by their canonical synonym (Lexicon)
    dropped: tuple[str, ...] = ()  # particles and titles dropped (Lexicon)
    glued: tuple[str, ...] = ()  # per token: skeleton of the dropped words before it and the
    # token written as one word ('' when none): Abu Bakr -> abubakr (compared with Abubakar)
    origins: tuple[str, ...] = ()  # per token: skeleton of the words a synonym replaced, ''
    # when none (() when no token was replaced): saman -> organization keeps 'saman'

    @cached_property
    def compact(self) -> str:
        """The skeletons without spaces: catches words split or merged differently."""
        return "".join(self.keys)

    @cached_property
    def written(self) -> str:
        """``compact`` with the words a synonym replaced as they were written (PETRO GREEN ->
        petrogrin, not oilgrin): a glued word is not translated."""
        if not self.origins:
            return self.compact
        return "".join(o or k for o, k in zip(self.origins, self.keys, strict=True))

    @cached_property
    def blocking(self) -> tuple[str, ...]:
        """The keys, then the words a synonym replaced as written: what blocking looks up
        (PETROGREEN reaches PETRO GREEN, whose petro reads as oil)."""
        return (*self.keys, *(o for o in self.origins if 0 < len(o) <= _ORIGIN_BLOCKING))

    @cached_property
    def letters(self) -> str:
        """The folded tokens without spaces (short names must agree in these)."""
        return "".join(self.tokens)

    @cached_property
    def length(self) -> int:
        """Letters of the name, particles and titles dropped included (AL-ABSI is not short)."""
        return len(self.compact) + sum(len(w) for w in self.dropped)

    @property
    def text(self) -> str:
        return " ".join(self.tokens)


def analyse(name: str, lexicon: Lexicon | None = None) -> NameForm:
    """Tokens of ``name`` with legal forms removed and, given a ``lexicon``, synonyms
    replaced and particles dropped (see the module docstring)."""
    text = join_dotted(unicodedata.normalize("NFKC", name))
    cjk = [m.group(0) for m in _CJK.finditer(text)]
    tokens = fold(_CJK.sub(" ", text)).split()
    tokens, replaced, origins = lexicon.canonical(tokens) if lexicon else (tokens, [], [])
    core, forms = strip_legal_forms(tokens, lexicon.legal_word if lexicon else None)
    if not core:  # a name made of legal forms only keeps them
        core, forms = tokens, []
    kept, dropped = lexicon.drop(core) if lexicon else (core, [])
    forms += [fold(f) for f in cjk]
    keys = tuple(skeleton(t) for t in kept)
    glued = glue(core, set(dropped)) if dropped else ()
    before = tuple(skeleton(o) if o else "" for o in _align(kept, tokens, origins)) \
        if any(origins) else ()
    return NameForm(name, tuple(kept), tuple(forms), not text.isascii(), keys,
                    tuple(replaced), tuple(dropped), glued, before)


def _align(kept: list[str], tokens: list[str], origins: list[str]) -> list[str]:
    """The origin of each kept token (``kept`` is a subsequence of ``tokens``)."""
    out: list[str] = []
    j = 0
    for token in kept:
        while j < len(tokens) and tokens[j] != token:
            j += 1
        out.append(origins[j] if j < len(tokens) else "")
        j += 1
    return out


def glue(tokens: list[str], dropped: set[str]) -> tuple[str, ...]:
    """Per kept token, the skeletons of the dropped words just before it joined to its
    skeleton, or '' (``glue(['abu', 'bakr', 'x'], {'abu'})`` -> ``('abubakr', '')``); a
    doubled letter where they meet stays (al + latif: allatif, so that the particle can be
    taken off again: Abd al-Latif -> abdal ~ Abdul)."""
    out: list[str] = []
    pending = ""
    for token in tokens:
        if token in dropped:
            pending += token
            continue
        out.append(skeleton(pending) + skeleton(token) if pending else "")
        pending = ""
    return tuple(out)


def strip_legal_forms(tokens: list[str], correct: Callable[[str], str] | None = None
                      ) -> tuple[list[str], list[str]]:
    """(tokens without legal forms, the legal forms found), longest phrase first; ``correct``
    maps a skeleton to the legal-form word it is a typo of (COMPNAY = company)."""
    core: list[str] = []
    forms: list[str] = []
    keys = tuple((correct or _same)(skeleton(t)) for t in tokens)
    i = 0
    while i < len(tokens):
        size = _form_at(keys, i)
        if size:
            forms.append(" ".join(tokens[i:i + size]))
            i += size
        else:
            core.append(tokens[i])
            i += 1
    return core, forms


def _same(key: str) -> str:
    return key


def _form_at(keys: tuple[str, ...], i: int) -> int:
    if keys[i] not in _LEGAL_FIRST:  # the common case, decided without slicing
        return 0
    for size in range(min(_LONGEST, len(keys) - i), 0, -1):
        if keys[i:i + size] in _LEGAL_KEYS:
            return size
    return 0


def normalise_identifier(value: str) -> str:
    """Digits and letters only, folded: 'RU 1650032058' -> 'ru1650032058'."""
    return fold(value).replace(" ", "")
