"""riskengine's matcher and OpenSanctions' logic-v2 (nomenklatura) side by side, on the same
queries and the same index.

Usage: python bench/compare_nomenklatura.py [positives] [negatives] [seed] [data_dir]

Needs the optional extra ``bench`` (``pip install -e ".[bench]"``: nomenklatura, never a
runtime dependency of riskengine); without it, says so and exits 0.

The evaluation set is that of bench/eval_screening.py (riskengine.screening.evaluate: held-out
aliases removed from the index, perturbed names, plausible unlisted companies) plus the
round-3 families (riskengine.screening.families). nomenklatura has no index of its own
here, so both systems are given the same candidates: riskengine's blocking
(``max_candidates`` names per query); logic-v2 then compares the query, as a
followthemoney entity (Person for person queries, LegalEntity otherwise; date of birth and
nationality when the probe has them), with each candidate entity (all its names; weak
aliases as ``weakAlias``; dates of birth, nationalities, country), and a candidate is a
match from ``NK_THRESHOLD`` (yente's default) up. Recall counts a probe found when its
expected entity is a match (the same rule as run_eval, without the twin credit); the
false-positive rate when any candidate is a match. Times are CPU seconds of the scoring
alone, per query. Prints the figures; asserts nothing.
"""

from __future__ import annotations

import itertools
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from eval_screening import DEFAULT, FAMILY_SIZE, config

from riskengine.domain import Entity
from riskengine.screening.evaluate import HEADLINE, SPELLING, build_eval_set, load_lists
from riskengine.screening.families import FamilyProbe, build_families
from riskengine.screening.match import Screener

_QUERY_IDS = itertools.count()
NK_THRESHOLD = 0.7  # yente's default match threshold
KINDS_SHOWN = (*HEADLINE, "alias_renamed", "romanisation", "abbreviation", "acronym",
               "cyrillic_translated", "dotted_form", "wrong_record", "person_dob",
               "namesake_dob", "alias_weak")


def main(argv: list[str]) -> int:
    """Build the set, score it with both systems, print both side by side."""
    try:
        from followthemoney import model  # noqa: F401
        from nomenklatura.matching import get_algorithm  # noqa: F401
    except ImportError as exc:
        print(f"nomenklatura is not installed ({exc}); pip install -e '.[bench]' to compare")
        return 0
    positives = int(argv[1]) if len(argv) > 1 else 1000
    negatives = int(argv[2]) if len(argv) > 2 else 1000
    seed = int(argv[3]) if len(argv) > 3 else 7
    data = Path(argv[4]) if len(argv) > 4 else DEFAULT
    evalset = build_eval_set(load_lists(data), positives, negatives, seed)
    probes = [FamilyProbe(p.query, p.kind, p.expected) for p in evalset.positives]
    probes += [FamilyProbe(p.query, "negative", negative=True) for p in evalset.negatives]
    probes += [p for p in build_families(evalset.entities, FAMILY_SIZE // 3, seed)
               if p.kind in KINDS_SHOWN]
    screener = Screener.build(evalset.entities, config())  # the rules read once: the run is
    # long, and rules/screening.yaml may change meanwhile
    ours, our_time = _run(probes, lambda p: _ours(screener, p))
    nk = _Nomenklatura(screener)
    theirs, their_time = _run(probes, nk.matches)
    _print(probes, ours, theirs, (our_time, their_time), seed, screener.config.threshold)
    return 0


def _ours(screener: Screener, probe: FamilyProbe) -> list[tuple[str, bool]]:
    found = screener.screen(probe.query, birth_date=probe.birth_date,
                            nationality=probe.nationality)
    return [(c.entity_id, c.match) for c in found]


class _Nomenklatura:
    """logic-v2 over riskengine's candidates (module docstring)."""

    def __init__(self, screener: Screener) -> None:
        from nomenklatura.matching import get_algorithm
        from nomenklatura.matching.types import ScoringConfig

        algorithm = get_algorithm("logic-v2")
        assert algorithm is not None
        self.algorithm = algorithm
        self.config = ScoringConfig(weights={}, config={k: v.default for k, v
                                                        in algorithm.CONFIG.items()})
        self.screener = screener
        self._proxies: dict[int, Any] = {}

    def matches(self, probe: FamilyProbe) -> list[tuple[str, bool]]:
        from riskengine.screening.normalise import analyse

        form = analyse(probe.query, self.screener._lexicon)
        records = self.screener._blocks.candidates(form.keys).tolist() if form.keys else []
        entities = dict.fromkeys(self.screener._records[r].entity for r in records)
        query = _query_proxy(probe, [self.screener.entities[e] for e in entities])
        out = []
        for e in entities:
            result = self.algorithm.compare(query, self._proxy(e), self.config)
            out.append((self.screener.entities[e].id, result.score >= NK_THRESHOLD, result.score))
        out.sort(key=lambda x: -x[2])
        return [(i, m) for i, m, _ in out]

    def _proxy(self, e: int) -> Any:
        if e not in self._proxies:
            self._proxies[e] = _entity_proxy(self.screener.entities[e])
        return self._proxies[e]


def _entity_proxy(entity: Entity) -> Any:
    from followthemoney import model

    proxy = model.make_entity("Person" if entity.kind == "person" else "LegalEntity")
    proxy.id = entity.id
    proxy.add("name", entity.name)
    proxy.add("alias", list(entity.aliases))
    proxy.add("weakAlias", list(entity.weak_aliases))
    if entity.country:
        proxy.add("country", entity.country)
    if entity.kind == "person":
        proxy.add("birthDate", list(entity.birth_dates))
        proxy.add("nationality", list(entity.nationalities))
    return proxy


def _query_proxy(probe: FamilyProbe, candidates: Sequence[Entity]) -> Any:
    """A Person when the probe has a date of birth or its expected entity is a person."""
    from followthemoney import model

    person = probe.birth_date is not None or any(
        e.id == probe.expected and e.kind == "person" for e in candidates)
    proxy = model.make_entity("Person" if person else "LegalEntity")
    proxy.id = f"query-{next(_QUERY_IDS)}"  # one id per query: logic-v2 caches by id
    proxy.add("name", probe.query)
    if person and probe.birth_date:
        proxy.add("birthDate", probe.birth_date)
    if person and probe.nationality:
        proxy.add("nationality", probe.nationality)
    return proxy


def _run(probes: Sequence[FamilyProbe],
         screen: Callable[[FamilyProbe], list[tuple[str, bool]]]) -> tuple[list[bool], float]:
    """Per probe: found (negatives: flagged); CPU seconds."""
    start = time.process_time()
    out = []
    for probe in probes:
        found = screen(probe)
        if probe.negative:
            out.append(any(m and probe.expected in (None, e) for e, m in found))
        elif probe.top_only:
            out.append(bool(found) and found[0][1] and found[0][0] == probe.expected)
        else:
            out.append(any(m and e == probe.expected for e, m in found))
    return out, time.process_time() - start


def _print(probes: Sequence[FamilyProbe], ours: list[bool], theirs: list[bool],
           times: tuple[float, float], seed: int, threshold: float) -> None:
    total: Counter[str] = Counter(p.kind for p in probes)
    mine: Counter[str] = Counter(p.kind for p, f in zip(probes, ours, strict=True) if f)
    nk: Counter[str] = Counter(p.kind for p, f in zip(probes, theirs, strict=True) if f)
    our_time, their_time = times
    print(f"seed {seed}; {len(probes)} queries; riskengine threshold {threshold}, "
          f"logic-v2 threshold {NK_THRESHOLD}; same candidates (riskengine blocking)")
    print(f"  {'family':22} {'riskengine':>10} {'logic-v2':>10} {'queries':>8}")
    for kind in total:
        print(f"  {kind:22} {mine[kind] / total[kind]:10.3f} {nk[kind] / total[kind]:10.3f} "
              f"{total[kind]:8}")
    for label, kinds in (("spelling variants", SPELLING), ("headline", HEADLINE)):
        n = sum(total[k] for k in kinds) or 1
        print(f"  {label:22} {sum(mine[k] for k in kinds) / n:10.3f} "
              f"{sum(nk[k] for k in kinds) / n:10.3f} {n:8}")
    n = len(probes)
    print(f"  {'CPU ms per query':22} {our_time / n * 1000:10.2f} {their_time / n * 1000:10.2f}"
          "   (logic-v2: scoring only, candidates from riskengine)")
    print("  (negative: share of unlisted names flagged; namesake_dob: share of namesakes "
          "with another birth date and nationality flagged)")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
