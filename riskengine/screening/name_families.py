"""Round-6 evaluation families of person names, built from real list names (like
``families``: the rewrite rules are writing conventions, the names are drawn at random).

* ``given_name``: a listed person's given name written in another of its forms
  (``GIVEN_FORMS``: other languages' forms and short forms, written for the evaluation from
  public knowledge). The rule file's ``name_variants`` come from the same knowledge, so this
  family measures that such a query still finds its party among all the listed names
  (blocking, weights, the other words), not that the table is complete.
* ``belarusian``: a listed person of Russia written as the BGN/PCGN Belarusian romanisation
  writes the name (Russian -ov = -au, -ev = -eu, -enko = -enka, patronymics -ovich = -avich,
  -ovna = -auna, g = h, given names in their Belarusian form: Vladimir = Uladzimir), or a
  listed person of Belarus written the Russian way (the same rules the other way).

Pure.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

from riskengine.domain import Entity
from riskengine.screening.families import FamilyProbe, _sample

GIVEN_FORMS = {
    "nikolaos": "nikos", "konstantinos": "kostas", "georgios": "giorgos",
    "ioannis": "giannis", "dimitrios": "dimitris", "eduardo": "lalo", "francisco": "paco",
    "ignacio": "nacho", "manuel": "manolo", "jose": "pepe", "aleksandr": "sasha",
    "alexander": "oleksandr", "vladimir": "volodymyr", "sergey": "serhiy", "sergei": "serhiy",
    "dmitry": "dmytro", "dmitriy": "dmytro", "nikolai": "mykola", "nikolay": "mykola",
    "evgeny": "eugene", "evgeniy": "yevhen", "yevgeniy": "eugene", "mikhail": "michael",
    "pavel": "pavlo", "petr": "peter", "pyotr": "petro", "ekaterina": "kateryna",
    "yekaterina": "kateryna", "nadezhda": "nadia", "tatyana": "tetiana", "olga": "olha",
    "elena": "olena", "yelena": "olena", "irina": "iryna", "svetlana": "svitlana",
    "natalya": "natalia", "denis": "denys", "stepan": "stefan", "fedor": "fyodor",
    "muhammad": "mehmet", "mohammad": "mehmet", "yusuf": "joseph",
}
# Russian romanisation -> BGN/PCGN Belarusian (folded): given names, then word endings
BELARUSIAN_NAMES = {
    "vladimir": "uladzimir", "sergey": "siarhei", "sergei": "siarhei", "dmitry": "dzmitry",
    "dmitriy": "dzmitry", "nikolai": "mikalai", "nikolay": "mikalai", "evgeny": "yauhen",
    "evgeniy": "yauhen", "yevgeniy": "yauhen", "pavel": "paval", "petr": "piatro",
    "aleksandr": "aliaksandr", "aleksey": "aliaksei", "ekaterina": "katsiaryna",
    "yekaterina": "katsiaryna",
    "nadezhda": "nadzeya", "tatyana": "tatsiana", "olga": "volha", "elena": "alena",
    "svetlana": "sviatlana", "natalya": "natallia", "denis": "dzianis", "viktor": "viktar",
    "leonid": "leanid", "grigoriy": "ryhor", "georgiy": "yahor", "stepan": "stsiapan",
}
BELARUSIAN_ENDINGS = (("ovich", "avich"), ("ovna", "auna"), ("evna", "euna"), ("enko", "enka"),
                      ("ov", "au"), ("ev", "eu"))
RUSSIAN_COUNTRIES = ("ru",)
BELARUS_COUNTRIES = ("by",)


def given_name(entity: Entity, rng: random.Random) -> str | None:
    """The person's name with one given name in another of its forms."""
    if entity.kind != "person":
        return None
    words = re.split(r"(\W+)", entity.name)
    found = [i for i, w in enumerate(words) if w.casefold() in GIVEN_FORMS]
    if not found:
        return None
    i = rng.choice(found)
    words[i] = GIVEN_FORMS[words[i].casefold()].capitalize()
    return "".join(words)


def belarusian(entity: Entity, rng: random.Random) -> str | None:
    """A Russian-written person of Russia in Belarusian romanisation, or a Belarusian-written
    person of Belarus in Russian romanisation (module docstring)."""
    if entity.kind != "person" or not entity.name.isascii():
        return None
    home = {entity.country, *entity.nationalities}
    if home & set(RUSSIAN_COUNTRIES):
        out = [_to_belarusian(w) for w in entity.name.casefold().split()]
    elif home & set(BELARUS_COUNTRIES):
        out = [_to_russian(w) for w in entity.name.casefold().split()]
    else:
        return None
    return " ".join(out).upper()


def _to_belarusian(word: str) -> str:
    bare = word.strip(",")
    stem = next((bare[:-len(a)] for a in ("ovich", "ovna") if bare.endswith(a)), bare)
    named = BELARUSIAN_NAMES.get(stem)
    if named and stem != bare:  # a patronymic made from a given name
        bare = named + bare[len(stem):]
    bare = BELARUSIAN_NAMES.get(bare, bare).replace("g", "h")
    for russian, belarusian_ending in BELARUSIAN_ENDINGS:
        if bare.endswith(russian):
            bare = bare[:-len(russian)] + belarusian_ending
            break
    return bare + ("," if word.endswith(",") else "")


def _to_russian(word: str) -> str:
    bare = word.strip(",")
    names = {b: r for r, b in BELARUSIAN_NAMES.items()}
    for russian, belarusian_ending in BELARUSIAN_ENDINGS:
        if bare.endswith(belarusian_ending):
            bare = bare[:-len(belarusian_ending)] + russian
            break
    stem = next((bare[:-len(a)] for a in ("ovich", "ovna") if bare.endswith(a)), bare)
    bare = names[stem] + bare[len(stem):] if stem in names else bare
    return bare + ("," if word.endswith(",") else "")


def build_name_families(entities: Sequence[Entity], per_family: int, seed: int
                        ) -> list[FamilyProbe]:
    """Up to ``per_family`` probes of each family, from ``entities`` (the index)."""
    rng = random.Random(seed * 2003 + 6)
    order = list(entities)
    rng.shuffle(order)
    return [*_sample(order, "given_name", given_name, per_family, rng),
            *_sample(order, "belarusian", belarusian, per_family, rng)]
