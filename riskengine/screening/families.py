"""Round-3 evaluation families, built from real list names (riskengine.screening.evaluate).

Each family rewrites a sampled listed name the way another writer of the same name would:
the rewrite rules are the conventions of the writing systems and trades (tables below), the
names they apply to are drawn at random from the lists, never picked by hand. Decided before
any screening.

* ``romanisation``: one consonant-pair or Korean-romanisation rewrite of one word (Sh/Ch,
  ch/tch, sh/sch, j/dj, ts/tz, c/k; Korean ae/ai, eo/o, u/oo, syllables of a given name
  joined, split or hyphenated), names of Korean entities for the Korean rules.
* ``abbreviation``: one word or phrase abbreviated or expanded (brothers/bros, number/no.,
  Turkish sanayi/san., ticaret/tic., limited sirketi/ltd. sti.), an adjective written as its
  noun (Iranian/Iran), or 'X of Y' written 'Y X'.
* ``acronym``: a Russian research, production or design-bureau acronym expanded (in
  transliteration or translation) or an expansion contracted, a plant/works word swapped, or
  a state-enterprise prefix added.
* ``cyrillic_translated``: a Latin-listed name written in Cyrillic with its generic words
  translated or abbreviated (plant -> завод, research institute -> НИИ) and the rest
  transliterated.
* ``dotted_form``: a company's core name with a dotted legal form (S.A., A.S., G.m.b.H.).
* ``wrong_record``: a name whose words are all in another listed record's longer name
  (parent, branch, namesake), typed with one typo; found only when it ranks first.
* ``person_dob``: a listed person's name with one typo, screened with the listed date of
  birth and nationality; ``namesake_dob`` (a negative): the same with a date of birth 15
  years off and another nationality.
* ``alias_weak``: a weak alias (OFAC's remarks "a.k.a." quoted nicknames), screened as is.

Pure.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from riskengine.domain import Entity
from riskengine.screening.match import Candidate, Screener
from riskengine.screening.normalise import analyse, fold

CONSONANT_PAIRS = (("sh", "ch"), ("ch", "sh"), ("ch", "tch"), ("sh", "sch"), ("j", "dj"),
                   ("ts", "tz"), ("dzh", "j"), ("zh", "j"))  # not in 'jsc' or 'ooo'
_NOT_NAMES = ("jsc", "ojsc", "pjsc", "cjsc", "ooo", "llc", "co", "ltd", "inc")
KOREAN = (("ae", "ai"), ("ai", "ae"), ("eo", "o"), ("o", "eo"), ("u", "oo"), ("oe", "oi"),
          ("ch", "j"), ("k", "g"), ("p", "b"), ("t", "d"))
KOREAN_COUNTRIES = ("kp", "kr")
ABBREVIATIONS = (
    ("brothers", "bros."), ("bros", "brothers"), ("number", "no."), ("no", "number"),
    ("international", "intl"), ("corporation", "corp."), ("manufacturing", "mfg."),
    ("industries", "inds."), ("company", "co."), ("and", "&"), ("sanayi", "san."),
    ("ticaret", "tic."), ("limited sirketi", "ltd. sti."), ("anonim sirketi", "a.s."),
    ("ve", "&"), ("dis ticaret", "dis tic."), ("insaat", "ins."), ("pazarlama", "paz."),
    ("saint", "st."), ("mountain", "mt."), ("general", "gen."), ("trading", "trdg."),
)
ADJECTIVES = (("iranian", "iran"), ("syrian", "syria"), ("korean", "korea"),
              ("russian", "russia"), ("chinese", "china"), ("iraqi", "iraq"),
              ("lebanese", "lebanon"), ("cuban", "cuba"), ("venezuelan", "venezuela"),
              ("belarusian", "belarus"), ("yemeni", "yemen"), ("libyan", "libya"),
              ("sudanese", "sudan"), ("burmese", "burma"), ("myanmar", "myanma"),
              ("islamic", "islam"), ("arab", "arabia"))
ACRONYMS = (
    ("npo", ("nauchno-proizvodstvennoe obedinenie", "scientific production association",
             "research and production association")),
    ("nii", ("nauchno-issledovatelskiy institut", "research institute",
             "scientific research institute")),
    ("kb", ("konstruktorskoe byuro", "design bureau")),
    ("okb", ("opytno-konstruktorskoe byuro", "experimental design bureau")),
    ("skb", ("spetsialnoe konstruktorskoe byuro", "special design bureau")),
    ("npp", ("nauchno-proizvodstvennoe predpriyatie", "research and production enterprise")),
    ("npk", ("nauchno-proizvodstvennaya korporatsiya", "research and production corporation")),
    ("ntts", ("nauchno-tekhnicheskiy tsentr", "scientific and technical center")),
    ("fgup", ("federalnoe gosudarstvennoe unitarnoe predpriyatie",
              "federal state unitary enterprise")),
    ("gup", ("gosudarstvennoe unitarnoe predpriyatie", "state unitary enterprise")),
    ("td", ("torgovyi dom", "trading house")),
)
PLANT_WORDS = ("plant", "zavod", "works", "factory")
STATE_PREFIXES = ("fgup", "federal state unitary enterprise", "gup", "ao")
STATE_HOSTS = ("plant", "zavod", "institute", "institut", "bureau", "byuro", "works",
               "factory", "kombinat", "center", "centre", "tsentr")
# Latin generic word (folded) -> Cyrillic translation or abbreviation.
TRANSLATIONS = (
    ("research and production association", "НПО"), ("scientific production association", "НПО"),
    ("research institute", "НИИ"), ("scientific research institute", "НИИ"),
    ("design bureau", "КБ"), ("experimental design bureau", "ОКБ"), ("plant", "завод"),
    ("works", "завод"), ("factory", "фабрика"), ("trading house", "торговый дом"),
    ("company", "компания"), ("bank", "банк"), ("joint stock company", "АО"),
    ("limited liability company", "ООО"), ("llc", "ООО"), ("jsc", "АО"), ("ojsc", "ОАО"),
    ("pjsc", "ПАО"), ("institute", "институт"), ("center", "центр"), ("centre", "центр"),
    ("group", "группа"), ("holding", "холдинг"), ("state", "государственный"),
    ("federal", "федеральный"), ("university", "университет"), ("academy", "академия"),
)
_LATIN_TO_CYRILLIC = (("shch", "щ"), ("sch", "щ"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"),
                      ("ch", "ч"), ("sh", "ш"), ("yu", "ю"), ("ya", "я"), ("yo", "ё"),
                      ("ye", "е"), ("iy", "ий"), ("yy", "ый"), ("a", "а"), ("b", "б"),
                      ("v", "в"), ("w", "в"), ("g", "г"), ("d", "д"), ("e", "е"), ("z", "з"),
                      ("i", "и"), ("y", "й"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"),
                      ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"),
                      ("f", "ф"), ("h", "х"), ("c", "к"), ("x", "кс"), ("q", "к"), ("j", "дж"))
CYRILLIC_COUNTRIES = ("ru", "by", "ua", "kz", "kg")  # names written in Cyrillic at home
ENGLISH_WORDS = ("of", "and", "the", "for", "in")
DOTTED_FORMS = ("S.A.", "A.S.", "A.Ş.", "L.L.C.", "G.m.b.H.", "S.R.L.", "S.A.R.L.", "B.V.",
                "N.V.", "P.J.S.C.", "J.S.C.", "O.O.O.", "Z.A.O.", "O.A.O.", "S.p.A.", "A.G.",
                "S.A. de C.V.", "Ltd. Şti.", "Sp. z o.o.", "K.K.", "P.T.", "S.L.", "L.L.P.",
                "P.L.C.", "T.O.O.")
DOB_SHIFT_YEARS = 15
WEAK_MIN_LETTERS = 4  # a weak alias shorter than this (folded, no spaces) is not a probe


@dataclass(frozen=True)
class FamilyProbe:
    """A round-3 query: what to screen, what it should find (None: nothing)."""

    query: str
    kind: str
    expected: str | None = None
    birth_date: str | None = None
    nationality: str | None = None
    top_only: bool = False  # found only when the expected entity ranks first
    negative: bool = False  # a false positive when matched (on ``expected`` if given, else any)


Rewrite = Callable[[Entity, random.Random], str | None]


def build_families(entities: Sequence[Entity], per_family: int, seed: int
                   ) -> list[FamilyProbe]:
    """Up to ``per_family`` probes of every family, from ``entities`` (the index)."""
    rng = random.Random(seed * 1009 + 3)
    order = list(entities)
    rng.shuffle(order)
    probes: list[FamilyProbe] = []
    for kind, rewrite in _REWRITES.items():
        probes += _sample(order, kind, rewrite, per_family, rng)
    probes += wrong_record(order, per_family, rng)
    probes += person_dob(order, per_family, rng)
    probes += [FamilyProbe(a, "alias_weak", e.id) for e in order for a in e.weak_aliases
               if len(analyse(a).compact) >= WEAK_MIN_LETTERS][:per_family]
    return probes


def _sample(order: Sequence[Entity], kind: str, rewrite: Rewrite, count: int,
            rng: random.Random) -> list[FamilyProbe]:
    out: list[FamilyProbe] = []
    for entity in order:
        if len(out) >= count:
            break
        query = rewrite(entity, rng)
        if query and fold(query) != fold(entity.name) and analyse(query).tokens:
            out.append(FamilyProbe(query, kind, entity.id))
    return out


def _words(name: str) -> list[str]:
    return fold(name).split()


def romanisation(entity: Entity, rng: random.Random) -> str | None:
    """One consonant-pair rewrite, or a Korean one for Korean entities (module docstring)."""
    words = _words(entity.name)
    korean = entity.country in KOREAN_COUNTRIES or bool(
        set(entity.nationalities) & set(KOREAN_COUNTRIES))
    if korean and len(entity.name.split()) >= 2 and rng.random() < 0.3:
        return _resyllabify(entity.name, rng)
    rules = (*CONSONANT_PAIRS, *KOREAN) if korean else CONSONANT_PAIRS
    options = [(i, a, b) for i, w in enumerate(words) if len(w) >= 3 and w not in _NOT_NAMES
               for a, b in rules if a in w]
    if not options:
        return None
    i, a, b = rng.choice(options)
    at = [m.start() for m in re.finditer(a, words[i])]
    pos = rng.choice(at)
    words[i] = words[i][:pos] + b + words[i][pos + len(a):]
    return " ".join(words)


def _resyllabify(name: str, rng: random.Random) -> str | None:
    """A Korean given name's syllables joined, split or hyphenated (Hong-il, Hong Il, Hongil)."""
    surname, _, given = name.partition(",")
    parts = re.split(r"[-\s]+", given.strip())
    if len(parts) != 2 or not all(parts):
        return None
    joiner = rng.choice([" ", "-", ""])
    written = parts[0] + joiner + (parts[1].lower() if joiner == "" else parts[1])
    return f"{surname}, {written}" if given else None


def abbreviation(entity: Entity, rng: random.Random) -> str | None:
    """One abbreviation or expansion, an adjective as its noun, or 'X of Y' as 'Y X'."""
    text = " " + " ".join(_words(entity.name)) + " "
    options = [(f" {a} ", f" {b} ") for a, b in ABBREVIATIONS if f" {a} " in text]
    options += [(f" {a} ", f" {b} ") for a, b in ADJECTIVES if f" {a} " in text]
    of = re.fullmatch(r" (\w+(?: \w+)?) of (\w+(?: \w+)?) ", text)
    if of and entity.kind != "person":
        options.append((text, f" {of.group(2)} {of.group(1)} "))
    if not options:
        return None
    old, new = rng.choice(options)
    return text.replace(old, new, 1).strip()


def acronym(entity: Entity, rng: random.Random) -> str | None:
    """An acronym expanded or an expansion contracted, a plant word swapped, or a state
    prefix added (module docstring)."""
    text = " " + " ".join(_words(entity.name)) + " "
    options: list[tuple[str, str]] = []
    for short, longs in ACRONYMS:
        if f" {short} " in text:
            options += [(f" {short} ", f" {fold(x)} ") for x in longs]
        options += [(f" {fold(x)} ", f" {short} ") for x in longs if f" {fold(x)} " in text]
    options += [(f" {a} ", f" {b} ") for a in PLANT_WORDS for b in PLANT_WORDS
                if a != b and f" {a} " in text]
    if any(f" {h} " in text for h in STATE_HOSTS) and entity.kind != "person":
        options += [(text, f" {p}{text}") for p in STATE_PREFIXES]
    if not options:
        return None
    old, new = rng.choice(options)
    return text.replace(old, new, 1).strip()


def cyrillic_translated(entity: Entity, rng: random.Random) -> str | None:
    """The Latin name in Cyrillic, generic words translated (module docstring); None when
    it has no generic word of ``TRANSLATIONS`` or is a person."""
    if (entity.kind == "person" or not entity.name.isascii()
            or entity.country not in CYRILLIC_COUNTRIES):
        return None
    text = " " + " ".join(_words(entity.name)) + " "
    if any(f" {w} " in text for w in ENGLISH_WORDS):  # an English name: translated, not
        return None  # transliterated, at home
    found = False
    for latin, cyrillic in sorted(TRANSLATIONS, key=lambda t: -len(t[0])):
        if f" {latin} " in text:
            text, found = text.replace(f" {latin} ", f" \x00{cyrillic}\x00 "), True
    if not found:
        return None
    parts = re.split("\x00", text)
    out = [p if i % 2 else _to_cyrillic(p) for i, p in enumerate(parts)]
    return re.sub(r"\s+", " ", "".join(out)).strip().upper()


def _to_cyrillic(text: str) -> str:
    for latin, cyrillic in _LATIN_TO_CYRILLIC:
        text = text.replace(latin, cyrillic)
    return text


def dotted_form(entity: Entity, rng: random.Random) -> str | None:
    """The company's core name (legal forms removed) with a dotted legal form."""
    if entity.kind == "person":
        return None
    core = " ".join(analyse(entity.name).tokens).upper()
    if len(analyse(entity.name).tokens) < 1 or len(core) < 4:
        return None
    return f"{core}, {rng.choice(DOTTED_FORMS)}"


_REWRITES: dict[str, Rewrite] = {
    "romanisation": romanisation, "abbreviation": abbreviation, "acronym": acronym,
    "cyrillic_translated": cyrillic_translated, "dotted_form": dotted_form,
}


def wrong_record(order: Sequence[Entity], count: int, rng: random.Random
                 ) -> list[FamilyProbe]:
    """Names all of whose words are in another record's longer name, with one typo."""
    by_token: dict[str, list[tuple[frozenset[str], str]]] = {}
    names = {e.id: {frozenset(analyse(n).keys) for n in e.all_names()} for e in order}
    for e in order:
        for words in names[e.id]:
            for w in words:
                by_token.setdefault(w, []).append((words, e.id))
    out: list[FamilyProbe] = []
    for e in order:
        if len(out) >= count:
            break
        words = frozenset(analyse(e.name).keys)
        rare = min(words, key=lambda w: len(by_token.get(w, ())), default=None)
        if rare is None or len(words) < 2:
            continue
        others = [(other, eid) for other, eid in by_token[rare] if eid != e.id]
        if any(other in names[e.id] for other, _ in others):  # a namesake (or twin) of one
            # of its names: a tie, not a wrong record
            continue
        if any(words < other for other, _ in others):
            query = _typo(e.name, rng)
            if query:
                out.append(FamilyProbe(query, "wrong_record", e.id, top_only=True))
    return out


def _typo(name: str, rng: random.Random) -> str | None:
    words = name.split()
    long = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
    if not long:
        return None
    i = rng.choice(long)
    at = rng.randrange(1, len(words[i]) - 1)
    words[i] = words[i][:at] + words[i][at + 1:]
    return " ".join(words)


def person_dob(order: Sequence[Entity], count: int, rng: random.Random) -> list[FamilyProbe]:
    """Persons with a full date of birth: right facts (positive), shifted ones (negative)."""
    out: list[FamilyProbe] = []
    nations = sorted({n for e in order for n in e.nationalities})
    for e in order:
        if len(out) >= 2 * count:
            break
        dob = next((d for d in e.birth_dates if len(d) == 10), None)
        query = _typo(e.name, rng) if e.kind == "person" and dob and e.nationalities else None
        if not query or not dob:
            continue
        nation = e.nationalities[0]
        other = rng.choice([n for n in nations if n not in e.nationalities] or [nation])
        shifted = f"{int(dob[:4]) + rng.choice((-1, 1)) * DOB_SHIFT_YEARS}{dob[4:]}"
        out.append(FamilyProbe(query, "person_dob", e.id, dob, nation))
        out.append(FamilyProbe(query, "namesake_dob", e.id, shifted, other, negative=True))
    return out


def dotted_negatives(generated: Sequence[str], rng: random.Random) -> list[FamilyProbe]:
    """Unlisted generated names with a dotted legal form instead of theirs."""
    out = []
    for name in generated:
        core = " ".join(analyse(name).tokens).title()
        out.append(FamilyProbe(f"{core} {rng.choice(DOTTED_FORMS)}", "dotted_generated",
                               negative=True))
    return out


@dataclass
class FamilyReport:
    """Per family: probes screened and probes found (negatives: flagged)."""

    total: Counter[str] = field(default_factory=Counter)
    found: Counter[str] = field(default_factory=Counter)
    misses: list[tuple[FamilyProbe, str]] = field(default_factory=list)

    def rate(self, kind: str) -> float:
        return self.found[kind] / self.total[kind] if self.total[kind] else 0.0


def run_families(screener: Screener, probes: Sequence[FamilyProbe], limit: int = 10
                 ) -> FamilyReport:
    """Screen every probe with its facts; count found positives and flagged negatives."""
    report = FamilyReport()
    for probe in probes:
        found = screener.screen(probe.query, limit=limit, birth_date=probe.birth_date,
                                nationality=probe.nationality)
        hit = _hit(probe, found)
        report.total[probe.kind] += 1
        report.found[probe.kind] += hit
        if hit == probe.negative:
            report.misses.append((probe, found[0].matched_name if found else "-"))
    return report


def _hit(probe: FamilyProbe, found: Sequence[Candidate]) -> bool:
    if probe.negative:
        return any(c.match and probe.expected in (None, c.entity_id) for c in found)
    if probe.top_only:
        return bool(found) and found[0].match and _same(probe, found[0])
    return any(c.match and _same(probe, c) for c in found)


def _same(probe: FamilyProbe, found: Candidate) -> bool:
    words = sorted(analyse(probe.query).tokens) == sorted(analyse(found.matched_name).tokens)
    return found.entity_id == probe.expected or words
