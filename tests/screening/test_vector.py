"""The vectorised screening path (``screening.vector``, ``Screener._kept``,
``similarity.TokenTable``) against the one-record-at-a-time reference: every candidate
record scored by ``Screener._score``, the best per entity kept by a loop, adjusted by
``Screener._adjust``. Exactly the same candidates, confidences, features and order, on
hand-made names and on an excerpt of the real lists with countries, identifiers, dates of
birth, nationalities, legal forms and parenthesised parts."""

from __future__ import annotations

import random

import numpy as np
import pytest

from riskengine.domain import Entity, Identifier
from riskengine.screening.config import ScreeningConfig
from riskengine.screening.evaluate import load_lists, perturb
from riskengine.screening.facts import Facts
from riskengine.screening.match import Candidate, Screener, _query_forms, _Scored
from riskengine.screening.normalise import analyse
from riskengine.screening.rescue import _best
from riskengine.screening.similarity import TokenTable, pair_similarity, token_similarities
from tests.screening.bundled import bundled_config

NAMES = ("KAMAZ PUBLICLY TRADED COMPANY", "JOINT STOCK COMPANY AVTOVAZ", "PAO SOLLERS",
         "SOLLERS-FINANCE LLC", "GAZ GROUP", "NEFAZ", "TFK KAMAZ", "MIKAM HOLDINGS", "BYD",
         "KOGOGIN, Sergey Anatolyevich", "AWAD, Kamal Abdelrahman Aref", "Bayer", "Bajer",
         "AL-ZUBAYDI, Muhammad Hamsa", "MIN, Byong Chol", "RYABTSEVA, Zhanna Anatolyevna",
         "OAO SHIP REPAIR CENTER 'ZVEZDOCHKA'", "ABU BAKR AL-BAGHDADI", "PETRO GREEN",
         "BANCO NACIONAL DE CUBA", "HAVANA INTERNATIONAL BANK, LTD", "IR-ITAL",
         "MAGNITOGORSKIY METALLURGICHESKIY KOMBINAT", "KAMA AUTOMOBILE PLANT")
KINDS = ("typo", "drop_word", "reorder", "legal_form")


def config() -> ScreeningConfig:
    return bundled_config()


def reference(s: Screener, name: str, country: str | None = None,
              identifier: str | None = None, limit: int = 10, birth_date: str | None = None,
              nationality: str | None = None) -> list[Candidate]:
    """``Screener.screen`` one record and one entity at a time."""
    form = analyse(name, s._lexicon)
    by_id = s._identifier_hits(identifier)
    best: dict[int, _Scored] = {}
    used = {}
    for f in _query_forms(name, form, s._lexicon):
        records = s._blocks.candidates(f.blocking).tolist() if f.keys else []
        records += [r for e in set(by_id) for r in range(s._first[e], s._first[e + 1])]
        if not records:
            continue
        query = s._query(f, records)
        unique = list(dict.fromkeys(records))
        per: dict[int, _Scored] = {}
        for r, token in zip(unique, s._token_scores(query, unique).tolist(), strict=True):
            scored, e = s._score(query, r, token), s._records[r].entity
            if e not in per or scored.confidence > per[e].confidence:
                per[e] = scored
        for e, scored in per.items():
            if e not in best or scored.confidence > best[e].confidence:
                best[e], used[e] = scored, query
    facts = Facts(country, birth_date, nationality, company=bool(form.legal_forms))
    adjusted = {e: s._adjust(b, e, facts, e in by_id) for e, b in best.items()}
    keep = [e for e, b in adjusted.items()
            if b.confidence >= s.config.min_confidence or e in by_id]
    close = {e: s._closeness(used[e].form, adjusted[e].record) for e in keep}
    keep.sort(key=lambda e: (-adjusted[e].confidence, -close[e], s.entities[e].id))
    return [s._candidate(used[e], adjusted[e], facts, e in by_id)
            for e in keep[:min(limit, s.config.max_limit)]]


def hand_made() -> Screener:
    entities = [Entity(id=f"e{i}", name=n, kind="person" if "," in n else "company",
                       country=("ru", "ir", None)[i % 3], birth_dates=["1970-05-01"] * (i % 2),
                       nationalities=["ru"] * (i % 2), weak_aliases=[n.split()[-1]] * (i % 4 == 0),
                       identifiers=[Identifier(scheme="inn", value=f"77{i:08d}")])
                for i, n in enumerate(NAMES)]
    return Screener.build(entities, config())


def test_hand_made_names_score_as_the_reference() -> None:
    screener, rng = hand_made(), random.Random(3)
    queries = [perturb(n, k, rng) or n for n in NAMES for k in KINDS] + list(NAMES)
    queries += ["BID", "Bayr", "Petrogreen", "Irital", "KAMAZ (KAMA)", "Sollers Ltd"]
    for q in queries:
        for args in ((), ("ru",), ("ir", "7700000003"), (None, None, 10, "1970", "ru"),
                     (None, None, 1, "1990-01-01", "ir")):
            assert screener.screen(q, *args) == reference(screener, q, *args), (q, args)


@pytest.fixture(scope="module")
def real() -> tuple[Screener, list[Entity]]:
    from tests.conftest import SHARED_DATA

    if not SHARED_DATA.is_dir():
        pytest.skip(f"real list files not found at {SHARED_DATA}")
    entities = random.Random(6).sample(sorted(load_lists(SHARED_DATA), key=lambda e: e.id),
                                       4000)
    return Screener.build(entities, config()), entities


def test_real_names_score_as_the_reference(real: tuple[Screener, list[Entity]]) -> None:
    screener, entities = real
    rng = random.Random(8)
    for i in range(400):
        e = rng.choice(entities)
        name = rng.choice([*e.all_names(), *e.weak_aliases])
        query = perturb(name, KINDS[i % 4], rng, e.kind == "person") or name
        args: tuple[object, ...] = ()
        if i % 5 == 1:
            args = (e.country or "us",)
        elif i % 5 == 2 and e.identifiers:
            args = (None, e.identifiers[0].value, 5)
        elif i % 5 == 3:
            args = (None, None, 10, (e.birth_dates or ["1950"])[0],
                    (e.nationalities or ["fr"])[0])
        elif i % 5 == 4:
            query = f"{query} LLC ({name.split()[0]})"
        assert screener.screen(query, *args) == reference(screener, query, *args), query


def test_token_table_is_token_similarities(real: tuple[Screener, list[Entity]]) -> None:
    screener, _ = real
    vocabulary, cfg = screener._vocabulary, screener.config
    table, rng = TokenTable(vocabulary, cfg), random.Random(2)
    for _ in range(200):
        columns = np.unique(np.array(rng.sample(range(len(vocabulary)), 60), dtype=np.int32))
        query = [rng.choice(vocabulary) for _ in range(3)]
        query += [perturb(query[0], "typo", rng) or "x", "mohamed", "oleh", "ab"]
        want = token_similarities(query, [vocabulary[c] for c in columns], cfg)
        assert np.array_equal(table.similarities(query, columns), want)


def test_best_of_spellings_is_the_pairwise_maximum(real: tuple[Screener, list[Entity]]
                                                   ) -> None:
    """``rescue._best`` (pair similarities inline) against ``pair_similarity`` per pair."""
    screener, _ = real
    vocabulary, cfg, rng = screener._vocabulary, screener.config, random.Random(4)
    for _ in range(3000):
        a = tuple(rng.choice(vocabulary) for _ in range(rng.randint(1, 3)))
        b = tuple(perturb(rng.choice(a), "typo", rng) or "abc" if rng.random() < 0.5
                  else rng.choice(vocabulary) for _ in range(rng.randint(1, 3)))
        want = pair_similarity(a[0], b[0], cfg)
        if len(a) > 1 or len(b) > 1:
            want = max(want, *(pair_similarity(x, y, cfg, False) for x in a for y in b))
        assert _best(a, b, cfg) == want, (a, b)
