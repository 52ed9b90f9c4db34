"""Evaluation set for screening quality, built from real list entities.

Protocol (fair: no query is screened against its own exact text):

* held-out aliases: for sampled entities with several names, one alias is removed from the
  index and used as the query; the expected hit is its entity, found through its remaining
  names. Aliases that fold to the same text as a remaining name are not used (they would be
  trivial exact hits). ``alias_cyrillic`` are Cyrillic aliases (the entity keeps its Latin
  names), ``alias_latin`` the others. Aliases unrelated in spelling to every remaining name
  (character-trigram Jaccard below ``RELATED``: a different name, e.g. a former name) cannot
  be found by any name matcher; they are counted apart as ``alias_unrelated`` and left out of
  the headline recall.
* spelling rule (stricter partition, decided from the names alone, before any screening,
  never from the matcher's output): a related alias is a *spelling of* a kept name when more
  than half of its words (folded, legal forms removed, at least ``MIN_WORD`` letters, in the
  spelling skeleton the trigram test uses too: Aleksey = Alexei) have a close counterpart in
  that one kept name: character-bigram Dice of the two words at least ``CLOSE_WORD`` (a
  measure the matcher does not use). Why: trigram Jaccard of whole
  names lets in aliases that share only a surname or a generic word with the kept names
  (EBRAHIMI Mohammad for EBRAHIMI Reza; a former name), which no name matcher can find.
  Related aliases that fail the rule are ``alias_renamed`` and, like ``alias_unrelated``,
  left out of the headline recall. The old partition (``Probe.old_kind``: renamed aliases
  counted in ``alias_latin`` / ``alias_cyrillic``) is kept and reported too.
* perturbed primary names: one typo (substitution, deletion, insertion or transposition in a
  word of at least 5 letters), one dropped word (names of 3+ words), reordered words, or a
  changed legal form (companies). A dropped-word query left with fewer than ``MIN_LEFT``
  words of at least ``MIN_WORD`` letters ('Ali' from AL-SHA'IR Ali, 'BAYT' from BAYT AL-MAL:
  only a particle or a first name remains) is ``drop_word_stub`` under the new partition,
  out of the headline; it stays ``drop_word`` under the old one. Decided from the query text
  alone, the sampling is unchanged.
* negatives: plausible company names that are not listed (place + industry words + legal
  form) and real well-known unsanctioned companies; a negative that folds to an indexed name
  is dropped.

A positive is found when its entity is among the candidates and flagged as a match (or an
entity listed under exactly the query's name, words in any order: the same party listed on
the other list, which the held-out protocol cannot know); a
negative is a false positive when any candidate is flagged. Pure apart from ``load_lists``.
"""

from __future__ import annotations

import random
import shutil
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from riskengine.domain import Entity
from riskengine.lists import ofac, uk
from riskengine.screening.match import Candidate, Screener
from riskengine.screening.normalise import analyse, fold

RELATED = 0.2  # trigram Jaccard from which an alias counts as related to a kept name
MIN_WORD = 3  # spelling rule: words of at least this many letters count (all when none)
CLOSE_WORD = 0.5  # spelling rule: bigram Dice from which two words are counterparts
MIN_LEFT = 2  # a dropped-word query needs this many words of MIN_WORD+ letters (else a stub)
HEADLINE = ("typo", "drop_word", "reorder", "legal_form", "alias_latin", "alias_cyrillic")
# Spelling variants of the same name: perturbations and Cyrillic transliterations.
SPELLING = ("typo", "drop_word", "reorder", "legal_form", "alias_cyrillic")
LEGAL = ("LLC", "OOO", "JSC", "PJSC", "Ltd", "Co., Ltd.", "GmbH", "Limited", "AO", "S.A.")
WELL_KNOWN = (
    "Anhui Jianghuai Automobile Group", "China FAW Group", "BYD Company Limited",
    "Volkswagen AG", "Toyota Motor Corporation", "Siemens AG", "Nestle S.A.", "Unilever PLC",
    "Samsung Electronics Co., Ltd.", "Hyundai Motor Company", "Tata Steel Limited",
    "Maersk Line A/S", "BASF SE", "Bayer AG", "Renault SA", "Stellantis N.V.",
    "Geely Automobile Holdings", "Great Wall Motor Company", "SAIC Motor Corporation",
    "Haier Smart Home Co., Ltd.", "Lenovo Group Limited", "Xiaomi Corporation",
    "Infosys Limited", "Reliance Industries Limited", "Petrobras", "Equinor ASA",
    "Shell plc", "TotalEnergies SE", "Airbus SE", "Boeing Company", "Caterpillar Inc.",
    "Komatsu Ltd.", "Hitachi Ltd.", "Panasonic Holdings Corporation", "Sony Group Corporation",
    "LG Electronics Inc.", "Foxconn Technology Group", "Bosch GmbH", "Continental AG",
    "Michelin", "Pirelli & C. S.p.A.", "Volvo Group", "Scania AB", "MAN Truck & Bus SE",
    "Daimler Truck AG", "Iveco Group N.V.", "Dongfeng Motor Corporation", "Chery Automobile",
    "Sinotruk Hong Kong Limited", "Weichai Power Co., Ltd.", "Yutong Bus Co., Ltd.",
    "Mahindra & Mahindra Limited", "Ashok Leyland Limited", "Ford Motor Company",
    "General Motors Company", "Honda Motor Co., Ltd.", "Nissan Motor Co., Ltd.",
    "Mazda Motor Corporation", "Suzuki Motor Corporation", "Kia Corporation",
)
PLACES = (
    "Lyon", "Porto", "Osaka", "Perth", "Bergen", "Graz", "Leeds", "Turin", "Seville", "Gdansk",
    "Tampere", "Utrecht", "Ghent", "Brno", "Cork", "Malmo", "Aarhus", "Basel", "Bilbao",
    "Nagoya", "Busan", "Penang", "Cebu", "Curitiba", "Rosario", "Valparaiso", "Monterrey",
    "Quebec", "Halifax", "Auckland", "Durban", "Nairobi", "Accra", "Casablanca", "Izmir",
    "Shenzhen", "Ningbo", "Xiamen", "Dubai", "Sharjah", "Mumbai", "Pune", "Almaty", "Tashkent",
    "Baku", "Yerevan", "Tbilisi", "Istanbul", "Mersin", "Hanoi", "Jakarta", "Bangkok",
    "Nordic", "Alpine", "Atlantic", "Pacific", "Baltic", "Danube", "Andean", "Sahel",
)
WORDS = (
    "Precision", "Plastics", "Dairy", "Logistics", "Textiles", "Ceramics", "Timber",
    "Packaging", "Solar", "Wind", "Agro", "Seafood", "Furniture", "Printing", "Optics",
    "Pharma", "Biotech", "Software", "Consulting", "Foods", "Beverages", "Marine", "Cargo",
    "Steel", "Glass", "Paper", "Rubber", "Cables", "Pumps", "Valves", "Bearings", "Tools",
    "Machinery", "Robotics", "Medical", "Dental", "Paints", "Coatings", "Fertilizers", "Grain",
    "Coffee", "Cocoa", "Fruit", "Leather", "Footwear", "Toys", "Sports", "Travel", "Hotels",
    "Motors", "Parts", "Trading", "Group", "Holding", "Industrial", "International",
)


@dataclass(frozen=True)
class Probe:
    """A query and the entity it should find (None: it should find nothing)."""

    query: str
    kind: str
    expected: str | None = None
    old_kind: str = ""  # kind under the old partition (trigram Jaccard only), when different

    @property
    def first_kind(self) -> str:
        """The kind under the old partition."""
        return self.old_kind or self.kind


@dataclass(frozen=True)
class EvalSet:
    entities: tuple[Entity, ...]  # the index: the held-out aliases removed
    positives: tuple[Probe, ...]
    negatives: tuple[Probe, ...]


@dataclass
class EvalReport:
    found: Counter[str] = field(default_factory=Counter)
    total: Counter[str] = field(default_factory=Counter)
    old_found: Counter[str] = field(default_factory=Counter)  # by kind, old partition
    old_total: Counter[str] = field(default_factory=Counter)
    false_positives: int = 0
    negatives: int = 0
    misses: list[tuple[Probe, str]] = field(default_factory=list)
    false_hits: list[tuple[Probe, str]] = field(default_factory=list)

    def recall(self, kinds: Sequence[str] = HEADLINE) -> float:
        """Share of the positives of ``kinds`` found as matches."""
        total = sum(self.total[k] for k in kinds)
        return sum(self.found[k] for k in kinds) / total if total else 0.0

    def old_recall(self, kinds: Sequence[str] = HEADLINE) -> float:
        """``recall`` under the old partition (trigram Jaccard only)."""
        total = sum(self.old_total[k] for k in kinds)
        return sum(self.old_found[k] for k in kinds) / total if total else 0.0

    def count(self, probe: Probe, found: bool) -> None:
        """Count one screened positive under both partitions."""
        for counter, kind in ((self.total, probe.kind), (self.old_total, probe.first_kind)):
            counter[kind] += 1
        if found:
            self.credit(probe)

    def credit(self, probe: Probe) -> None:
        """Count ``probe`` as found under both partitions."""
        self.found[probe.kind] += 1
        self.old_found[probe.first_kind] += 1

    @property
    def fpr(self) -> float:
        return self.false_positives / self.negatives if self.negatives else 0.0


def trigram_jaccard(a: str, b: str) -> float:
    """Jaccard similarity of the character trigrams of two folded names (spaces removed)."""
    ga, gb = _trigrams(analyse(a).compact), _trigrams(analyse(b).compact)
    return len(ga & gb) / len(ga | gb) if ga and gb else 0.0


def _trigrams(text: str) -> set[str]:
    return {text[i:i + 3] for i in range(max(1, len(text) - 2))}


def spelling_of(alias: str, name: str) -> bool:
    """More than half of the words of ``alias`` have a counterpart in ``name`` (bigram Dice
    at least ``CLOSE_WORD``); see the module docstring."""
    words = _words(alias)
    others = _words(name)
    close = sum(any(bigram_dice(w, o) >= CLOSE_WORD for o in others) for w in words)
    return bool(words) and close * 2 > len(words)


def _words(name: str) -> list[str]:
    tokens = list(analyse(name).keys)
    return [t for t in tokens if len(t) >= MIN_WORD] or tokens


def bigram_dice(a: str, b: str) -> float:
    """Dice coefficient of the character bigrams of two words, padded (' ab', 'b ')."""
    ga, gb = _bigrams(f" {a} "), _bigrams(f" {b} ")
    return 2 * len(ga & gb) / (len(ga) + len(gb))


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


def build_eval_set(entities: Sequence[Entity], positives: int, negatives: int, seed: int = 7
                   ) -> EvalSet:
    """Sample probes (``positives`` split evenly between held-out aliases and perturbations)."""
    rng = random.Random(seed)
    held, index = _hold_out_aliases(entities, positives // 2, rng)
    perturbed = _perturbations(index, positives - len(held), rng)
    names = {analyse(n).text for e in index for n in e.all_names()}
    return EvalSet(tuple(index), tuple(held + perturbed), tuple(_negatives(names, negatives, rng)))


def _hold_out_aliases(entities: Sequence[Entity], count: int, rng: random.Random
                      ) -> tuple[list[Probe], list[Entity]]:
    index = list(entities)
    order = list(range(len(index)))
    rng.shuffle(order)
    probes: list[Probe] = []
    for i in order:
        if len(probes) >= count:
            break
        probe, kept = _hold_out(index[i], rng)
        if probe is not None:
            probes.append(probe)
            index[i] = kept
    return probes, index


def _hold_out(entity: Entity, rng: random.Random) -> tuple[Probe | None, Entity]:
    if not entity.aliases:
        return None, entity
    alias = rng.choice(entity.aliases)
    kept = [n for n in entity.all_names() if n != alias]
    if analyse(alias).text in {analyse(n).text for n in kept} or not analyse(alias).tokens:
        return None, entity
    remaining = tuple(a for a in entity.aliases if a != alias)
    return _alias_probe(alias, kept, entity.id), entity.model_copy(update={"aliases": remaining})


def _alias_probe(alias: str, kept: list[str], entity: str) -> Probe:
    """The probe of a held-out alias, its kind under both partitions (module docstring)."""
    related = max(trigram_jaccard(alias, n) for n in kept) >= RELATED
    cyrillic = any("\u0400" <= c <= "\u04ff" for c in alias)
    old = ("alias_cyrillic" if cyrillic else "alias_latin") if related else "alias_unrelated"
    if related and not any(spelling_of(alias, n) for n in kept):
        return Probe(alias, "alias_renamed", entity, old)
    return Probe(alias, old, entity)


def _perturbations(entities: Sequence[Entity], count: int, rng: random.Random) -> list[Probe]:
    kinds = ["typo", "drop_word", "reorder", "legal_form"]
    pool = [e for e in entities if len(analyse(e.name).compact) >= 6]
    probes: list[Probe] = []
    for attempt in range(count * 20 if pool else 0):  # bounded: some kinds may not apply
        if len(probes) >= count:
            break
        entity = rng.choice(pool)
        kind = kinds[attempt % len(kinds)]
        query = perturb(entity.name, kind, rng, entity.kind == "person")
        if query and fold(query) != fold(entity.name):  # legal forms count here
            probes.append(_perturbed_probe(query, kind, entity.id))
    return probes


def _perturbed_probe(query: str, kind: str, entity: str) -> Probe:
    """The probe, a dropped-word stub set apart (module docstring)."""
    words = [t for t in analyse(query).tokens if len(t) >= MIN_WORD]
    if kind == "drop_word" and len(words) < MIN_LEFT:
        return Probe(query, "drop_word_stub", entity, kind)
    return Probe(query, kind, entity)


def perturb(name: str, kind: str, rng: random.Random, person: bool = False) -> str | None:
    """``name`` with one perturbation of ``kind``; None when it does not apply."""
    words = name.split()
    if kind == "typo":
        return _typo(words, rng)
    if kind == "drop_word" and len(analyse(name).tokens) >= 3:
        words.pop(rng.randrange(len(words)))
        return " ".join(words)
    if kind == "reorder" and len(words) >= 2:
        return " ".join(words[1:] + words[:1])
    if kind == "legal_form" and not person:
        core = " ".join(analyse(name).tokens).upper()
        form = rng.choice(LEGAL)
        return f"{form} {core}" if rng.random() < 0.5 else f"{core} {form}"
    return None


def _typo(words: list[str], rng: random.Random) -> str | None:
    long = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long:
        return None
    i = rng.choice(long)
    word, at = words[i], rng.randrange(1, len(words[i]) - 1)
    letter = rng.choice("abcdefghijklmnopqrstuvwxyz").upper()
    edits = [word[:at] + letter + word[at + 1:], word[:at] + word[at + 1:],
             word[:at] + letter + word[at:], word[:at] + word[at + 1] + word[at] + word[at + 2:]]
    words[i] = rng.choice(edits)
    return " ".join(words)


def _negatives(listed: set[str], count: int, rng: random.Random) -> list[Probe]:
    probes = [Probe(n, "well_known") for n in WELL_KNOWN if analyse(n).text not in listed]
    for _ in range(count * 20):  # bounded: every generated name might be listed
        if len(probes) >= count:
            break
        words = rng.sample(WORDS, rng.choice((1, 2)))
        name = " ".join([rng.choice(PLACES), *words, rng.choice(LEGAL)])
        if analyse(name).text not in listed:
            probes.append(Probe(name, "generated"))
    return probes[:count]


def run_eval(screener: Screener, evalset: EvalSet, limit: int = 10) -> EvalReport:
    """Screen every probe; count found positives and flagged negatives."""
    report = EvalReport()
    for probe in evalset.positives:
        found = screener.screen(probe.query, limit=limit)
        hit = any(c.match and _correct(probe, c) for c in found)
        report.count(probe, hit)
        if not hit:
            report.misses.append((probe, found[0].matched_name if found else "-"))
    for probe in evalset.negatives:
        hits = [c for c in screener.screen(probe.query, limit=limit) if c.match]
        report.negatives += 1
        if hits:
            report.false_positives += 1
            report.false_hits.append((probe, hits[0].matched_name))
    return report


def _correct(probe: Probe, found: Candidate) -> bool:
    """The expected entity, or another one listed under the query's very name (the same party
    on the other list), words in any order."""
    same = sorted(analyse(probe.query).tokens) == sorted(analyse(found.matched_name).tokens)
    return found.entity_id == probe.expected or same


def load_lists(data_dir: Path) -> list[Entity]:
    """Entities of OFAC SDN 2024-05-03 (with the 2025-12 alt.csv aliases) and the UK ConList,
    with the lists' weak aliases as the readers give them (OFAC's remark a.k.a., UK's
    low-quality rows).

    Reads files: the one function of this module that is not pure.
    """
    sdn = data_dir / "ofac_sdn_csv"
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(sdn / "2024-05-03" / "sdn.csv", tmp)
        shutil.copy(sdn / "2025-12_companions" / "alt.csv", tmp)
        us = ofac.read_sdn(Path(tmp))
    gb = uk.read(data_dir / "uk_ofsi_conlist" / "ConList.xlsx")
    return [*us.dataset.entities, *gb.dataset.entities]
